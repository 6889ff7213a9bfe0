"""Mouth–speech sync: the lag that best lines the mouth's opening up with the speech's loudness.

Both series are per video frame (loudness of frame k = the sound heard while frame k is shown),
over the speech only, with their slow trends removed (a head that slowly nods, a voice that
slowly fades) so the syllable rhythm is what is matched. The lag with the highest correlation,
refined to a fraction of a frame by a parabola through its neighbours, is the offset: positive
means the sound comes after the mouth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_LAG_SECONDS = 0.5
_MIN_PAIRS_SECONDS = 1.5
_FULL_CONFIDENCE_SECONDS = 6.0


@dataclass(frozen=True)
class Sync:
    offset_frames: float
    offset_ms: float
    confidence: float  # 0..1


def _detrend(x: np.ndarray, valid: np.ndarray, width: int) -> np.ndarray:
    """x minus its moving average over ``width`` frames (valid frames only)."""
    filled = np.where(valid, x, 0.0)
    kernel = np.ones(width)
    total = np.convolve(filled, kernel, "same")
    count = np.convolve(valid.astype(float), kernel, "same")
    return np.where(valid, x - total / np.maximum(count, 1), 0.0)


def _correlation(m: np.ndarray, e: np.ndarray, valid_m: np.ndarray, valid_e: np.ndarray, lag: int) -> tuple[float, int]:
    """Pearson r between m[k] and e[k + lag] over frames valid in both; and how many there were."""
    n = len(m)
    if lag >= 0:
        a, b, va, vb = m[: n - lag], e[lag:], valid_m[: n - lag], valid_e[lag:]
    else:
        a, b, va, vb = m[-lag:], e[: n + lag], valid_m[-lag:], valid_e[: n + lag]
    both = va & vb
    count = int(both.sum())
    if count < 3:
        return 0.0, count
    x, y = a[both] - a[both].mean(), b[both] - b[both].mean()
    denom = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return (float((x * y).sum()) / denom if denom > 0 else 0.0), count


def measure(opening: np.ndarray, loudness_db: np.ndarray, speech: np.ndarray, fps: float) -> Sync | None:
    """``opening`` (NaN where no mouth was seen), ``loudness_db`` and ``speech`` (bool) per frame."""
    mouth = ~np.isnan(opening)
    valid = mouth & speech
    if valid.sum() < _MIN_PAIRS_SECONDS * fps:
        return None
    width = max(3, round(fps))  # one second
    m = _detrend(np.nan_to_num(opening), mouth, width)
    e = _detrend(np.maximum(loudness_db, np.percentile(loudness_db[speech], 5)), speech, width)
    max_lag = max(2, round(MAX_LAG_SECONDS * fps))
    lags = np.arange(-max_lag, max_lag + 1)
    scores, counts = zip(*(_correlation(m, e, valid, speech, int(lag)) for lag in lags))
    r = np.asarray(scores)
    best = int(np.argmax(r))
    offset = float(lags[best])
    if 0 < best < len(r) - 1:
        left, mid, right = r[best - 1], r[best], r[best + 1]
        curve = left - 2 * mid + right
        if curve < 0:
            offset += float(np.clip(0.5 * (left - right) / curve, -0.5, 0.5))
    # Confidence: how far the peak stands above the correlation elsewhere, times how much speech
    # with a visible mouth there was to judge from.
    far = np.abs(lags - lags[best]) > 2
    rest = float(np.median(np.abs(r[far]))) if far.any() else 0.0
    peak = float(r[best])
    clarity = max(0.0, peak - rest) / max(1e-6, 1 - rest)
    amount = min(1.0, counts[best] / (_FULL_CONFIDENCE_SECONDS * fps))
    confidence = round(float(np.clip(clarity * (0.5 + 0.5 * amount), 0.0, 1.0)), 2)
    return Sync(round(offset, 2), round(offset * 1000 / fps, 1), confidence)
