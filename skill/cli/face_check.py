"""``face-check`` on the command line (handler in ``skill.handlers.face_check``; engine in
``skill.local.facecheck``, the optional ``[face]`` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def register(commands: Any) -> None:
    parser = commands.add(
        "face-check", _face_check,
        help="offline: will lip-sync work on this video (face found, size, turn, light, mouth), and is a "
             "lip-synced result in sync (mouth against voice, in ms and frames)")
    parser.add_argument("video", type=Path, metavar="VIDEO", help="the video to check")


def _face_check(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.face_check import face_check

    return face_check(app, args.video)
