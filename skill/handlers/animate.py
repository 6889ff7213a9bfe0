"""``animate``: a lip-synced 2D character video made on this machine — the dialogue's mouth cues
(``skill.local.mouthcues``, the same as ``mouth-cues`` gives) drawn onto a still character or a
looped clip with a mouth set, encoded with the dialogue (``skill.local.animate``).

Nothing is written unless everything before it worked: inputs, mouth set and box are checked
before the (slower) cue analysis, and the video goes to a temporary file in the target folder that
is renamed at the end or removed on any failure.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from skill.app import App
from skill.config import output_dir
from skill.errors import MediaError, UsageError, write_failed
from skill.replies import Reply

MAX_FPS = 120


def animate(app: App, character: Path, audio: Path, *, mouths: Path | None = None,
            mouth_box: tuple[int, int, int, int] | None = None, text: str | None = None,
            fps: float | None = None, preview: bool = False, output: Path | None = None) -> Reply:
    """Render (or, with ``preview``, only show the nine mouths in place) and say what was written."""
    started = time.perf_counter()
    _check_fps(fps)
    for path in (character, audio):
        if not path.is_file():
            raise MediaError("errors/animate_missing_file", file=str(path))
    suffix = ".png" if preview else ".mp4"
    target = output if output is not None else _default_output(character, "mouths" if preview else "animated", suffix)
    _check_target(target, (character, audio))

    from skill.local.animate.box import check_box, default_box, format_box
    from skill.local.animate.character import first_picture, open_character
    from skill.local.animate.mouths import load_mouths

    picture = open_character(character)
    mouth_set = load_mouths(mouths)
    box = mouth_box if mouth_box is not None else default_box(picture.width, picture.height)
    clipped = check_box(box, picture.width, picture.height)
    if clipped:
        app.events.notice("animate/box_clipped", box=format_box(box), width=picture.width, height=picture.height)
    data: dict[str, Any] = {
        "character": character.name, "audio": audio.name, "output": str(target),
        "box": format_box(box), "box_default": mouth_box is None, "box_clipped": clipped,
        "width": picture.width, "height": picture.height, "still": picture.is_still,
        "mouths": "builtin" if mouth_set.builtin else mouth_set.source,
        "preston_blair": mouth_set.preston_blair, "fallbacks": mouth_set.fallbacks,
    }
    tmp = _reserve(target)  # the folder's own refusal (read-only, full) comes now, before any work
    try:
        if preview:
            from skill.local.animate.preview import contact_sheet

            _writing(target, lambda: contact_sheet(first_picture(picture), mouth_set, box, tmp))
            _writing(target, lambda: os.replace(tmp, target))
            data.update(frames=None, cues=None, fps=None, realtime_factor=None)
            return Reply("animate/preview", data, media=[str(target)])

        from skill.local.animate.render import render
        from skill.local.mouthcues import analyse, detect_language

        app.events.progress("animate/analysing", fraction=None, audio=audio.name)
        # The speech language exactly as mouth-cues chooses it, so the cues are the same as its:
        # the text's own, else the person's language.
        lang = detect_language(text, None) if text and text.strip() else app.lang
        track = analyse(audio, text=text, lang=lang, extended_shapes="GHX")
        rate = _rate(fps, picture.fps)

        def progress(fraction: float) -> None:
            app.events.progress("animate/rendering", fraction=fraction, percent=round(100 * fraction))

        rendered = _writing(target, lambda: render(picture, audio, track.cues, track.duration, mouth_set, box,
                                                   rate, tmp, progress))
        app.events.progress("animate/rendering", fraction=1.0, percent=100)
        _writing(target, lambda: os.replace(tmp, target))
    finally:
        tmp.unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    data.update(frames=_frames_in(target), cues=len(track.cues), fps=float(rate), duration=track.duration,
                path_used=track.path_used, encoder=rendered.encoder, composites=rendered.composites,
                realtime_factor=round(track.duration / elapsed, 2) if elapsed > 0 else None)
    return Reply("animate/rendered", data, media=[str(target)])


def _check_fps(fps: float | None) -> None:
    if fps is not None and not (math.isfinite(fps) and 0 < fps <= MAX_FPS):
        raise UsageError("errors/animate_bad_fps", value=str(fps), limit=MAX_FPS)


def _rate(fps: float | None, clip_fps: Fraction | None) -> Fraction:
    """--fps, else the clip's, else 24. A typed 29.97 becomes 30000/1001, as cameras mean it."""
    if fps is not None:
        return Fraction(fps).limit_denominator(1001)
    return clip_fps if clip_fps else Fraction(24)


def _default_output(character: Path, kind: str, suffix: str) -> Path:
    from skill.media.download import unused_path

    return unused_path(output_dir() / f"{character.stem}.{kind}{suffix}")


def _check_target(target: Path, inputs: tuple[Path, ...]) -> None:
    """Refuse before any work: an output over an input, in a folder that is missing or read-only."""
    if target.exists() and any(target.resolve() == p.resolve() for p in inputs):
        raise UsageError("errors/animate_output_is_input", file=str(target))
    if target.is_dir():
        raise MediaError("errors/animate_output_is_folder", file=str(target))
    folder = target.parent
    if not folder.is_dir():
        raise MediaError("errors/animate_output_dir", dir=str(folder))
    if not os.access(folder, os.W_OK):
        raise MediaError("errors/media_write_failed", name=str(target), reason=os.strerror(13))


def _reserve(target: Path) -> Path:
    """An empty temporary file beside ``target`` (same folder, so the final rename is atomic)."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                                        dir=target.parent)
    except OSError as exc:
        raise write_failed(target, exc) from None
    os.close(handle)
    return Path(name)


def _writing(target: Path, write: Callable[[], Any]) -> Any:
    """Run a step that writes ``target``'s temporary file; its failures said in the person's words."""
    import av

    try:
        return write()
    except OSError as exc:  # PyAV's errno errors are OSErrors too: disk full, permission
        raise write_failed(target, exc) from None
    except av.FFmpegError as exc:
        raise MediaError("errors/animate_render_failed", file=str(target), reason=str(exc)) from None


def _frames_in(path: Path) -> int:
    """The written file's video frames, counted by reading it back (one H.264 packet per frame)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)
