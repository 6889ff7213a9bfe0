"""Small real media files for provider tests, made with PyAV and the standard library."""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return path


def make_mp4(path: Path, seconds: float = 1.0, fps: int = 10, size: int = 32, *, faststart: bool = True,
             variable_rate: bool = False, codec: str = "libx264") -> Path:
    """An H.264 MP4 (``faststart`` puts the index first); ``variable_rate`` spaces frames unevenly."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps * 10)
        pts = 0
        for index in range(max(1, round(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(np.full((size, size, 3), index % 255, np.uint8), format="rgb24")
            frame.pts = pts
            frame.time_base = Fraction(1, fps * 10)
            pts += (5 if index % 2 else 15) if variable_rate else 10
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def make_png(path: Path, width: int, height: int) -> Path:
    frame = av.VideoFrame.from_ndarray(np.zeros((height, width, 3), np.uint8), format="rgb24")
    with av.open(str(path), "w", format="image2") as container:
        stream = container.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = width, height, "rgb24"
        container.mux(stream.encode(frame))
    return path
