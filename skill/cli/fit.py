"""``fit`` on the command line (handler in ``skill.handlers.fit``; engine in ``skill.local.dubfit``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome

HARD_LIMIT = 1.5  # skill.handlers.fit.HARD_MAX_STRETCH; not imported here (keeps --help light)


def max_stretch(text: str) -> float:
    """``--max-stretch R``: finite, above 1, at most 1.5 (also used by ``dub --fit``)."""
    from skill.cli import numbers

    value = numbers.finite(text)
    if not 1.0 < value <= HARD_LIMIT:
        raise argparse.ArgumentTypeError(f"must be above 1 and at most {HARD_LIMIT}, got {text!r}")
    return value


def register(commands: Any) -> None:
    parser = commands.add(
        "fit", _fit,
        help="offline: move and time-stretch a dub (a voice in another language) phrase by phrase onto "
             "the original speaker's pauses, pitch preserved; writes audio, or the original video with it")
    parser.add_argument("original", type=Path, metavar="ORIGINAL", help="the video (or audio) with the original speech")
    parser.add_argument("dub", type=Path, metavar="DUB", help="the new voice track (any format, rate, channels)")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT",
                        help="OUT.wav/.flac/.m4a/.mp3: the fitted audio; OUT.mp4/.mov/.mkv/.webm: ORIGINAL's "
                             "video with it (default: a new file in the results folder)")
    parser.add_argument("--max-stretch", type=max_stretch, default=1.25, metavar="R",
                        help="slow down or speed up a phrase by at most this factor (default 1.25, at most 1.5)")


def _fit(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.fit import fit

    return fit(app, args.original, args.dub, output=args.output, max_stretch=args.max_stretch)
