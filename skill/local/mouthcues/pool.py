"""The second core for one long file: a forked helper process with the parent's decoders.

Forked (not spawned) after the transcript's words are in the dictionary, so the helper starts in
milliseconds with warm decoders and the same dictionary; nothing is re-imported. Only worth it
when there is enough speech to pay for the fork (a short line stays in one process).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from skill.local.mouthcues.shapes import Phone

MIN_SPEECH = 2000  # cs of speech below which a helper costs more than it saves


def helper(speech_cs: int) -> Executor | None:
    """A one-process pool for this file, or None (short file, one core, or no fork here)."""
    import os

    if speech_cs < MIN_SPEECH or (os.cpu_count() or 1) < 2:
        return None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: one core it is
        return None
    return ProcessPoolExecutor(max_workers=1, mp_context=context)


def align_job(pcm: bytes, tokens: list[str], offset: int) -> tuple[list[Phone], float] | None:
    """sphinx.align in the helper; None where it raised AlignFailed."""
    from skill.local.mouthcues import sphinx

    try:
        return sphinx.align(pcm, tokens, offset)
    except sphinx.AlignFailed:
        return None


def recognise_many_job(spans: list[tuple[bytes, int]], language_independent: bool) -> list[list[Phone]]:
    """sphinx.recognise on each (pcm, offset) in the helper, in order."""
    from skill.local.mouthcues import sphinx

    return [sphinx.recognise(pcm, offset, language_independent) for pcm, offset in spans]
