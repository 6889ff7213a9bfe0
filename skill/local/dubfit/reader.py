"""The dub streamed at its own rate, mono, on the container clock, in blocks of about a second:
the render pass never holds the whole track (an hour at 48 kHz would be 700 MB as float32)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from skill.errors import MediaError

_BLOCK = 1 << 16
_GAP_SECONDS = 0.010  # like skill.media.decode: timestamp gaps above this are filled with silence


def _mono(frame: av.AudioFrame) -> np.ndarray:
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        data = data.reshape(-1, channels).T
    if data.dtype == np.uint8:
        data = (data.astype(np.float32) - 128.0) / 128.0
    elif data.dtype == np.int16:
        data = data.astype(np.float32) / 32768.0
    elif data.dtype == np.int32:
        data = data.astype(np.float32) / 2147483648.0
    mono = data[0] if channels == 1 else data.mean(axis=0)
    return mono.astype(np.float32, copy=False)


def audio_rate(path: Path) -> int:
    with av.open(str(path)) as container:
        return int(container.streams.audio[0].sample_rate)


def blocks(path: Path, failure_key: str) -> Iterator[np.ndarray]:
    """Mono float32 blocks at the stream's own rate; sample 0 = container time 0."""
    pending: list[np.ndarray] = []
    size = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            stream.thread_type = "AUTO"
            rate = int(stream.sample_rate)
            zero = (container.start_time or 0) / av.time_base
            tick = float(stream.time_base or 0)
            written = 0
            for frame in container.decode(stream):
                if frame.pts is not None and tick:
                    gap = max(frame.pts * tick - zero, 0.0) - written / rate
                    if gap > _GAP_SECONDS or (written == 0 and gap > 0):
                        silence = np.zeros(round(gap * rate), np.float32)
                        pending.append(silence)
                        size += len(silence)
                        written += len(silence)
                chunk = _mono(frame)
                pending.append(chunk)
                size += len(chunk)
                written += len(chunk)
                if size >= _BLOCK:
                    yield np.concatenate(pending)
                    pending, size = [], 0
    except av.FFmpegError:
        raise MediaError(failure_key, file=path.name) from None
    if pending:
        yield np.concatenate(pending)
