"""``animate`` on the command line (handler in ``skill.handlers.animate``; renderer in
``skill.local.animate``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def register(commands: Any) -> None:
    from skill.cli.numbers import positive

    parser = commands.add(
        "animate", _animate,
        help="offline: a lip-synced video of a 2D character (a still picture or a clip) saying the dialogue, "
             "mouth drawings swapped at the mouth cues' times")
    parser.add_argument("character", type=Path, metavar="CHARACTER",
                        help="the character: a PNG/JPG/WebP picture (transparency shown over white) or a video clip "
                             "(looped or cut to the dialogue's length)")
    parser.add_argument("audio", type=Path, metavar="AUDIO", help="the dialogue (any format mouth-cues reads)")
    parser.add_argument("--mouths", type=Path, metavar="DIR",
                        help="one picture per mouth shape, named A … H, X (Rhubarb) or MBP, etc, E, AI, O, U, FV, L, "
                             "rest (Preston Blair); default: the built-in mouths")
    parser.add_argument("--mouth-box", metavar="X,Y,W,H",
                        help="where the mouth goes, in the character's pixels (default: lower centre)")
    parser.add_argument("--text", metavar="DIALOGUE", help="what is said: guides the mouth shapes, as in mouth-cues")
    parser.add_argument("--fps", type=positive, metavar="N",
                        help="frame rate (default: the clip's, or 24 for a picture)")
    parser.add_argument("--preview", action="store_true",
                        help="write one PNG with all nine mouths in place instead of the video, to check the box")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT",
                        help="where to write (default: <character>.animated.mp4 in the results folder, never over "
                             "an earlier file)")


def parse_box(value: str | None) -> tuple[int, int, int, int] | None:
    """``"X,Y,W,H"`` → four ints (spaces allowed); a malformed value is a usage error in the person's language."""
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",")]
    try:
        if len(parts) != 4:
            raise ValueError(value)
        x, y, w, h = (int(part) for part in parts)
    except ValueError:
        from skill.errors import UsageError

        raise UsageError("errors/animate_bad_box", value=value) from None
    return x, y, w, h


def _animate(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers.animate import animate

    return animate(app, args.character, args.audio, mouths=args.mouths, mouth_box=parse_box(args.mouth_box),
                   text=args.text, fps=args.fps, preview=args.preview, output=args.output)
