"""``fit``: retime a voice track in another language to the original speaker's phrasing, offline
(engine: ``skill.local.dubfit``). Pitch and timbre are kept; nothing is uploaded."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from skill.app import App
from skill.config import DEFAULT_MAX_STRETCH, HARD_MAX_STRETCH
from skill.errors import UsageError
from skill.replies import Reply, render


def default_output(original: Path, dub: Path, has_video: bool) -> Path:
    """``clip.mp4`` + ``voice_es.wav`` → ``clip.voice_es.fitted.mp4`` in the results folder (a video
    original gives a video with the fitted dub; an audio original a WAV), never over a file."""
    from skill.local.dubfit.writer import VIDEO_FORMATS
    from skill.media.download import result_path

    suffix = original.suffix.lower() if has_video and original.suffix.lower() in VIDEO_FORMATS else ".wav"
    return result_path(None, f"{original.stem}.{dub.stem}.fitted{suffix}")  # the one rule (issue 18)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes)}:{rest:06.3f}"


def fit(app: App, original: Path, dub: Path, *, output: Path | None = None,
        max_stretch: float = DEFAULT_MAX_STRETCH) -> Reply:
    """Fit DUB's phrases onto ORIGINAL's and write OUT (audio, or ORIGINAL's video with it)."""
    if not math.isfinite(max_stretch) or not 1.0 < max_stretch <= HARD_MAX_STRETCH:
        raise UsageError("errors/fit_bad_stretch", value=str(max_stretch), limit=HARD_MAX_STRETCH)
    from skill.local.dubfit import engine

    sources = engine.inspect(original, dub)  # opened once here, handed on to the engine
    if output is None:
        output = default_output(original, dub, sources[0].has_video)
    result = engine.fit_files(original, dub, output, max_stretch, progress=app.events.progress, sources=sources)
    warnings: list[str] = []
    phrases: list[dict[str, Any]] = []
    for number, item in enumerate(result.placements, 1):
        text = None
        if item.warning:
            text = render(f"fit/warn_{item.warning}", app.lang, number=number,
                          start=_clock(item.original[0]), end=_clock(item.original[1]),
                          limit=max_stretch, **item.warning_params)
            warnings.append(text)
        phrases.append({"original": list(item.original), "dub": list(item.dub), "placed": list(item.placed),
                        "stretch": item.stretch, "warning": text})
    if result.squeezed:
        warnings.insert(0, render("fit/warn_squeezed", app.lang, limit=max_stretch))
    stretches = [p["stretch"] for p in phrases]
    data: dict[str, Any] = {
        "original": str(original), "dub": str(dub), "output": str(result.output), "max_stretch": max_stretch,
        "original_phrases": result.original_phrases, "dub_phrases": result.dub_phrases,
        "groups": len(phrases), "duration_s": round(result.duration, 3),
        "stretch_min": min(stretches), "stretch_max": max(stretches),
        "video_copied": result.video_packets is not None, "video_packets": result.video_packets,
        "warnings": warnings, "phrases": phrases,
    }
    return Reply("fit/fitted", data, media=[str(result.output)])
