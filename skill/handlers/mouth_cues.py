"""``mouth-cues``: mouth shapes for animation from dialogue audio, on this machine (engine in
``skill.local.mouthcues``). One file, several files or a folder; JSON, TSV, XML or Moho ``.dat``."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

from skill.app import App
from skill.errors import MediaError, UsageError
from skill.replies import Reply

_LONG_INPUT = 60.0  # s: a single input this long gets progress lines


def _check_options(fmt: str | None, output: str | None, fps: Any, extended_shapes: str,
                   text: str | None, text_file: Path | None) -> tuple[str, str, str | None]:
    from skill.local.mouthcues import check_shapes, export

    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not math.isfinite(fps) \
            or int(fps) != fps or not export.FPS_RANGE[0] <= fps <= export.FPS_RANGE[1]:
        raise UsageError("errors/mouth_bad_fps", value=str(fps))
    extended = check_shapes(extended_shapes)
    if fmt is None and output not in (None, "-"):
        suffix = Path(str(output)).suffix.lower().lstrip(".")
        fmt = suffix if suffix in export.FORMATS else None
    fmt = (fmt or "json").lower()
    if fmt not in export.FORMATS:
        raise UsageError("errors/mouth_bad_format", value=fmt)
    if text is not None and text_file is not None:
        raise UsageError("errors/mouth_text_and_file")
    if text_file is not None:
        try:
            text = Path(text_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise MediaError("errors/mouth_text_file", file=str(text_file)) from None
    return fmt, extended, text


def _expand(inputs: list[Path]) -> tuple[list[Path], bool]:
    """Files to analyse, and whether this is a batch (a folder or several inputs)."""
    from skill.local.mouthcues.jobs import MEDIA_SUFFIXES

    if not inputs:
        raise UsageError("errors/mouth_no_inputs")
    files: list[Path] = []
    for path in inputs:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES
                           and not p.name.startswith("."))
            if not found:
                raise MediaError("errors/mouth_empty_folder", folder=str(path))
            files.extend(found)
        elif not path.is_file():
            raise MediaError("errors/mouth_missing_file", file=str(path))
        else:
            files.append(path)
    return files, len(inputs) > 1 or any(Path(p).is_dir() for p in inputs)


def _target(source: Path, fmt: str, output: str | None, batch: bool) -> tuple[Path | None, bool]:
    """(where to write, whether it may already be up to date and skipped)."""
    from skill.config import output_dir

    name = f"{source.stem}.mouth.{fmt}"
    if output == "-":
        return None, False
    if batch:
        folder = Path(output) if output else output_dir()
        return folder / name, True
    if output:
        return Path(output), False
    from skill.media.download import unused_path  # here: its import costs 50 ms of start-up

    return unused_path(output_dir() / name), False


def _seconds(path: Path) -> float:
    """The container's duration, 0 when it cannot be probed (the decoder then says why)."""
    from skill.media.decode import media_duration

    try:
        return media_duration(path)
    except Exception:
        return 0.0


def mouth_cues(app: App, inputs: list[Path], *, text: str | None = None, text_file: Path | None = None,
               fmt: str | None = None, output: str | None = None, fps: int = 24, extended_shapes: str = "GHX",
               preston_blair: bool = False) -> Reply:
    """Mouth cues for each input; writes one file per input (or returns the text for ``-``)."""
    from skill.local.mouthcues import detect_language, jobs

    fmt, extended, text = _check_options(fmt, output, fps, extended_shapes, text, text_file)
    files, batch = _expand(inputs)
    if batch and output == "-":
        raise UsageError("errors/mouth_stdout_many")
    if batch and output and not Path(output).is_dir():
        raise UsageError("errors/mouth_output_dir", folder=str(output))
    if not batch and output not in (None, "-"):
        parent = Path(str(output)).expanduser().resolve().parent
        if not parent.is_dir():
            raise UsageError("errors/mouth_output_dir", folder=str(parent))
        if Path(str(output)).resolve() == files[0].resolve():
            raise UsageError("errors/mouth_overwrite_input", file=str(output))
    # the speech language: the text's own (Chinese characters → zh), else the person's language
    # when there is no text to go by (a Chinese speaker's lines are most likely Chinese)
    lang = detect_language(text, None) if text and text.strip() else app.lang
    todo: list[jobs.Job] = []
    skipped: list[jobs.Done] = []
    for source in files:
        target, skippable = _target(source, fmt, output, batch)
        if skippable and target is not None and jobs.up_to_date(source, target):
            skipped.append(jobs.Done(str(source), str(target), skipped=True))
            continue
        todo.append(jobs.Job(source, target, fmt, text, lang, int(fps), extended, preston_blair))
    started = time.perf_counter()
    total = len(todo)
    progress = {"done": 0}

    def on_done(done: jobs.Done) -> None:
        progress["done"] += 1
        if batch:
            app.events.progress("mouth/progress", fraction=progress["done"] / max(total, 1),
                                done=progress["done"], total=total, file=Path(done.source).name)

    if not batch and todo and _seconds(files[0]) >= _LONG_INPUT:
        app.events.progress("mouth/analysing", fraction=None, file=files[0].name)
    results = jobs.run_all(todo, min(os.cpu_count() or 1, len(todo)), on_done)
    wall = time.perf_counter() - started
    failed = [r for r in results if r.error_key]
    if not batch and failed:
        raise MediaError(str(failed[0].error_key), **failed[0].error_params)
    return _reply(results, skipped, failed, batch, wall, fmt, app.lang)


def _reply(results: list[Any], skipped: list[Any], failed: list[Any], batch: bool, wall: float, fmt: str,
           lang: str) -> Reply:
    from skill.errors import LipSyncError

    good = [r for r in results if not r.error_key]
    audio = sum(r.duration for r in good)
    rtf = round(wall / audio, 4) if audio > 0 else None
    outputs = [r.target for r in good if r.target]
    if not batch:
        one = good[0]
        data: dict[str, Any] = {"outputs": outputs, "cues": one.cues, "duration": one.duration,
                                "path_used": one.path_used, "realtime_factor": rtf, "format": fmt,
                                "file": Path(one.source).name, "count": len(one.cues)}
        if one.content is not None:
            data["content"] = one.content
        return Reply("mouth/done", data, media=outputs)
    errors = [{"file": r.source, "error": r.error_key,
               "message": LipSyncError(r.error_key, **r.error_params).render(lang)} for r in failed]
    data = {"outputs": outputs, "cues": None, "duration": round(audio, 2),
            "path_used": sorted({r.path_used for r in good}),
            "realtime_factor": rtf, "format": fmt, "written": len(good), "skipped": len(skipped),
            "failed": len(failed), "errors": errors,
            "files": [{"input": r.source, "output": r.target, "duration": r.duration, "path_used": r.path_used}
                      for r in good]}
    return Reply("mouth/batch", data, media=outputs, ok=not failed)
