"""``upload``, ``export`` and ``batch``: media in and out of the NemoVideo cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def register(commands: Any) -> None:
    from skill.cli import numbers
    from skill.config import DEFAULT_BATCH_JOBS, MAX_BATCH_JOBS  # here, not at the top: only these pay for it

    upload = commands.add("upload", commands.forward("skill.handlers.upload:upload", ("sources",)),
                          help="check local files (format, resolution, length, sample rate) and upload them, "
                               "or hand the cloud http(s) links to fetch")
    upload.add_argument("sources", nargs="+", metavar="PATH_OR_URL", help="video, audio or image files, or links")

    export = commands.add("export", commands.forward("skill.handlers.export:export",
                                                     keywords=("output", "timing_json", "force")),
                          help="render the current project in the cloud (no credits) and download the video; "
                               "a killed export resumes the same render")
    # a str, not a Path: Path drops the trailing slash that says "a folder" ("-o exports/")
    export.add_argument("-o", "--output", metavar="PATH",
                        help="file or folder (an existing one, or ending in /) to save to "
                             "(default: ./<source>.lipsync.<ext>)")
    export.add_argument("--timing-json", type=Path, metavar="PATH",
                        help="also write segment timings per track (ms and frames) for animation or subtitles")
    export.add_argument("--force", action="store_true",
                        help="without a file name in -o: replace an existing <source>.lipsync.<ext> "
                             "instead of numbering a new one")

    batch = commands.add("batch", commands.forward("skill.handlers.batch:batch", ("manifest",), ("jobs", "force")),
                         help="localize one video into several languages from a YAML or CSV manifest; "
                              "a rerun skips finished pairs and resumes pending renders")
    batch.add_argument("manifest", type=Path, metavar="MANIFEST", help="YAML or CSV: video, then label + audio rows")
    batch.add_argument("--jobs", type=numbers.whole(1, MAX_BATCH_JOBS), default=DEFAULT_BATCH_JOBS, metavar="N",
                       help=f"pairs processed at once (1-{MAX_BATCH_JOBS}, default {DEFAULT_BATCH_JOBS})")
    batch.add_argument("--force", action="store_true",
                       help="replace existing <video>.<label>.<ext> files another run left, instead of "
                            "numbering new ones")
