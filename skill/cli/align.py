"""``align`` on the command line (handler in ``skill.handlers.align``; engine in ``skill.local``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add(
        "align", commands.forward("skill.handlers.align:align", ("video", "audio"),
                                  ("output", "check_only", "timing_json", "force")),
        help="offline: measure and fix the offset and drift between a video and a new recording of the "
             "same performance; writes OUT with the video stream copied")
    commands.add_files(
        parser, ("video", "the video whose own audio is the reference"),
        ("audio", "the new audio (studio or lavalier copy)"),
        output="the synced video (.mp4 .mov .mkv .webm …), the corrected audio alone (.wav .flac), or a "
               "folder (default: ./<video>.synced.<ext>, numbered if it exists)")
    parser.add_argument("--force", action="store_true",
                        help="without a file name in -o: replace an existing <video>.synced.<ext> "
                             "instead of numbering a new one")
    parser.add_argument("--check-only", action="store_true", help="measure and report; write nothing")
    parser.add_argument("--timing-json", type=Path, metavar="PATH",
                        help="also write the measurement (segments, anchors) as JSON")
