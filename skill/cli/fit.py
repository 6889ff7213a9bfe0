"""``fit`` on the command line (handler in ``skill.handlers.fit``; engine in ``skill.local.dubfit``)."""

from __future__ import annotations

import argparse
from typing import Any


def max_stretch(text: str) -> float:
    """``--max-stretch R``: finite, above 1, at most 1.5 (also used by ``dub --fit``)."""
    from skill.cli import numbers
    from skill.config import HARD_MAX_STRETCH

    value = numbers.finite(text)
    if not 1.0 < value <= HARD_MAX_STRETCH:
        raise argparse.ArgumentTypeError(f"must be above 1 and at most {HARD_MAX_STRETCH}, got {text!r}")
    return value


def register(commands: Any) -> None:
    from skill.config import DEFAULT_MAX_STRETCH, HARD_MAX_STRETCH

    parser = commands.add(
        "fit", commands.forward("skill.handlers.fit:fit", ("original", "dub"), ("output", "max_stretch")),
        help="offline: move and time-stretch a dub (a voice in another language) phrase by phrase onto "
             "the original speaker's pauses, pitch preserved; writes audio, or the original video with it")
    commands.add_files(
        parser, ("original", "the video (or audio) with the original speech"),
        ("dub", "the new voice track (any format, rate, channels)"),
        output="OUT.wav/.flac/.m4a/.mp3: the fitted audio; OUT.mp4/.mov/.mkv/.webm: ORIGINAL's video with it "
               "(default: a new file in the results folder)")
    parser.add_argument("--max-stretch", type=max_stretch, default=DEFAULT_MAX_STRETCH, metavar="R",
                        help="slow down or speed up a phrase by at most this factor "
                             f"(default {DEFAULT_MAX_STRETCH}, at most {HARD_MAX_STRETCH})")
