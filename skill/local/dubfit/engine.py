"""``fit_files``: the whole dub fit, from two files to the written result."""

from __future__ import annotations

import filecmp
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from skill.config import DEFAULT_MAX_STRETCH
from skill.errors import MediaError, UsageError
from skill.local.dubfit import match, plan, reader, writer
from skill.local.dubfit.activity import Phrase
from skill.media.remux import partial_file

Progress = Callable[..., None]


@dataclass
class FitResult:
    placements: list[plan.Placement]
    squeezed: bool
    original_phrases: int
    dub_phrases: int
    duration: float
    output: Path
    video_packets: int | None


def inspect(original: Path, dub: Path) -> tuple[reader.Info, reader.Info]:
    """Every refusal about the two inputs that needs no decoding, and what each file holds (one open each)."""
    for path in (original, dub):
        if not path.is_file():
            raise MediaError("errors/fit_missing", file=str(path))
        if path.stat().st_size == 0:
            raise MediaError("errors/fit_empty", file=path.name)
    if original.resolve() == dub.resolve() or filecmp.cmp(original, dub, shallow=False):
        raise MediaError("errors/fit_same_file", file=dub.name)
    found = []
    for path in (original, dub):
        try:
            with av.open(str(path)) as container:
                if not container.streams.audio:
                    raise MediaError("errors/fit_no_audio", file=path.name)
                found.append(reader.info(container))
        except (av.FFmpegError, OSError, UnicodeDecodeError):
            raise MediaError("errors/fit_unreadable", file=path.name) from None
    return found[0], found[1]


def check_output(original: Path, dub: Path, output: Path, has_video: bool) -> None:
    suffix = output.suffix.lower()
    if suffix not in writer.AUDIO_FORMATS and suffix not in writer.VIDEO_FORMATS:
        raise UsageError("errors/fit_bad_output", file=output.name,
                         formats=" ".join(sorted({*writer.AUDIO_FORMATS, *writer.VIDEO_FORMATS})))
    if output.resolve() in (original.resolve(), dub.resolve()):
        raise UsageError("errors/fit_overwrite", file=str(output))
    if not output.parent.is_dir():
        raise UsageError("errors/fit_missing_dir", dir=str(output.parent))
    if suffix in writer.VIDEO_FORMATS and not has_video:
        raise MediaError("errors/fit_no_video", file=original.name, out=output.name)


def _phrases(path: Path, rate: int) -> tuple[list[Phrase], float]:
    """The phrases of a file and its audio's duration, found as it streams (``finder``)."""
    from skill.local.dubfit import features
    from skill.local.dubfit.finder import PhraseFinder

    finder = PhraseFinder()
    duration = features.analyse_file(path, rate, "errors/fit_unreadable", finder.add)
    found = finder.finish(duration)
    if not found:
        raise MediaError("errors/fit_no_speech", file=path.name)
    return found, duration


def fit_files(original: Path, dub: Path, output: Path, max_stretch: float = DEFAULT_MAX_STRETCH,
              progress: Progress | None = None,
              sources: tuple[reader.Info, reader.Info] | None = None) -> FitResult:
    """Fit ``dub`` to ``original``'s phrasing and write ``output`` (via a hidden partial file).
    ``sources``: ``inspect``'s answer when the caller already has it (no second open of either file)."""
    say: Any = progress or (lambda *a, **k: None)
    source, voice = sources or inspect(original, dub)
    check_output(original, dub, output, source.has_video)
    say("fit/analysing", fraction=None, file=original.name)
    ours, ours_len = _phrases(original, source.rate)
    say("fit/analysing", fraction=None, file=dub.name)
    theirs, theirs_len = _phrases(dub, voice.rate)
    duration = source.duration or ours_len
    groups = match.match(ours, theirs)
    placements, squeezed = plan.plan(ours, theirs, groups, max_stretch, duration)
    tmap = plan.time_map(placements, theirs_len, duration)
    say("fit/writing", fraction=None, file=output.name)
    suffix = output.suffix.lower()
    rate, layout = voice.rate, voice.layout
    out_rate = writer.output_rate(suffix, rate)
    out_len = round(duration * out_rate)
    from skill.local.dubfit import wsola

    blocks = wsola.render(reader.blocks(dub, "errors/fit_unreadable"), rate, tmap, round(duration * rate),
                          voice.channels)
    blocks = writer.resampled(blocks, rate, out_rate, out_len, voice.channels)
    packets = None
    try:
        with partial_file(output, "errors/fit_write_failed") as partial:
            if suffix in writer.VIDEO_FORMATS:
                packets = writer.mux_video(original, blocks, out_rate, partial, suffix, layout)
            else:
                writer.write_audio(blocks, out_rate, partial, suffix, layout)
    except OSError as exc:
        raise MediaError("errors/fit_write_failed", file=output.name,
                         reason=exc.strerror or type(exc).__name__) from None
    return FitResult(placements, squeezed, len(ours), len(theirs), duration, output, packets)
