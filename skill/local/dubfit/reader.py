"""The dub streamed at its own rate, mono, on the container clock, in blocks of about a second:
the render pass never holds the whole track (an hour at 48 kHz would be 700 MB as float32)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from skill.errors import MediaError
from skill.media.decode import GAP_SECONDS, frame_mono

_BLOCK = 1 << 16


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
                    if gap > GAP_SECONDS or (written == 0 and gap > 0):
                        silence = np.zeros(round(gap * rate), np.float32)
                        pending.append(silence)
                        size += len(silence)
                        written += len(silence)
                chunk = frame_mono(frame)
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
