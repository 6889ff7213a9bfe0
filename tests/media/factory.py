"""Tiny real media files made at test time with PyAV (nothing binary is committed)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def video(path: Path, *, width: int = 64, height: int = 48, seconds: float = 1.0, fps: int = 5,
          sample_rate: int | None = 48000, fmt: str | None = None) -> Path:
    """A grey clip with an optional silent audio track; codec chosen to suit the container."""
    webm = path.suffix == ".webm" or fmt == "webm"
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream("libvpx" if webm else "mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # Every stream must exist before the first packet is muxed.
        sound = _audio_stream(container, "libopus" if webm else "aac", sample_rate) if sample_rate else None
        frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), 90, np.uint8), format="rgb24")
        for index in range(max(1, round(seconds * fps))):
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
        if sound is not None:
            _silence(container, sound, seconds)
    return path


def audio(path: Path, *, seconds: float = 1.0, sample_rate: int = 48000) -> Path:
    """Silence in the container the extension names (wav, mp3, m4a, aac)."""
    fmt, codec = {".wav": ("wav", "pcm_s16le"), ".mp3": ("mp3", "libmp3lame"), ".m4a": ("ipod", "aac"),
                  ".aac": ("adts", "aac")}[path.suffix]
    with av.open(str(path), "w", format=fmt) as container:
        _silence(container, _audio_stream(container, codec, sample_rate), seconds)
    return path


def audio_with_cover(path: Path, *, seconds: float = 1.0, cover: int = 300) -> Path:
    """An MP3 carrying album art, as music and voice-memo apps write it: a still picture stream
    marked ``attached_pic`` next to the sound."""
    from av.stream import Disposition

    with av.open(str(path), "w", format="mp3") as container:
        sound = _audio_stream(container, "libmp3lame", 48000)
        picture = container.add_stream("mjpeg", rate=1)
        picture.width = picture.height = cover
        picture.pix_fmt = "yuvj420p"
        picture.disposition = Disposition.attached_pic
        frame = av.VideoFrame.from_ndarray(np.zeros((cover, cover, 3), np.uint8), format="rgb24")
        for packet in [*picture.encode(frame), *picture.encode()]:
            container.mux(packet)
        _silence(container, sound, seconds)
    return path


def image(path: Path, *, size: int = 32) -> Path:
    codec, pix_fmt, fmt = {".png": ("png", "rgb24", "image2"), ".jpg": ("mjpeg", "yuvj420p", "image2"),
                           ".gif": ("gif", "rgb8", "gif"), ".webp": ("libwebp", "yuv420p", "image2")}[path.suffix]
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=1)
        stream.width = stream.height = size
        stream.pix_fmt = pix_fmt
        container.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((size, size, 3), np.uint8), format="rgb24")))
        container.mux(stream.encode())
    return path


def _audio_stream(container: av.container.OutputContainer, codec: str, rate: int) -> av.AudioStream:
    stream = container.add_stream(codec, rate=rate)
    stream.layout = "mono"
    return stream


def _silence(container: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    codec, rate = stream.codec_context.name, stream.codec_context.sample_rate
    step = 1152 if codec in ("libmp3lame", "mp3") else 960 if codec in ("libopus", "opus") else 1024
    total = round(rate * seconds)
    for start in range(0, total, step):
        count = min(step, total - start)
        if codec == "pcm_s16le":
            frame = av.AudioFrame.from_ndarray(np.zeros((1, count), np.int16), format="s16", layout="mono")
        else:
            frame = av.AudioFrame.from_ndarray(np.zeros((1, count), np.float32), format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        container.mux(stream.encode(frame))
    container.mux(stream.encode())
