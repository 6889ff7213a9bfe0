"""One input → one written cue file, runnable in a worker process; and the folder/batch driver.

Writing follows the project's rule: a temporary file in the target folder renamed at the end,
removed on any failure, so no partial output is ever left behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MEDIA_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".mp4", ".mov", ".webm",
                  ".mkv", ".avi", ".wma", ".aif", ".aiff", ".caf", ".m4v", ".mpg", ".mpeg", ".ts", ".3gp"}


@dataclass
class Job:
    source: Path
    target: Path | None  # None: return the text (``--output -``)
    fmt: str
    text: str | None
    lang: str | None
    fps: int
    extended: str
    preston_blair: bool


@dataclass
class Done:
    source: str
    target: str | None
    duration: float = 0.0
    path_used: str = ""
    seconds: float = 0.0
    cues: list[dict[str, Any]] = field(default_factory=list)
    content: str | None = None
    skipped: bool = False
    error_key: str | None = None
    error_params: dict[str, Any] = field(default_factory=dict)


def write_atomic(target: Path, content: str) -> None:
    from skill.errors import MediaError

    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(content, encoding="utf-8")
        os.replace(temp, target)
    except OSError as failed:
        temp.unlink(missing_ok=True)
        raise MediaError("errors/mouth_write_failed", file=str(target), reason=failed.strerror or "") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def run(job: Job) -> Done:
    """Analyse and write one input; errors come back as data (a worker must not raise them)."""
    from skill.errors import LipSyncError
    from skill.local.mouthcues import analyse, export

    started = time.perf_counter()
    try:
        track = analyse(job.source, text=job.text, lang=job.lang, extended_shapes=job.extended)
        content = export.render(track, job.fmt, fps=job.fps, preston_blair=job.preston_blair, extended=job.extended)
        if job.target is not None:
            write_atomic(job.target, content)
    except LipSyncError as failed:
        return Done(str(job.source), None, error_key=failed.message_key, error_params=dict(failed.params))
    return Done(str(job.source), str(job.target) if job.target else None, track.duration, track.path_used,
                time.perf_counter() - started,
                [{"start": c.start, "end": c.end, "value": c.shape} for c in track.cues],
                None if job.target is not None else content)


def up_to_date(source: Path, target: Path) -> bool:
    try:
        return target.stat().st_mtime >= source.stat().st_mtime and target.stat().st_size > 0
    except OSError:
        return False


def _warm() -> None:
    """Create the decoders once per worker, before its first file; the folder's pool already
    uses every core, so a long file in it gets no helper of its own."""
    from skill.local.mouthcues import pool, sphinx

    pool.disable()
    sphinx.warm()


def run_all(jobs: list[Job], workers: int, on_done: Callable[[Done], None]) -> list[Done]:
    """Every job, in parallel across ``workers`` processes (a pool of warm decoders: one process
    per file would pay the start-up for each)."""
    results: list[Done] = []
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            results.append(run(job))
            on_done(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        for done in pool.map(run, jobs, chunksize=max(1, min(8, len(jobs) // (workers * 4)))):
            results.append(done)
            on_done(done)
    return results
