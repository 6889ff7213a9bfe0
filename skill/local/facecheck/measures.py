"""What one frame's landmarks say: face size, turn, light, mouth, and whether it is a photographed face.

Yaw comes from the mesh's own depth: the cheek turned away lies further from the camera. Light is
the face's skin (inside the landmark oval, at native pixels) against the rest of the frame. A
drawing is told from a photograph by its texture: cartoon skin is flat fills and hard outlines, so
most neighbouring pixels are equal, where a camera's skin always has shading and sensor noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skill.local.facecheck import landmarks as lm
from skill.local.facecheck.landmarks import Face

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class FaceSample:
    height_px: float
    yaw_deg: float
    face_luma: float  # 0..255, mean of the skin inside the oval
    surround_luma: float  # 0..255, the frame around the head (two face widths)
    mouth_visible: bool
    flat_share: float  # share of skin pixels level with their neighbours (drawings: most)
    opening: float  # inner-lip gap / face height


def yaw_degrees(face: Face) -> float:
    """Positive = the face turned towards the viewer's right (its left cheek further away)."""
    right, left = face.points[lm.CHEEK_RIGHT], face.points[lm.CHEEK_LEFT]
    return math.degrees(math.atan2(left[2] - right[2], math.hypot(left[0] - right[0], left[1] - right[1])))


def opening(face: Face) -> float:
    gap = face.points[lm.LIP_LOWER_INNER, :2] - face.points[lm.LIP_UPPER_INNER, :2]
    return float(np.hypot(*gap)) / max(face.height_px, 1.0)


def mouth_visible(face: Face, width: int, height: int) -> bool:
    """Every mouth landmark inside the picture, with a margin of a tenth of the mouth's width."""
    mouth = face.points[list(lm.MOUTH), :2]
    margin = 0.1 * float(np.hypot(*(face.points[lm.MOUTH_CORNER_LEFT, :2] - face.points[lm.MOUTH_CORNER_RIGHT, :2])))
    return bool((mouth[:, 0] >= margin).all() and (mouth[:, 0] <= width - 1 - margin).all()
                and (mouth[:, 1] >= margin).all() and (mouth[:, 1] <= height - 1 - margin).all())


def _oval_mask(face: Face, x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """Pixels of the box (x0, y0, w, h) inside the face oval: per row, between the outline's
    leftmost and rightmost crossings (the oval is convex enough for that)."""
    poly = face.points[list(lm.OVAL), :2]
    a, b = poly, np.roll(poly, -1, axis=0)
    py = np.arange(y0, y0 + h, dtype=np.float64)[:, None] + 0.5
    crosses = (a[None, :, 1] > py) != (b[None, :, 1] > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (b[None, :, 0] - a[None, :, 0]) / (b[None, :, 1] - a[None, :, 1])
        xcross = a[None, :, 0] + (py - a[None, :, 1]) * slope
    left = np.where(crosses, xcross, np.inf).min(axis=1)
    right = np.where(crosses, xcross, -np.inf).max(axis=1)
    px = np.arange(x0, x0 + w, dtype=np.float64)[None, :] + 0.5
    return (px >= left[:, None]) & (px <= right[:, None])


def _flat_share(luma: np.ndarray, mask: np.ndarray) -> float:
    """Share of skin pixels within 1 % of the face's own contrast range of their right and lower
    neighbours. Stretching to that range first keeps a dark or backlit photo (few levels, all
    noisy) apart from a drawing (fills that stay flat however they are stretched)."""
    lo, hi = np.percentile(luma[mask], [2, 98])
    z = (luma - lo) * (255.0 / max(float(hi - lo), 1.0))
    steps = np.maximum(np.abs(np.diff(z, axis=1))[:-1], np.abs(np.diff(z, axis=0))[:, :-1])
    inner = mask[:-1, :-1]
    return float((steps[inner] <= 2.0).mean()) if inner.any() else 0.0


def sample(face: Face, rgb: np.ndarray) -> FaceSample:
    height, width = rgb.shape[:2]
    pts = face.points[:, :2]
    x0, y0 = (int(max(0, math.floor(v))) for v in pts.min(axis=0))
    x1 = int(min(width, math.ceil(pts[:, 0].max()) + 1))
    y1 = int(min(height, math.ceil(pts[:, 1].max()) + 1))
    face_luma, flat = 0.0, 0.0
    if x1 - x0 >= 4 and y1 - y0 >= 4:
        box = rgb[y0:y1, x0:x1]
        mask = _oval_mask(face, x0, y0, x1 - x0, y1 - y0)
        luma = box.astype(np.float32) @ _LUMA
        if mask.any():
            face_luma = float(luma[mask].mean())
            flat = _flat_share(luma, mask)
    face_w = max(x1 - x0, 1)
    sx0, sx1 = max(0, x0 - 2 * face_w), min(width, x1 + 2 * face_w)
    sy0, sy1 = max(0, y0 - face_w), min(height, y1 + face_w)
    around = rgb[sy0:sy1:2, sx0:sx1:2].astype(np.float32) @ _LUMA
    keep = np.ones(around.shape, bool)
    keep[(y0 - sy0) // 2: (y1 - sy0) // 2 + 1, (x0 - sx0) // 2: (x1 - sx0) // 2 + 1] = False
    surround = float(around[keep].mean()) if keep.any() else face_luma
    return FaceSample(face.height_px, yaw_degrees(face), face_luma, surround,
                      mouth_visible(face, width, height), flat, opening(face))
