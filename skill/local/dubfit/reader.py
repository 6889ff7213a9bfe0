"""A track streamed at its own rate and channel count, on the container clock, in blocks of about a
second: the render pass never holds the whole track (an hour of stereo at 48 kHz would be 1.4 GB
as float32)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.container import InputContainer

from skill.errors import MediaError
from skill.media.decode import GAP_SECONDS, frame_channels

_BLOCK = 1 << 16


# FFmpeg's default layout per channel count, for streams that give only a count ("2 channels" in
# a plain WAV): encoders such as AAC refuse a layout without channel positions
_DEFAULT_LAYOUT = {1: "mono", 2: "stereo", 3: "3.0", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}


@dataclass(frozen=True)
class Info:
    """What the fit needs to know of a file before decoding it, read in one open: an hour-long
    MP4's sample index alone is ~9 MB, so every extra open of it costs memory, not only time."""

    rate: int  # the first audio stream's
    channels: int
    layout: str  # "mono", "stereo", "5.1", ...
    duration: float  # the container's, seconds (0 when unknown)
    has_video: bool


def info(container: InputContainer) -> Info:
    """The ``Info`` of an open container that has an audio stream."""
    stream = container.streams.audio[0]
    layout = stream.codec_context.layout
    count = len(layout.channels) or 1
    name = layout.name if not layout.name.endswith("channels") else _DEFAULT_LAYOUT.get(count, layout.name)
    return Info(int(stream.sample_rate), count, name, (container.duration or 0) / av.time_base,
                bool(container.streams.video))


def blocks(path: Path, failure_key: str) -> Iterator[np.ndarray]:
    """float32 blocks (channels x samples) at the stream's own rate; sample 0 = container time 0."""
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
            channels = len(stream.codec_context.layout.channels)  # 0 when only the frames tell
            for frame in container.decode(stream):
                chunk = frame_channels(frame)
                channels = channels or len(chunk)
                if len(chunk) != channels:  # a mid-stream layout change: follow the first layout
                    chunk = _conform(chunk, channels)
                if frame.pts is not None and tick:
                    gap = max(frame.pts * tick - zero, 0.0) - written / rate
                    if gap > GAP_SECONDS or (written == 0 and gap > 0):
                        silence = np.zeros((channels, round(gap * rate)), np.float32)
                        pending.append(silence)
                        size += silence.shape[1]
                        written += silence.shape[1]
                pending.append(chunk)
                size += chunk.shape[1]
                written += chunk.shape[1]
                if size >= _BLOCK:
                    yield np.concatenate(pending, axis=1)
                    pending, size = [], 0
    except av.FFmpegError:
        raise MediaError(failure_key, file=path.name) from None
    if pending:
        yield np.concatenate(pending, axis=1)


def _conform(chunk: np.ndarray, channels: int) -> np.ndarray:
    mono = chunk.mean(axis=0, keepdims=True)
    return np.repeat(mono, channels, axis=0)
