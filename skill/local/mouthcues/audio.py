"""Decode (the project's PyAV decoder) and find where someone speaks.

Voice activity is WebRTC's VAD as shipped inside the PocketSphinx wheel (no extra dependency),
plus two checks of our own so that room tone and steady noise give no mouth movement at all:
the anchor emits B on noise, we emit X.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

import numpy as np

from skill.errors import LipSyncError, MediaError

RATE = 16_000
FRAME = RATE // 100  # samples per 10 ms frame
_MERGE = 30  # cs: gaps this short inside speech are bridged (a stop's closure, a breath)
_MIN_REGION = 10  # cs: shorter "speech" is a click
_MIN_PEAK_DB = -50.0  # a region never louder than this is not speech anyone wants animated
_MIN_SPREAD_DB = 6.0  # speech rises and falls by syllable; steady noise does not


SPOOL_ABOVE = 5 * 60 * RATE  # samples: a longer file stays on disk, read back piece by piece


class Spooled:
    """16 kHz float32 samples in an unnamed temporary file (gone when closed, even after a crash),
    sliced like an array: an hour holds 230 MB on disk instead of in memory, and each speech
    region is read back only while it is analysed."""

    def __init__(self, file: IO[bytes], count: int, total: float) -> None:
        self.file, self.count, self._mean = file, count, total / max(count, 1)

    def __len__(self) -> int:
        return self.count

    def mean(self) -> float:
        return self._mean

    def __getitem__(self, key: slice) -> np.ndarray:
        start, stop, _ = key.indices(self.count)
        if stop <= start:
            return np.zeros(0, np.float32)
        data = os.pread(self.file.fileno(), (stop - start) * 4, start * 4)  # no shared file offset
        return np.frombuffer(data, np.float32)


def load(path: Path) -> np.ndarray | Spooled:
    """The first audio stream of ``path`` as 16 kHz mono float32; one clear error otherwise.
    Decoded block by block into a temporary file: a short file is read back whole (the array
    decode_mono would give, bit for bit), a long one stays there as :class:`Spooled`."""
    try:
        size = path.stat().st_size
    except OSError:
        raise MediaError("errors/mouth_missing_file", file=str(path)) from None
    if path.is_dir():
        raise MediaError("errors/mouth_missing_file", file=str(path))
    if size == 0:
        raise MediaError("errors/mouth_empty", file=str(path))
    from skill.media.decode import decode_mono_blocks

    spool = tempfile.TemporaryFile(prefix="mouthcues-")  # noqa: SIM115 (outlives this call when long)
    count, total = 0, 0.0

    def write(block: np.ndarray) -> None:
        nonlocal count, total
        spool.write(block.astype(np.float32, copy=False).tobytes())
        count += len(block)
        total += float(block.sum(dtype=np.float64))

    try:
        decode_mono_blocks(path, write, RATE)
    except LipSyncError as failed:
        spool.close()
        key = "errors/mouth_no_audio" if "no_audio" in failed.message_key else "errors/mouth_unreadable"
        raise MediaError(key, file=str(path)) from None
    except Exception:  # a decoder failure of any kind is an unreadable file, not a traceback
        spool.close()
        raise MediaError("errors/mouth_unreadable", file=str(path)) from None
    if count < FRAME:
        spool.close()
        raise MediaError("errors/mouth_no_audio", file=str(path))
    spool.flush()
    if count > SPOOL_ABOVE:
        return Spooled(spool, count, total)
    with spool:
        spool.seek(0)
        return np.fromfile(spool, np.float32, count)


def frame_db(samples: np.ndarray | Spooled) -> np.ndarray:
    """Level of each 10 ms frame in dBFS (in blocks, float32: an hour costs megabytes, not a gigabyte)."""
    count = len(samples) // FRAME
    out = np.empty(count, np.float32)
    block = 6000  # frames per step, one minute
    for start in range(0, count, block):
        end = min(count, start + block)
        frames = samples[start * FRAME:end * FRAME].reshape(end - start, FRAME)
        out[start:end] = 10.0 * np.log10(frames.var(axis=1) + 1e-12)
    return out


def speech_regions(samples: np.ndarray | Spooled, mode: int = 2) -> list[tuple[int, int]]:
    """[start, end) in cs of the stretches that hold speech."""
    from pocketsphinx import Vad

    vad = Vad(mode, RATE, 0.01)
    step = vad.frame_bytes // 2
    offset = float(samples.mean())  # DC would read as energy
    count = len(samples) // step
    flags: list[bool] = []
    block = step * 6000
    for start in range(0, count * step, block):
        pcm = np.clip((samples[start:start + block] - offset) * 32767.0, -32768, 32767).astype(np.int16)
        flags.extend(vad.is_speech(pcm[i:i + step].tobytes()) for i in range(0, len(pcm) - step + 1, step))
    scale = step / FRAME  # VAD frames → cs (1.0 at 16 kHz, 10 ms)
    regions: list[list[int]] = []
    for i, speech in enumerate(flags):
        if not speech:
            continue
        at = int(i * scale)
        if regions and at - regions[-1][1] <= _MERGE:
            regions[-1][1] = at + 1
        else:
            regions.append([at, at + 1])
    levels = frame_db(samples)
    kept = []
    for start, end in regions:
        if end - start < _MIN_REGION:
            continue
        level = levels[start:end]
        if level.size == 0 or level.max() < _MIN_PEAK_DB:
            continue
        if np.percentile(level, 90) - np.percentile(level, 10) < _MIN_SPREAD_DB:
            continue
        kept.append((start, end))
    return kept
