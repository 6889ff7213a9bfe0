"""Rotated square crops resampled to a model's input, without OpenCV.

A crop is a square of ``side`` pixels centred on ``(cx, cy)`` and turned by ``angle`` radians.
Sampling is bilinear from a 2x box-filtered pyramid level close to the output scale, so a large
face shrunk to 192 px is not aliased; outside the frame reads as black, as in MediaPipe.
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
    """An RGB frame and its 2x box-filtered reductions, made on first need."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.levels = [rgb]

    @property
    def height(self) -> int:
        return int(self.levels[0].shape[0])

    @property
    def width(self) -> int:
        return int(self.levels[0].shape[1])

    def level(self, n: int) -> np.ndarray:
        while len(self.levels) <= n:
            img = self.levels[-1]
            h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
            if h < 2 or w < 2:
                break
            quad = img[:h, :w].astype(np.uint16)
            half = (quad[0::2, 0::2] + quad[1::2, 0::2] + quad[0::2, 1::2] + quad[1::2, 1::2] + 2) >> 2
            self.levels.append(half.astype(np.uint8))
        return self.levels[min(n, len(self.levels) - 1)]

    def crop(self, roi: Roi, size: int) -> np.ndarray:
        """``size`` x ``size`` x 3 float32 in 0..1."""
        factor = roi.side / size
        n = max(0, math.floor(math.log2(factor))) if factor >= 2 else 0
        img = self.level(n)
        k = self.width / img.shape[1]
        step = roi.side / size
        grid = (np.arange(size, dtype=np.float32) + 0.5) * step - roi.side / 2
        c, s = math.cos(roi.angle), math.sin(roi.angle)
        u, v = np.meshgrid(grid, grid)
        x = (roi.cx + u * c - v * s) / k - 0.5
        y = (roi.cy + u * s + v * c) / k - 0.5
        return _bilinear(img, x, y)


def _bilinear(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    x0 = np.floor(x).astype(np.int32)
    y0 = np.floor(y).astype(np.int32)
    fx = (x - x0)[..., None]
    fy = (y - y0)[..., None]
    flat = img.reshape(-1, img.shape[2]).astype(np.float32)
    out = np.zeros((*x.shape, img.shape[2]), np.float32)
    for dy, dx, weight in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
        xi, yi = x0 + dx, y0 + dy
        inside = ((xi >= 0) & (xi < w) & (yi >= 0) & (yi < h))[..., None]
        idx = np.clip(yi, 0, h - 1) * w + np.clip(xi, 0, w - 1)
        out += np.where(inside, flat[idx], 0.0) * weight
    return out / 255.0
