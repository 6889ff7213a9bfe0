"""BlazeFace (MediaPipe's short-range face detector) with a tiled search for small faces.

The model sees 128x128 squares and finds faces that fill roughly a sixth or more of its input; a
face under ~100 px in a 720p frame is invisible to one whole-frame pass (MediaPipe's own
detectors miss them), so the frame is also searched in overlapping tiles, coarse to fine, stopping
at the first scale that finds a face. Scores are filtered here: the model's own threshold lets
through ~0.5 false boxes on objects (a rocket).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from skill.local.facecheck import runtime
from skill.local.facecheck.geometry import Pyramid, Roi

SIZE = 128
MIN_SCORE = 0.75
_NMS_IOU = 0.3
_SMALLEST_TILE = 200  # px of frame: a face below ~35 px is beyond any use for lip-sync anyway


@dataclass(frozen=True)
class Detection:
    score: float
    box: tuple[float, float, float, float]  # x, y, w, h in frame pixels
    keypoints: np.ndarray  # 6 x 2: right eye, left eye, nose, mouth, right ear, left ear (subject's)

    def roi(self) -> Roi:
        """The landmark model's crop: the box 1.5x, square, turned so the eyes are level."""
        x, y, w, h = self.box
        (rx, ry), (lx, ly) = self.keypoints[0], self.keypoints[1]
        return Roi(x + w / 2, y + h / 2, max(w, h) * 1.5, math.atan2(ly - ry, lx - rx))


@cache
def _anchors() -> np.ndarray:
    """896 anchor centres (x, y) in 0..1: 16x16 cells x 2 anchors, then 8x8 cells x 6."""
    rows = []
    for grid, per_cell in ((16, 2), (8, 6)):
        centres = (np.arange(grid) + 0.5) / grid
        for cy in centres:
            for cx in centres:
                rows.extend([(cx, cy)] * per_cell)
    return np.asarray(rows, np.float64)


def _decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, roi: Roi) -> list[Detection]:
    scores = 1 / (1 + np.exp(-np.clip(raw_scores.reshape(-1).astype(np.float64), -60, 60)))
    keep = np.nonzero(scores >= MIN_SCORE)[0]
    if keep.size == 0:
        return []
    anchors = _anchors()[keep]
    raw = raw_boxes.reshape(-1, 16)[keep] / SIZE
    centre = raw[:, 0:2] + anchors
    half = raw[:, 2:4] / 2
    points = np.concatenate([centre - half, centre + half, raw[:, 4:16].reshape(-1, 6, 2).reshape(-1, 12)
                             + np.tile(anchors, 6)], axis=1).reshape(-1, 8, 2) * SIZE
    found = []
    for score, pts in zip(scores[keep], points):
        frame = roi.to_frame(pts, SIZE)
        (x0, y0), (x1, y1) = frame[0], frame[1]
        found.append(Detection(float(score), (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)), frame[2:]))
    return found


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _nms(found: list[Detection]) -> list[Detection]:
    kept: list[Detection] = []
    for det in sorted(found, key=lambda d: -d.score):
        if all(_iou(det.box, k.box) < _NMS_IOU for k in kept):
            kept.append(det)
    return kept


def _tiles(width: int, height: int) -> list[list[Roi]]:
    """Scales coarse to fine: the whole frame, then squares half and a quarter of its long side."""
    long_side = max(width, height)
    scales = [[Roi(width / 2, height / 2, float(long_side))]]
    side = long_side / 2
    while side >= _SMALLEST_TILE:
        step = side / 2
        xs = np.arange(0, max(width - side, 0) + step, step) + side / 2
        ys = np.arange(0, max(height - side, 0) + step, step) + side / 2
        scales.append([Roi(float(min(x, width - side / 2) if width > side else width / 2),
                           float(min(y, height - side / 2) if height > side else height / 2), side)
                       for y in ys for x in xs])
        side /= 2
    return scales


def find_faces(frame: Pyramid, deep: bool = True) -> list[Detection]:
    """Faces in the frame, best first; ``deep=False`` stops after the whole-frame pass."""
    model = runtime.detector()
    for tiles in _tiles(frame.width, frame.height)[: None if deep else 1]:
        found: list[Detection] = []
        for roi in tiles:
            crop = frame.crop(roi, SIZE) * 2.0 - 1.0
            boxes, scores = model.run(crop[None])
            found.extend(d for d in _decode(boxes, scores, roi) if d.box[2] >= roi.side * 0.08)
        if found:
            return _nms(found)
    return []
