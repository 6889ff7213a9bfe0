"""Media the emulator serves and inspects: a tiny valid MP4 for render outputs, PyAV probing of uploads."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np

VIDEO_EXT = {"mp4", "mov", "avi", "webm", "mkv"}
IMAGE_EXT = {"jpg", "jpeg", "png", "gif", "webp"}
AUDIO_EXT = {"mp3", "wav", "m4a", "aac"}
SUPPORTED_EXT = VIDEO_EXT | IMAGE_EXT | AUDIO_EXT


def file_type(filename: str) -> str | None:
    """"video", "image" or "audio" by extension; None when the backend would refuse it (4001)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for kind, exts in (("video", VIDEO_EXT), ("image", IMAGE_EXT), ("audio", AUDIO_EXT)):
        if ext in exts:
            return kind
    return None


@cache
def tiny_mp4(seconds: float = 1.0, size: int = 64, fps: int = 10, sample_rate: int = 16000) -> bytes:
    """A real H.264 + AAC MP4 (grey frames, a quiet tone), made once per process."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        audio = container.add_stream("aac", rate=sample_rate)
        audio.layout = "mono"
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(np.full((size, size, 3), 96 + index, np.uint8), format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        t = np.arange(round(seconds * sample_rate)) / sample_rate
        tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        step = 1024
        for start in range(0, tone.size, step):
            frame = av.AudioFrame.from_ndarray(tone[None, start:start + step], format="flt", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = start
            container.mux(audio.encode(frame))
        container.mux(audio.encode())
    return buffer.getvalue()


def probe(source: Path | BinaryIO) -> dict[str, Any]:
    """duration (s), width, height, fps of a media file; nulls for what PyAV cannot tell."""
    info: dict[str, Any] = {"duration": None, "width": None, "height": None, "fps": None}
    try:
        with av.open(str(source) if isinstance(source, Path) else source) as container:
            if container.duration is not None:
                info["duration"] = round(container.duration / av.time_base, 3)
            if container.streams.video:
                stream = container.streams.video[0]
                info["width"], info["height"] = stream.codec_context.width, stream.codec_context.height
                if stream.average_rate:
                    info["fps"] = round(float(stream.average_rate), 3)
    except (av.FFmpegError, OSError, ValueError):
        pass  # not media PyAV understands: the real backend would still accept the bytes
    return info
