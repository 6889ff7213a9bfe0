"""The second core for one long file: a forked helper process with the parent's decoders.

Forked (not spawned) after the transcript's words are in the dictionary, so the helper starts in
milliseconds with warm decoders and the same dictionary; nothing is re-imported. Only worth it
when there is enough speech to pay for the fork (a short line stays in one process).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from skill.local.mouthcues.shapes import Phone

MIN_SPEECH = 2000  # cs of speech below which a helper costs more than it saves
# The file's samples, inherited by the forked helper: jobs name spans of it, so no audio is
# pickled through the pipe (sending half an hour of PCM at once doubled the peak memory).
_SAMPLES: Any = None
_ENABLED = True


def disable() -> None:
    """No helper in this process: a folder's worker pool already has every core busy."""
    global _ENABLED
    _ENABLED = False


def helper(speech_cs: int, samples: Any) -> Executor | None:
    """A one-process pool for this file, or None (short file, one core, or no fork here)."""
    import os

    global _SAMPLES
    if not _ENABLED or speech_cs < MIN_SPEECH or (os.cpu_count() or 1) < 2:
        return None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: one core it is
        return None
    _SAMPLES = samples  # before the first submit, which forks
    return ProcessPoolExecutor(max_workers=1, mp_context=context)


def close(executor: Executor | None) -> None:
    global _SAMPLES
    if executor is not None:
        executor.shutdown(cancel_futures=True)
    _SAMPLES = None


def align_job(start: int, end: int, tokens: list[str]) -> tuple[list[Phone], float] | None:
    """sphinx.align of these cs of the file in the helper; None where it raised AlignFailed."""
    from skill.local.mouthcues import _span, sphinx

    pcm, offset = _span(_SAMPLES, start, end)
    try:
        return sphinx.align(pcm, tokens, offset)
    except sphinx.AlignFailed:
        return None


def recognise_job(spans: list[tuple[int, int]], language_independent: bool) -> list[list[Phone]]:
    """sphinx.recognise on each (start, end) cs of the file in the helper, in order."""
    from skill.local.mouthcues import _span, sphinx

    return [sphinx.recognise(*_span(_SAMPLES, start, end), language_independent) for start, end in spans]
