"""Face-check test media: a real face (NASA's public-domain portrait of Eileen Collins, the crop of
``skimage.data.astronaut()`` committed as fixtures/media/astronaut_face.png) whose mouth is opened
by a speech track's loudness, at a known offset; plus no-face pictures (a drawn face, a test
pattern, a landscape). Used by the tests and bench/bench_facecheck.py; nothing here is product.

Ground truth is by construction: frame k shows the mouth opened by the loudness of the speech
heard during frame k, and the written sound is that speech delayed by ``offset_frames`` frames
(positive = the sound comes after the mouth).
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import av
import numpy as np

from tests.local.speechsynth import mux_mono, mux_pictures, speech_like

FACE_PNG = Path(__file__).resolve().parents[3] / "fixtures" / "media" / "astronaut_face.png"
# In the 256x256 crop: the lips meet at y=144, the corners at x=105 and 150, the chin at y=175;
# forehead-to-chin (landmarks 10 to 152) is 107 px.
MOUTH_X, MOUTH_Y, MOUTH_HALF_WIDTH, CHIN_Y, FACE_PX = 127.0, 144.0, 23.0, 175.0, 107.0
RATE = 48_000


@cache
def face() -> np.ndarray:
    with av.open(str(FACE_PNG)) as c:
        return next(c.decode(video=0)).to_ndarray(format="rgb24")


def open_mouth(img: np.ndarray, amount: float) -> np.ndarray:
    """The crop with the jaw dropped by ``amount`` px (0..~14) and the gap filled as a dark mouth."""
    if amount <= 0.05:
        return img
    out = img.astype(np.float32)
    ys, xs = np.mgrid[0: img.shape[0], 0: img.shape[1]].astype(np.float32)
    across = np.clip(1 - ((xs - MOUTH_X) / (MOUTH_HALF_WIDTH * 1.05)) ** 2, 0, 1) ** 1.5
    down = np.clip((CHIN_Y + 18 - ys) / 18, 0, 1) * (ys >= MOUTH_Y)
    shift = amount * across * down
    src_y = ys - shift
    y0 = np.clip(np.floor(src_y).astype(int), 0, img.shape[0] - 2)
    fy = (src_y - y0)[..., None]
    xi = xs.astype(int)
    warped = img[y0, xi] * (1 - fy) + img[y0 + 1, xi] * fy
    region = shift > 0.01
    out[region] = warped[region]
    gap = region & (src_y < MOUTH_Y)  # pulled from above the lips' line: that is the open mouth
    depth = np.clip((MOUTH_Y - src_y) / max(amount, 1e-3), 0, 1)[..., None]
    inside = np.array([70, 25, 30], np.float32) * (1 - 0.5 * depth)
    out[gap] = inside[gap]
    return np.clip(out, 0, 255).astype(np.uint8)


def drawn_face(size: int = 256) -> np.ndarray:
    """A cartoon: flat skin disc, outlined eyes, brows, nose and a smiling mouth, on a flat backdrop."""
    img = np.full((size, size, 3), (90, 160, 220), np.uint8)
    ys, xs = np.mgrid[0:size, 0:size]
    c = size / 2

    def disc(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        return ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1

    img[disc(c, c * 0.55, c * 0.62, c * 0.45)] = (90, 50, 20)  # hair
    img[disc(c, c, c * 0.55, c * 0.68)] = (30, 20, 10)  # outline
    img[disc(c, c, c * 0.52, c * 0.65)] = (250, 205, 170)  # skin
    for side in (-1, 1):
        ex = c + side * c * 0.22
        img[disc(ex, c * 0.85, c * 0.12, c * 0.08)] = (20, 20, 20)
        img[disc(ex, c * 0.85, c * 0.10, c * 0.065)] = (255, 255, 255)
        img[disc(ex, c * 0.86, c * 0.05, c * 0.05)] = (40, 90, 160)
        img[disc(ex, c * 0.86, c * 0.022, c * 0.022)] = (0, 0, 0)
        img[disc(ex, c * 0.68, c * 0.13, c * 0.025)] = (70, 40, 20)  # brow
    img[disc(c, c * 1.08, c * 0.05, c * 0.09)] = (225, 170, 140)  # nose
    mouth = disc(c, c * 1.3, c * 0.2, c * 0.1) & (ys > c * 1.3)
    img[mouth] = (150, 30, 40)
    return img


def test_pattern(width: int, height: int) -> np.ndarray:
    """SMPTE-like colour bars over a grey ramp."""
    bars = np.array([(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
                     (192, 0, 192), (192, 0, 0), (0, 0, 192)], np.uint8)
    img = np.zeros((height, width, 3), np.uint8)
    img[: height * 2 // 3] = bars[(np.arange(width) * 7 // width)][None]
    img[height * 2 // 3:] = (np.arange(width) * 255 // max(width - 1, 1)).astype(np.uint8)[None, :, None]
    return img


def landscape(width: int, height: int) -> np.ndarray:
    """Sky, mountains and a field."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack([110 + 60 * ys / height, 160 + 50 * ys / height, 235 + 0 * ys], -1)
    ridge = height * (0.45 + 0.12 * np.sin(xs / width * 7) + 0.05 * np.sin(xs / width * 23))
    img = np.where((ys > ridge)[..., None], np.stack([90 + 0 * ys, 100 + 0 * ys, 110 + 0 * ys], -1), sky)
    img = np.where((ys > height * 0.72)[..., None], np.stack([70 + 0 * ys, 140 + 20 * np.sin(xs / 9), 60 + 0 * ys], -1),
                   img)
    return np.clip(img, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Scene:
    """Where and how the face is shown. ``face_px`` is forehead-to-chin in the output frame."""

    width: int = 640
    height: int = 480
    face_px: float = 190.0
    centre: tuple[float, float] = (0.5, 0.45)  # of the frame, where the crop's centre goes
    gain: float = 1.0  # the face (and its crop) multiplied: <1 darker
    backdrop: float = 120.0  # grey level around the crop
    backlight: bool = False  # a bright backdrop and a face in its own shadow


def compose(scene: Scene, crop: np.ndarray) -> np.ndarray:
    scale = scene.face_px / FACE_PX
    side = max(2, round(crop.shape[0] * scale))
    idx = np.minimum((np.arange(side) / scale).astype(int), crop.shape[0] - 1)
    small = crop[idx][:, idx].astype(np.float32)
    frame = np.full((scene.height, scene.width, 3), scene.backdrop, np.float32)
    if scene.backlight:
        frame[:] = 250.0
        small *= 0.32
        # the crop's own bright backdrop stays bright: only the person is in shadow
        src = crop[idx][:, idx].astype(np.int16)
        yy, xx = np.mgrid[0:side, 0:side] / scale
        outside_face = ((xx - MOUTH_X) / 60) ** 2 + ((yy - 118) / 75) ** 2 > 1
        sky = (src.max(-1) - src.min(-1) < 28) & (src.mean(-1) > 150) & outside_face
        small[sky] = 250.0
    small *= scene.gain
    frame *= scene.gain if not scene.backlight else 1.0
    cx, cy = round(scene.centre[0] * scene.width - side / 2), round(scene.centre[1] * scene.height - side / 2)
    fx0, fy0 = max(cx, 0), max(cy, 0)
    fx1, fy1 = min(cx + side, scene.width), min(cy + side, scene.height)
    if fx1 > fx0 and fy1 > fy0:
        frame[fy0:fy1, fx0:fx1] = small[fy0 - cy: fy1 - cy, fx0 - cx: fx1 - cx]
    return np.clip(frame, 0, 255).astype(np.uint8)


def speech(seconds: float, seed: int) -> np.ndarray:
    return speech_like(seconds, RATE, seed=seed)


def mouth_track(voice: np.ndarray, fps: float, frames: int, max_open: float = 13.0) -> np.ndarray:
    """Per frame k: the jaw drop (crop px) for the loudness heard during frame k."""
    hop = RATE / fps
    rms = np.array([np.sqrt(np.mean(voice[int(k * hop): int((k + 1) * hop)] ** 2) + 1e-12) for k in range(frames)])
    db = 20 * np.log10(rms + 1e-9)
    level = np.clip((db - (db.max() - 30)) / 30, 0, 1)
    return max_open * level


def shift_audio(voice: np.ndarray, offset_frames: float, fps: float) -> np.ndarray:
    """The voice played ``offset_frames`` later (negative: earlier), same length."""
    n = round(offset_frames / fps * RATE)
    if n >= 0:
        return np.concatenate([np.zeros(n, voice.dtype), voice[: len(voice) - n]])
    return np.concatenate([voice[-n:], np.zeros(-n, voice.dtype)])


def write_clip(path: Path, pictures: list[np.ndarray] | np.ndarray, fps: float, audio: np.ndarray | None,
               crf: int = 23) -> Path:
    """H.264 + AAC in MP4; ``pictures`` one per frame (or one still repeated to the audio's length)."""
    rate = fractions.Fraction(fps).limit_denominator(1001)
    count = len(pictures) if isinstance(pictures, list) else round(len(audio) / RATE * fps) if audio is not None else 50
    first = pictures[0] if isinstance(pictures, list) else pictures
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=rate, options={"crf": str(crf), "preset": "veryfast"})
        video.height, video.width = first.shape[:2]
        video.pix_fmt = "yuv420p"
        sound = out.add_stream("aac", rate=RATE, layout="mono") if audio is not None else None
        mux_pictures(out, video, (pictures[i] if isinstance(pictures, list) else pictures for i in range(count)))
        if sound is not None and audio is not None:
            mux_mono(out, sound, audio, RATE)
    return path


def talking_clip(path: Path, *, fps: float = 25, seconds: float = 6.0, offset_frames: float = 0,
                 scene: Scene | None = None, seed: int = 3, crf: int = 23, voice: np.ndarray | None = None) -> Path:
    """The face saying ``speech_like`` (or ``voice``, at ``RATE``) with its mouth following the sound,
    shifted by ``offset_frames``."""
    if voice is None:
        voice = speech(seconds, seed)
    seconds = len(voice) / RATE
    frames = round(seconds * fps)
    track = mouth_track(voice, fps, frames)
    base = face()
    scene = scene or Scene()
    cache_: dict[int, np.ndarray] = {}
    pictures = []
    for k in range(frames):
        key = round(track[k] * 4)  # quarter-pixel steps: enough, and reused across frames
        if key not in cache_:
            cache_[key] = compose(scene, open_mouth(base, key / 4))
        pictures.append(cache_[key])
    return write_clip(path, pictures, fps, shift_audio(voice, offset_frames, fps), crf=crf)
