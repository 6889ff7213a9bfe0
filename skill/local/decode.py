"""Decode any file's first audio stream to mono float32 on the container clock.

Sample 0 of the result is container time 0, like ffmpeg's ``aresample=async=1:first_pts=0``: a
stream that starts late is preceded by silence, and gaps in the timestamps are filled with
silence, so a late start is measured as the offset it really is. Frames are collected at their
own rate and converted once with soxr, which is delay-compensated (it moves no event in time) and
far cheaper than a resampler call per 1024-sample frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soxr

from skill.errors import AlignmentError, MediaError

ANALYSIS_RATE = 16_000
# Timestamp jitter below this is normal packetisation, not a gap worth filling.
_GAP_SECONDS = 0.010
_INTEGER_SCALE = {np.dtype(np.int16): 32768.0, np.dtype(np.int32): 2147483648.0, np.dtype(np.uint8): 128.0}


@dataclass(frozen=True)
class Track:
    samples: np.ndarray  # float32 mono, sample 0 = container time 0
    rate: int
    native_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def _mono(frame: av.AudioFrame) -> np.ndarray:
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        data = data.reshape(-1, channels).T
    if data.dtype == np.uint8:
        data = data.astype(np.float32) - 128.0
    scale = _INTEGER_SCALE.get(data.dtype, 1.0)
    mono = data[0] if channels == 1 else data.mean(axis=0)
    return mono.astype(np.float32, copy=False) / np.float32(scale) if scale != 1.0 else mono.astype(np.float32)


def decode_native(path: Path) -> Track:
    """The first audio stream, mono, at its own sample rate, on the container clock."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError):
        raise MediaError("errors/align_unreadable", file=path.name) from None
    with container:
        if not container.streams.audio:
            raise AlignmentError("errors/align_no_audio", file=path.name)
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        rate = int(stream.sample_rate or 0)
        clock_zero = (container.start_time or 0) / av.time_base
        chunks: list[np.ndarray] = []
        written = 0  # samples so far, including inserted silence
        try:
            for frame in container.decode(stream):
                rate = rate or frame.sample_rate
                if frame.time is not None:
                    # a first frame before time 0 is priming the edit list already trims
                    gap = max(frame.time - clock_zero, 0.0) - written / rate
                    if gap > _GAP_SECONDS or (not chunks and gap > 0):
                        silence = round(gap * rate)
                        chunks.append(np.zeros(silence, np.float32))
                        written += silence
                chunk = _mono(frame)
                chunks.append(chunk)
                written += len(chunk)
        except av.FFmpegError:
            raise MediaError("errors/align_unreadable", file=path.name) from None
    if not rate:
        raise MediaError("errors/align_unreadable", file=path.name)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return Track(samples, rate, rate)


def for_analysis(track: Track, rate: int = ANALYSIS_RATE) -> Track:
    """The same track at the analysis rate (soxr, delay-compensated)."""
    if track.rate == rate:
        return track
    return Track(soxr.resample(track.samples, track.rate, rate, quality="HQ"), rate, track.native_rate)


def decode_mono(path: Path, rate: int = ANALYSIS_RATE) -> Track:
    """The first audio stream of ``path`` as mono float32 at ``rate`` on the container clock."""
    return for_analysis(decode_native(path), rate)


def media_duration(path: Path) -> float:
    """The container's duration in seconds (the longest stream), 0 when unknown."""
    with av.open(str(path)) as container:
        return (container.duration or 0) / av.time_base


def decode_pair(video: Path, audio: Path, keep_native: bool) -> tuple[Track, Track, Track | None]:
    """Both files at the analysis rate, decoded side by side (FFmpeg's decoders release the GIL),
    plus the new audio at its own rate when it will be written out."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        ref_job = pool.submit(decode_mono, video)
        new_native = pool.submit(decode_native, audio).result()
        new = for_analysis(new_native)
        ref = ref_job.result()
    return ref, new, new_native if keep_native else None
