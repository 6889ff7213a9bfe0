"""``mouth-cues`` on the command line (handler in ``skill.handlers.mouth_cues``; engine in
``skill.local.mouthcues``). The speech language is the shared ``--lang`` (it also sets the reply
language); without it, Chinese characters in the text choose Chinese."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def _fps(value: str) -> int:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= 120:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 120, not {value!r}")
    return int(number)


def register(commands: Any) -> None:
    parser = commands.add(
        "mouth-cues", _mouth_cues,
        help="offline: mouth shapes (Rhubarb A-H, X) from dialogue audio for animation tools; "
             "JSON, TSV, XML or Moho/OpenToonz .dat; a folder or several files in parallel")
    parser.add_argument("audio", nargs="+", type=Path, metavar="AUDIO",
                        help="audio or video files (any format), or folders of them")
    text = parser.add_mutually_exclusive_group()
    text.add_argument("--text", metavar="DIALOGUE", help="what is said: guides recognition, not trusted blindly")
    text.add_argument("--text-file", type=Path, metavar="PATH", help="the dialogue in a UTF-8 text file")
    parser.add_argument("--format", choices=("json", "tsv", "xml", "dat"), dest="fmt",
                        help="output format (default: from --output's extension, else json)")
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="output file ('-' for stdout; a folder for several inputs); "
                             "default: <audio name>.mouth.<ext> in the results folder, never over a file")
    parser.add_argument("--fps", type=_fps, default=24, metavar="N", help=".dat frame rate, 1-120 (default 24)")
    parser.add_argument("--extended-shapes", default="GHX", metavar="GHX",
                        help="which of G, H, X may appear (default GHX; \"\" for A-F only)")
    parser.add_argument("--preston-blair", action="store_true",
                        help=".dat with Preston Blair names (MBP, etc, E, AI, O, U, FV, L, rest)")


def _mouth_cues(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.cli import RawOutput
    from skill.handlers.mouth_cues import mouth_cues

    if args.lang:
        app.lang = args.lang
    reply = mouth_cues(app, list(args.audio), text=args.text, text_file=args.text_file, fmt=args.fmt,
                       output=args.output, fps=args.fps, extended_shapes=args.extended_shapes,
                       preston_blair=args.preston_blair)
    if args.output == "-" and not args.json:  # the result itself is the output, nothing around it
        console.stdout.write(reply.data["content"])
        console.stdout.flush()
        return RawOutput(None, 0 if reply.ok else 1)
    return reply
