"""``setup``, ``credits`` and ``state`` on the command line (handlers in ``skill.handlers.account``)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    setup = commands.add("setup", commands.forward("skill.handlers.account:setup", keywords=("new_project",)),
                         help="connect to NemoVideo (free anonymous account unless NEMO_TOKEN is set)")
    setup.add_argument("--new-project", action="store_true",
                       help="start a fresh project instead of continuing the current one")
    commands.add("credits", commands.forward("skill.handlers.account:credits"), help="show the credit balance")
    commands.add("state", commands.forward("skill.handlers.account:state"),
                 help="summarise the current project: tracks, uploads, export readiness")
