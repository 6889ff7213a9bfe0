"""From anchor measurements to a clock model: robust line fits, the confidence gate, and
piecewise segments for drift that is not linear (an edit or a dropped chunk in one recording)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from skill.local.align.correlate import STRONG_PSR, Anchors

_MIN_INLIER_BAND = 0.002  # seconds: a residual this small is never an outlier
_MAX_RMS = 0.001  # seconds: a real match of the same recording fits far tighter than this
_JUMP = 0.002  # seconds: offsets further apart than this belong to different segments


@dataclass(frozen=True)
class Segment:
    """``t_ref = k·t_new + b`` for new-audio times in [start, end)."""

    start: float
    end: float
    k: float
    b: float
    anchors: int
    rms: float

    def lead(self, t: float) -> float:
        """How far the new audio, laid at time ``t`` under the picture, plays ahead of it (s)."""
        return (self.k - 1.0) * t + self.b


@dataclass(frozen=True)
class Fit:
    segments: list[Segment]
    strong_share: float  # usable windows whose peak stood out (PSR ≥ 6)
    inlier_share: float  # strong windows that agree with the model
    rms: float  # seconds, over inliers

    @property
    def confidence(self) -> float:
        return round(self.strong_share * self.inlier_share * float(np.exp(-self.rms / _MAX_RMS)), 3)


def theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Median of pairwise slopes, then the median intercept: robust to a third of bad anchors."""
    i, j = np.triu_indices(len(x), 1)
    dx = x[j] - x[i]
    keep = dx > 0
    slope = float(np.median((y[j] - y[i])[keep] / dx[keep])) if keep.any() else 1.0
    return slope, float(np.median(y - slope * x))


def robust_line(x: np.ndarray, y: np.ndarray, slope: float | None = None) -> tuple[float, float, np.ndarray, float]:
    """(k, b, inlier mask, rms): Theil–Sen start, then least squares on the inliers.

    With ``slope`` given only the intercept is fitted (segments too short to see drift).
    """
    k, b = (slope, float(np.median(y - slope * x))) if slope is not None else theil_sen(x, y)
    residual = y - (k * x + b)
    mad = float(np.median(np.abs(residual - np.median(residual))))
    inliers = np.abs(residual) < max(3 * 1.4826 * mad, _MIN_INLIER_BAND)
    if slope is None and inliers.sum() >= 3 and np.ptp(x[inliers]) > 0:
        k, b = (float(v) for v in np.polyfit(x[inliers], y[inliers], 1))
    elif inliers.any():
        b = float(np.mean(y[inliers] - k * x[inliers]))
    residual = y - (k * x + b)
    rms = float(np.sqrt(np.mean(np.square(residual[inliers])))) if inliers.any() else float("inf")
    return k, b, inliers, rms


def _shares(anchors: Anchors) -> tuple[np.ndarray, float]:
    usable = anchors.psr > 0
    strong = anchors.psr >= STRONG_PSR
    return strong, float(strong.sum() / usable.sum()) if usable.any() else 0.0


def fit_linear(anchors: Anchors, duration: float, max_rms: float = _MAX_RMS) -> Fit | None:
    """One line over the whole track, or None when the anchors do not support one.

    A first pass measured with a nominal slope may be smeared by the true drift: it passes a
    looser ``max_rms`` and only seeds the second pass."""
    strong, strong_share = _shares(anchors)
    if strong.sum() < 3 or strong_share < 0.5:
        return None
    k, b, inliers, rms = robust_line(anchors.t_new[strong], anchors.t_ref[strong])
    inlier_share = float(inliers.mean())
    if inlier_share < 0.8 or rms > max_rms:
        return None
    return Fit([Segment(0.0, duration, k, b, int(inliers.sum()), rms)], strong_share, inlier_share, rms)


Splitter = Callable[[float, float, Segment, Segment], float]


def fit_piecewise(anchors: Anchors, window: float, duration: float, k: float,
                  quiet: list[tuple[float, float]], splitter: Splitter | None = None) -> Fit | None:
    """Lines for the stretches between offset jumps, split where the jump hides (a pause).

    ``splitter(after, before, left, right)`` picks the split time between two runs of anchors;
    the default takes the longest pause in between.
    """
    strong, strong_share = _shares(anchors)
    if strong.sum() < 4 or strong_share < 0.5:
        return None
    t_new, t_ref = anchors.t_new[strong], anchors.t_ref[strong]
    offsets = t_ref - k * t_new
    runs: list[list[int]] = [[0]]
    for i in range(1, len(t_new)):
        recent = offsets[runs[-1][-3:]]
        if abs(offsets[i] - np.median(recent)) > _JUMP:
            runs.append([i])
        else:
            runs[-1].append(i)
    runs = [run for run in runs if len(run) >= 2]  # a lone anchor straddles a cut: not evidence
    runs = _merge_equal_neighbours(runs, offsets)
    if len(runs) < 2 or sum(map(len, runs)) < 0.6 * len(t_new):
        return None
    lines = []
    for run in runs:
        seg_k, seg_b, inliers, rms = robust_line(t_new[run], t_ref[run], None if len(run) >= 4 else k)
        if rms > _MAX_RMS:
            return None
        lines.append(Segment(float(t_new[run[0]]), float(t_new[run[-1]]), seg_k, seg_b, int(inliers.sum()), rms))
    choose = splitter or (lambda after, before, _left, _right: split_at_longest_pause(after, before, quiet))
    bounds = [0.0]
    for (left_run, right_run), (left, right) in zip(pairwise(runs), pairwise(lines)):
        bounds.append(choose(float(t_new[left_run[-1]]), float(t_new[right_run[0]]) + window, left, right))
    bounds.append(duration)
    segments = [replace(line, start=start, end=end) for line, start, end in zip(lines, bounds, bounds[1:])]
    used = sum(s.anchors for s in segments)
    rms = float(np.sqrt(np.mean([s.rms**2 for s in segments])))
    return Fit(segments, strong_share, used / len(t_new), rms)


def _merge_equal_neighbours(runs: list[list[int]], offsets: np.ndarray) -> list[list[int]]:
    merged: list[list[int]] = []
    for run in runs:
        if merged and abs(np.median(offsets[run]) - np.median(offsets[merged[-1]])) <= _JUMP:
            merged[-1].extend(run)
        else:
            merged.append(list(run))
    return merged


def split_at_longest_pause(after: float, before: float, quiet: list[tuple[float, float]]) -> float:
    """Middle of the longest pause between two runs, else the middle of the gap."""
    inside = [(min(e, before) - max(s, after), (max(s, after) + min(e, before)) / 2)
              for s, e in quiet if e > after and s < before]
    inside = [p for p in inside if p[0] > 0]
    return max(inside)[1] if inside else (after + before) / 2
