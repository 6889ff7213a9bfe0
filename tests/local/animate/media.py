"""Test media made at test time: characters (still with alpha, odd-sized WebP, clip with its own
sound), dialogue with broadband bursts (so a lag shows in a cross-correlation), and mouth folders
in both naming schemes. Everything small: a few hundred KB at most, in tmp."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from skill.local.animate.shapes import PRESTON_BLAIR, SHAPES

RATE = 48_000
_COLOURS = [(220, 40, 40), (40, 160, 60), (40, 70, 220), (230, 200, 30), (160, 40, 200), (30, 200, 210),
            (240, 130, 20), (120, 80, 40), (20, 20, 20)]


def character_png(path: Path, size: tuple[int, int] = (320, 240)) -> Path:
    """A face on a transparent canvas, with texture everywhere so misplaced pixels show."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., 0] = (xx * 255 // max(1, w - 1)).astype(np.uint8)
    rgba[..., 1] = (yy * 255 // max(1, h - 1)).astype(np.uint8)
    rgba[..., 2] = 128
    inside = ((xx - w / 2) / (w * 0.42)) ** 2 + ((yy - h / 2) / (h * 0.46)) ** 2 <= 1
    rgba[..., 3] = np.where(inside, 255, 0)
    image = Image.fromarray(rgba, "RGBA")
    draw = ImageDraw.Draw(image)
    draw.ellipse((w * 0.3, h * 0.3, w * 0.4, h * 0.4), fill=(255, 255, 255, 255), outline=(0, 0, 0, 255))
    draw.ellipse((w * 0.6, h * 0.3, w * 0.7, h * 0.4), fill=(255, 255, 255, 255), outline=(0, 0, 0, 255))
    image.save(path)
    return path


def character_rgb(path: Path) -> np.ndarray:
    """What the character looks like in the video: transparency over white, RGB."""
    with Image.open(path) as image:
        rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))


def clip(path: Path, seconds: float = 1.0, fps: int = 25, size: tuple[int, int] = (320, 240)) -> Path:
    """A moving picture (a bar sweeping across a gradient) with a loud tone of its own."""
    w, h = size
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps, options={"crf": "12", "preset": "veryfast"})
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        audio = out.add_stream("aac", rate=RATE, layout="mono")
        frames = round(seconds * fps)
        yy, xx = np.mgrid[0:h, 0:w]
        for i in range(frames):
            rgb = np.zeros((h, w, 3), np.uint8)
            rgb[..., 0] = ((xx + 7 * i) % 256).astype(np.uint8)
            rgb[..., 1] = (yy * 255 // (h - 1)).astype(np.uint8)
            rgb[..., 2] = 90
            x0 = (i * w) // frames
            rgb[:, x0:x0 + 12] = (250, 250, 250)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        t = np.arange(round(seconds * RATE)) / RATE
        tone = (0.8 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="fltp", layout="mono")
        frame.sample_rate, frame.pts = RATE, 0
        out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    return path


def dialogue(path: Path, seconds: float, seed: int = 1, rate: int = RATE, channels: int = 1) -> np.ndarray:
    """Bursts of band-limited noise at random places (WAV, 16-bit); returns the mono samples written."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    signal = np.zeros(n, np.float32)
    for _ in range(max(3, int(seconds * 4))):
        start = int(rng.integers(0, max(1, n - rate // 10)))
        length = int(rng.integers(rate // 50, rate // 10))
        burst = rng.standard_normal(length).astype(np.float32)
        burst = np.convolve(burst, np.ones(4, np.float32) / 4, mode="same")  # keep below AAC's cut-off
        signal[start:start + length] += 0.4 * burst * np.hanning(length).astype(np.float32)
    signal = np.clip(signal, -1, 1)
    pcm = (signal * 32767).astype(np.int16)
    layout = "mono" if channels == 1 else "stereo"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=rate, layout=layout)
        data = np.repeat(pcm[None, :], channels, axis=0).T.reshape(1, -1) if channels > 1 else pcm[None, :]
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data), format="s16", layout=layout)
        frame.sample_rate, frame.pts = rate, 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return pcm.astype(np.float32) / 32767


def mouth_image(index: int, size: tuple[int, int] = (120, 80)) -> Image.Image:
    """Mouth ``index`` of nine: a different colour and number of bars each, with a transparent margin."""
    w, h = size
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    colour = _COLOURS[index]
    draw.ellipse((10, 10 + index, w - 10, h - 10 - index), fill=(*colour, 255), outline=(0, 0, 0, 255), width=3)
    for bar in range(index + 1):
        x = 18 + bar * (w - 36) // 9
        draw.rectangle((x, h // 2 - 4, x + 4, h // 2 + 4), fill=(255, 255, 255, 255))
    return image


def mouth_folder(folder: Path, preston_blair: bool = False, shapes: str = "ABCDEFGHX", ext: str = ".png") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, shape in enumerate(SHAPES):
        if shape in shapes:
            name = PRESTON_BLAIR[shape] if preston_blair else shape
            image = mouth_image(index)
            (image.convert("RGB") if ext == ".jpg" else image).save(folder / f"{name}{ext}")
    return folder
