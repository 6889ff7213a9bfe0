"""Reading a rendered video back and checking it against what it should show, independently of
the renderer: expected pictures are composited here with Pillow in RGB (the renderer blends in
yuv420p), expected shapes come from a plain scan of the cues, the lag from a cross-correlation."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]


@dataclass
class Cue:
    start: float
    end: float
    shape: str


def cues_through_all_shapes(duration: float) -> list[Cue]:
    """Contiguous cues over 0..duration visiting every shape, with edges off the frame grid."""
    order = "XABCDEFGHXDAFBECHGX"
    edges = np.linspace(0, duration, len(order) + 1)
    edges[1:-1] += 0.013  # no cue edge on a 24/25/30 fps frame start
    return [Cue(float(a), float(b), s) for a, b, s in zip(edges[:-1], edges[1:], order)]


def expected_shape(cues: list[Cue], t: float) -> str:
    for cue in cues:
        if cue.start <= t < cue.end:
            return cue.shape
    return "X"


def fitted(mouth: Image.Image, box: Box) -> tuple[Image.Image, int, int]:
    x, y, w, h = box
    scale = min(w / mouth.width, h / mouth.height)
    size = (max(1, round(mouth.width * scale)), max(1, round(mouth.height * scale)))
    scaled = mouth.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA")
    return scaled, x + (w - size[0]) // 2, y + (h - size[1]) // 2


def composite(picture: np.ndarray, mouth: Image.Image, box: Box) -> np.ndarray:
    """``picture`` (RGB) with the mouth fitted into ``box`` and alpha-composited, cut at the edges."""
    canvas = Image.fromarray(picture).convert("RGBA")
    scaled, x, y = fitted(mouth, box)
    layer = Image.new("RGBA", (canvas.width + 2 * scaled.width, canvas.height + 2 * scaled.height), (0, 0, 0, 0))
    layer.paste(scaled, (x + scaled.width, y + scaled.height))
    layer = layer.crop((scaled.width, scaled.height, scaled.width + canvas.width, scaled.height + canvas.height))
    return np.asarray(Image.alpha_composite(canvas, layer).convert("RGB"))


def box_slices(box: Box, shape: tuple[int, ...], margin: int = 0) -> tuple[slice, slice]:
    x, y, w, h = box
    return (slice(max(0, y - margin), min(shape[0], y + h + margin)),
            slice(max(0, x - margin), min(shape[1], x + w + margin)))


@dataclass
class Decoded:
    frames: list[np.ndarray]  # RGB
    fps: Fraction
    video_seconds: float
    audio: np.ndarray  # mono float32
    audio_rate: int
    audio_streams: int
    video_codec: str
    pix_fmt: str


def decode(path: Path) -> Decoded:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        fps = video.average_rate
        codec, pix_fmt = video.codec_context.name, video.codec_context.pix_fmt
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video)]
        seconds = float(video.duration * video.time_base)
    with av.open(str(path)) as container:
        streams = len(container.streams.audio)
        chunks = [f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)]
        rate = container.streams.audio[0].rate
    return Decoded(frames, Fraction(fps), seconds, np.concatenate(chunks).astype(np.float32), rate, streams,
                   codec, pix_fmt)


def clip_pictures(path: Path) -> tuple[list[np.ndarray], Fraction]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [f.to_ndarray(format="rgb24") for f in container.decode(stream)], Fraction(stream.average_rate)


def lag_ms(reference: np.ndarray, rate: int, heard: np.ndarray) -> float:
    """How late ``heard`` is against ``reference`` (same rate), to a fraction of a sample."""
    n = 1 << int(np.ceil(np.log2(len(reference) + len(heard))))
    spectrum = np.fft.rfft(heard, n) * np.conj(np.fft.rfft(reference, n))
    corr = np.fft.irfft(spectrum, n)
    corr = np.concatenate([corr[-len(reference):], corr[:len(heard)]])
    k = int(np.argmax(corr))
    a, b, c = corr[k - 1], corr[k], corr[k + 1]
    offset = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return (k - len(reference) + offset) / rate * 1000


def mean_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())
