"""Rotated square crops resampled to a model's input, without OpenCV.

A crop is a square of ``side`` pixels centred on ``(cx, cy)`` and turned by ``angle`` radians.
Sampling is bilinear from the crop's own pixels box-filtered by a power of two close to the
output scale, so a large face shrunk to 192 px is not aliased and the rest of the frame costs
nothing; outside the frame reads as black, as in MediaPipe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Roi:
    cx: float
    cy: float
    side: float
    angle: float = 0.0

    def to_frame(self, points: np.ndarray, size: int) -> np.ndarray:
        """Model-input pixel coordinates (x, y[, z]) of a ``size``-px crop back to frame pixels."""
        scale = self.side / size
        u = (points[:, 0] - size / 2) * scale
        v = (points[:, 1] - size / 2) * scale
        c, s = math.cos(self.angle), math.sin(self.angle)
        out = points.astype(np.float64).copy()
        out[:, 0] = self.cx + u * c - v * s
        out[:, 1] = self.cy + u * s + v * c
        if points.shape[1] > 2:
            out[:, 2] = points[:, 2] * scale
        return out


class Pyramid:
    """An RGB frame, cropped and resampled on demand: only the pixels under a crop are filtered."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        self.height, self.width = int(rgb.shape[0]), int(rgb.shape[1])

    def region(self, x0: int, y0: int, x1: int, y1: int, k: int) -> np.ndarray:
        """Pixels [y0:y1, x0:x1] as RGB uint8, box-filtered by ``k`` (a power of two)."""
        sub = self.rgb[y0:y1, x0:x1]
        for _ in range(k.bit_length() - 1):
            sub = _halve(sub)
        return sub

    def crop(self, roi: Roi, size: int, smooth: bool = True) -> np.ndarray:
        """``size`` x ``size`` x 3 float32 in 0..1; ``smooth=False``: nearest pixel of the
        box-filtered crop instead of bilinear (a quarter of the cost, for frame-to-frame tracking)."""
        factor = roi.side / size
        k = 1 << max(0, math.floor(math.log2(factor))) if factor >= 2 else 1
        reach = roi.side * 0.7072 + 2 * k  # the turned square's half-diagonal, and a margin
        # even corners and sizes that are multiples of 2k keep the 4:2:0 chroma and the box filter aligned
        grain = 2 * k
        x0 = max(0, math.floor((roi.cx - reach) / grain) * grain)
        y0 = max(0, math.floor((roi.cy - reach) / grain) * grain)
        x1 = min(self.width // grain * grain, math.ceil((roi.cx + reach) / grain) * grain)
        y1 = min(self.height // grain * grain, math.ceil((roi.cy + reach) / grain) * grain)
        if x1 - x0 < grain or y1 - y0 < grain:
            return np.zeros((size, size, 3), np.float32)
        sub = self.region(x0, y0, x1, y1, k)
        step = roi.side / size
        grid = (np.arange(size, dtype=np.float32) + 0.5) * step - roi.side / 2
        c, s = math.cos(roi.angle), math.sin(roi.angle)
        u, v = np.meshgrid(grid, grid)
        x = (roi.cx + u * c - v * s - x0) / k - 0.5
        y = (roi.cy + u * s + v * c - y0) / k - 0.5
        return _bilinear(sub, x, y) if smooth else _nearest(sub, x, y)


class YuvFrame(Pyramid):
    """A decoded 4:2:0 picture used in place: only the crop's pixels are converted to RGB (the
    whole-frame RGB conversion cost more than the landmark model). BT.601/709 limited range by
    the stream's own flag is close enough for landmarks; light is measured on full RGB frames."""

    def __init__(self, planes: np.ndarray, width: int, height: int, bt709: bool) -> None:
        self.planes = planes  # (height * 3 / 2) x width, as PyAV's to_ndarray gives yuv420p
        self.width, self.height = width, height
        self.matrix = (1.793, 0.213, 0.533, 2.112) if bt709 else (1.596, 0.392, 0.813, 2.017)

    def region(self, x0: int, y0: int, x1: int, y1: int, k: int) -> np.ndarray:
        h, w = self.height, self.width
        y = self.planes[:h, :w][y0:y1, x0:x1]
        chroma = self.planes[h:].reshape(2, h // 2, w // 2)
        u = chroma[0, y0 // 2: y1 // 2, x0 // 2: x1 // 2]
        v = chroma[1, y0 // 2: y1 // 2, x0 // 2: x1 // 2]
        for _ in range(k.bit_length() - 1):
            y = _halve(y[..., None])[..., 0]
        if k == 1:
            u, v = u.repeat(2, 0).repeat(2, 1), v.repeat(2, 0).repeat(2, 1)
        for _ in range(max(0, k.bit_length() - 2)):
            u, v = _halve(u[..., None])[..., 0], _halve(v[..., None])[..., 0]
        yy = (y.astype(np.float32) - 16) * 1.164
        uu, vv = u.astype(np.float32) - 128, v.astype(np.float32) - 128
        rv, gu, gv, bu = self.matrix
        rgb = np.stack([yy + rv * vv, yy - gu * uu - gv * vv, yy + bu * uu], axis=-1)
        return np.clip(rgb, 0, 255).astype(np.uint8)


def _halve(img: np.ndarray) -> np.ndarray:
    h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
    q = img[:h, :w].astype(np.uint16)
    return ((q[0::2, 0::2] + q[1::2, 0::2] + q[0::2, 1::2] + q[1::2, 1::2] + 2) >> 2).astype(np.uint8)


def _bilinear(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample ``img`` (uint8 H x W x 3) at float pixel coordinates; black outside."""
    h, w = img.shape[:2]
    padded = np.zeros((h + 2, w + 2, img.shape[2]), np.uint8)  # a black border: outside reads black
    padded[1:-1, 1:-1] = img
    xs = np.clip(x + 1.0, 0.0, w + 0.999)
    ys = np.clip(y + 1.0, 0.0, h + 0.999)
    xi, yi = xs.astype(np.int32), ys.astype(np.int32)
    fx = (xs - xi)[..., None]
    fy = (ys - yi)[..., None]
    flat = padded.reshape(-1, img.shape[2])
    idx = yi * (w + 2) + xi

    def at(offset: int) -> np.ndarray:  # np.take is several times faster than fancy indexing here
        return np.take(flat, idx + offset, axis=0)

    top = at(0) * (1 - fx) + at(1) * fx
    bottom = at(w + 2) * (1 - fx) + at(w + 3) * fx
    return ((top * (1 - fy) + bottom * fy) * (1 / 255.0)).astype(np.float32)


def _nearest(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    padded = np.zeros((h + 2, w + 2, img.shape[2]), np.uint8)
    padded[1:-1, 1:-1] = img
    xi = np.clip(x + 1.5, 0, w + 1).astype(np.int32)
    yi = np.clip(y + 1.5, 0, h + 1).astype(np.int32)
    picked = np.take(padded.reshape(-1, img.shape[2]), yi * (w + 2) + xi, axis=0)
    return picked.astype(np.float32) * np.float32(1 / 255.0)
