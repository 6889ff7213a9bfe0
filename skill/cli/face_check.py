"""``face-check`` on the command line (handler in ``skill.handlers.face_check``; engine in
``skill.local.facecheck``, the optional ``[face]`` extra)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    parser = commands.add(
        "face-check", commands.forward("skill.handlers.face_check:face_check", ("video",)),
        help="offline: will lip-sync work on this video (face found, size, turn, light, mouth), and is a "
             "lip-synced result in sync (mouth against voice, in ms and frames)")
    commands.add_files(parser, ("video", "the video to check"))
