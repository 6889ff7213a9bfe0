"""``setup``, ``credits`` and ``state`` on the command line (handlers in ``skill.handlers.account``)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    setup = commands.add("setup", _setup, help="connect to NemoVideo (free anonymous account unless NEMO_TOKEN is set)")
    setup.add_argument("--new-project", action="store_true",
                       help="start a fresh project instead of continuing the current one")
    commands.add("credits", _credits, help="show the credit balance")
    commands.add("state", _state, help="summarise the current project: tracks, uploads, export readiness")


def _setup(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.handlers.account import setup

    console.reply(setup(app, new_project=args.new_project))
    return 0


def _credits(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.handlers.account import credits

    console.reply(credits(app))
    return 0


def _state(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.handlers.account import state

    console.reply(state(app))
    return 0
