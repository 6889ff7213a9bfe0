"""Decode any file's first audio stream to mono float32 on the container clock.

Sample 0 of the result is container time 0, like ffmpeg's ``aresample=async=1:first_pts=0``: a
stream that starts late is preceded by silence, and gaps in the timestamps are filled with
silence, so a late start is measured as the offset it really is. FFmpeg's resampler (swr) is
delay-compensated, so resampling to the analysis rate moves no event in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from skill.errors import AlignmentError, MediaError

ANALYSIS_RATE = 16_000
# Timestamp jitter below this is normal packetisation, not a gap worth filling.
_GAP_SECONDS = 0.010


@dataclass(frozen=True)
class Track:
    samples: np.ndarray  # float32 mono, sample 0 = container time 0
    rate: int
    native_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def decode_mono(path: Path, rate: int = ANALYSIS_RATE) -> Track:
    """The first audio stream of ``path`` as mono float32 at ``rate`` on the container clock."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError):
        raise MediaError("errors/align_unreadable", file=path.name) from None
    with container:
        if not container.streams.audio:
            raise AlignmentError("errors/align_no_audio", file=path.name)
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        clock_zero = (container.start_time or 0) / av.time_base
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks: list[np.ndarray] = []
        consumed = 0.0  # seconds of input fed so far, on the container clock
        try:
            for frame in container.decode(stream):
                if frame.time is not None:
                    start = frame.time - clock_zero
                    if not chunks and start < 0:
                        start = 0.0  # priming before time 0 is dropped by the edit list already
                    gap = start - consumed
                    if gap > _GAP_SECONDS or (not chunks and gap > 0):
                        silence = round(gap * rate)
                        chunks.append(np.zeros(silence, np.float32))
                        consumed = start
                consumed += frame.samples / frame.sample_rate
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError:
            raise MediaError("errors/align_unreadable", file=path.name) from None
        native_rate = stream.sample_rate or rate
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return Track(samples.astype(np.float32, copy=False), rate, int(native_rate))


def decode_native(path: Path) -> Track:
    """The first audio stream at its own sample rate (the material the corrected output is cut from)."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise AlignmentError("errors/align_no_audio", file=path.name)
        native = container.streams.audio[0].sample_rate
    return decode_mono(path, rate=int(native))


def has_audio(path: Path) -> bool:
    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError):
        raise MediaError("errors/align_unreadable", file=path.name) from None


def media_duration(path: Path) -> float:
    """The container's duration in seconds (the longest stream), 0 when unknown."""
    with av.open(str(path)) as container:
        return (container.duration or 0) / av.time_base
