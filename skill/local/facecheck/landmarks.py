"""Face Mesh (MediaPipe's 468-point face landmark model) on a crop, and tracking from frame to frame.

As in MediaPipe's own graph, a face found once is followed by cropping each next frame around the
previous frame's landmarks; the model's face-presence score says when the track is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skill.local.facecheck import runtime
from skill.local.facecheck.geometry import Pyramid, Roi

SIZE = 192
MIN_PRESENCE = 0.5

# Landmark indices of the canonical Face Mesh topology.
FOREHEAD, CHIN = 10, 152
NOSE_TIP = 1
CHEEK_RIGHT, CHEEK_LEFT = 234, 454  # subject's right cheek is on the image's left
EYE_RIGHT_OUTER, EYE_LEFT_OUTER = 33, 263
LIP_UPPER_INNER, LIP_LOWER_INNER = 13, 14
MOUTH_CORNER_RIGHT, MOUTH_CORNER_LEFT = 61, 291
LIP_UPPER_OUTER, LIP_LOWER_OUTER = 0, 17
MOUTH = (0, 17, 13, 14, 61, 291, 78, 308, 81, 311, 178, 402)
# The face oval, for the skin and background samples.
OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
        148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)


@dataclass(frozen=True)
class Face:
    points: np.ndarray  # 468 x 3, frame pixels (z in the same scale, + away from the camera)
    presence: float
    roi: Roi

    @property
    def height_px(self) -> float:
        """Forehead-to-chin, along the face's own vertical axis."""
        return float(np.hypot(*(self.points[CHIN, :2] - self.points[FOREHEAD, :2])))

    def next_roi(self) -> Roi:
        """The crop for the next frame: the landmarks' box in the face's own axes, 1.5x, square."""
        right, left = self.points[EYE_RIGHT_OUTER], self.points[EYE_LEFT_OUTER]
        angle = math.atan2(left[1] - right[1], left[0] - right[0])
        c, s = math.cos(angle), math.sin(angle)
        xy = self.points[:, :2]
        u = xy[:, 0] * c + xy[:, 1] * s
        v = -xy[:, 0] * s + xy[:, 1] * c
        cu, cv = (u.min() + u.max()) / 2, (v.min() + v.max()) / 2
        side = max(u.max() - u.min(), v.max() - v.min()) * 1.5
        return Roi(cu * c - cv * s, cu * s + cv * c, float(side), angle)


def landmarks(frame: Pyramid, roi: Roi, smooth: bool = True) -> Face | None:
    """The face in ``roi``, or None when the model says there is none there."""
    crop = frame.crop(roi, SIZE, smooth)
    raw, flag = runtime.landmarker().run(crop[None])
    presence = float(1 / (1 + math.exp(-float(np.clip(flag.reshape(-1)[0], -60, 60)))))
    if presence < MIN_PRESENCE:
        return None
    return Face(roi.to_frame(raw.reshape(-1, 3), SIZE), presence, roi)
