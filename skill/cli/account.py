"""``setup``, ``credits`` and ``state`` on the command line (handlers in ``skill.handlers.account``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def register(commands: Any) -> None:
    setup = commands.add("setup", _setup, help="connect to NemoVideo (free anonymous account unless NEMO_TOKEN is set)")
    setup.add_argument("--new-project", action="store_true",
                       help="start a fresh project instead of continuing the current one")
    commands.add("credits", _credits, help="show the credit balance")
    commands.add("state", _state, help="summarise the current project: tracks, uploads, export readiness")


def _setup(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.account import setup

    return setup(app, new_project=args.new_project)


def _credits(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.account import credits

    return credits(app)


def _state(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.account import state

    return state(app)
