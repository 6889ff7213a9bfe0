"""``align`` on the command line (handler in ``skill.handlers.align``; engine in ``skill.local``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def register(commands: Any) -> None:
    parser = commands.add(
        "align", _align,
        help="offline: measure and fix the offset and drift between a video and a new recording of the "
             "same performance; writes OUT with the video stream copied")
    parser.add_argument("video", type=Path, metavar="VIDEO", help="the video whose own audio is the reference")
    parser.add_argument("audio", type=Path, metavar="AUDIO", help="the new audio (studio or lavalier copy)")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT",
                        help="the synced video (.mp4 .mov .mkv .webm …), the corrected audio alone (.wav "
                             ".flac), or a folder (default: ./<video>.synced.<ext>, numbered if it exists)")
    parser.add_argument("--force", action="store_true",
                        help="without a file name in -o: replace an existing <video>.synced.<ext> "
                             "instead of numbering a new one")
    parser.add_argument("--check-only", action="store_true", help="measure and report; write nothing")
    parser.add_argument("--timing-json", type=Path, metavar="PATH",
                        help="also write the measurement (segments, anchors) as JSON")


def _align(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.align import align

    return align(app, args.video, args.audio, output=args.output, check_only=args.check_only,
                 timing_json=args.timing_json, force=args.force)
