"""Per-block features of a track, computed while it streams: WebRTC's VAD decision per 10 ms and
the energy per 1 ms at 16 kHz. They are handed on block by block (to ``activity.PhraseFinder``,
which keeps only the few seconds it still needs), so analysis memory does not grow with the track."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

RATE = 16_000  # webrtcvad takes 8/16/32/48 kHz; 16 kHz keeps fricative onsets
VAD_FRAME = 160  # 10 ms
VAD_MODE = 2  # reference B7: mode 2 had the smallest onset bias at 10 dB SNR
ENV_HOP = 16  # 1 ms at 16 kHz
# (flags: bool per 10 ms, energy: float32 sum of squares per 1 ms), ten energies per flag
Sink = Callable[[np.ndarray, np.ndarray], None]


class Analyser:
    """Feed 16 kHz mono blocks of any length; each block's features go to ``sink``."""

    def __init__(self, sink: Sink) -> None:
        import webrtcvad

        self.vad = webrtcvad.Vad(VAD_MODE)
        self.sink = sink
        self.rest = np.zeros(0, np.float32)
        self.samples = 0

    @property
    def duration(self) -> float:
        return self.samples / RATE

    def add(self, block: np.ndarray) -> None:
        self.samples += len(block)
        data = np.concatenate((self.rest, block)) if len(self.rest) else block
        usable = len(data) // VAD_FRAME * VAD_FRAME
        part, self.rest = data[:usable], data[usable:].copy()
        if not usable:
            return
        pcm = (np.clip(part, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        step = VAD_FRAME * 2
        flags = np.fromiter((self.vad.is_speech(pcm[i:i + step], RATE) for i in range(0, len(pcm), step)),
                            bool, usable // VAD_FRAME)
        wide = part.astype(np.float64)  # summed in float64, kept in float32 (a 1 ms level needs no more)
        self.sink(flags, (wide * wide).reshape(-1, ENV_HOP).sum(axis=1).astype(np.float32))


def analyse(blocks: Iterable[np.ndarray], sink: Sink) -> float:
    """Features of a 16 kHz track given as blocks, to ``sink``; returns its duration."""
    analyser = Analyser(sink)
    for block in blocks:
        analyser.add(block)
    return analyser.duration


def analyse_file(path: Path, rate: int, failure_key: str, sink: Sink) -> float:
    """Features of a file's first audio stream (at ``rate``; its channels mixed), decoded and
    resampled to 16 kHz as it streams (soxr's stream is delay-compensated: it moves no edge);
    returns its duration."""
    import soxr

    from skill.local.dubfit import reader

    mono = (block.mean(axis=0) if len(block) > 1 else block[0] for block in reader.blocks(path, failure_key))
    if rate == RATE:
        return analyse(mono, sink)
    stream = soxr.ResampleStream(rate, RATE, 1, dtype="float32", quality="HQ")

    def converted() -> Iterable[np.ndarray]:
        for block in mono:
            yield stream.resample_chunk(block)
        yield stream.resample_chunk(np.zeros(0, np.float32), last=True)

    return analyse(converted(), sink)
