"""``route``: show where the router sends a sentence, without running anything (for agents and debugging).

``--json`` prints the route itself and imports neither jinja2 nor httpx, so it starts fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def register(commands: Any) -> None:
    parser = commands.add("route", _route, help="show the intent of a sentence (offline, nothing is run)")
    commands.add_utterance(parser, "what the person said")


def _route(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.cli import RawOutput
    from skill.errors import UsageError
    from skill.router import route

    if not args.utterance.strip() and not args.attach:
        raise UsageError("errors/route_empty")
    result = route(args.utterance, args.attach)
    if console.json_mode:
        return RawOutput(result.as_dict())  # the route itself; no template, so jinja2 is never imported
    from skill.replies import Reply

    return Reply("route/summary", result.as_dict())
