"""Scoring for ``bench_fit``, independent of the engine: an energy-gate phrase detector (1 ms RMS
above -50 dBFS, gaps under 0.25 s bridged, blips under 0.1 s dropped; the rule that defines the
cases' true boundaries, not WebRTC's VAD nor the engine's envelope refinement), an autocorrelation
pitch tracker, and click / clipping counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.fit_cases import gate


def detect(x: np.ndarray, rate: int) -> list[tuple[float, float]]:
    on = gate(x, rate)
    edges = np.diff(np.concatenate(([0], on.astype(np.int8), [0])))
    runs = [(s / 1000, e / 1000) for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))]
    merged: list[tuple[float, float]] = []
    for s, e in runs:
        if merged and s - merged[-1][1] < 0.25:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return [(s, e) for s, e in merged if e - s >= 0.1]


def f0(x: np.ndarray, rate: int) -> float | None:
    """Median pitch (Hz) of the voiced 40 ms frames: normalised autocorrelation peak ≥ 0.6 in 70–400 Hz."""
    import soxr

    x, rate = soxr.resample(x, rate, 16_000), 16_000  # plenty for 70-400 Hz, 3x fewer lags
    n = int(0.04 * rate)
    lo, hi = int(rate / 400), int(rate / 70)
    values = []
    level = np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12
    for start in range(0, len(x) - n - hi, n // 2):
        f = x[start: start + n + hi].astype(np.float64)
        head = f[:n]
        if np.sqrt(np.mean(head**2)) < 0.5 * level:
            continue
        ac = np.array([np.dot(head, f[k: k + n]) for k in range(lo, hi)])
        energy = np.sqrt(np.dot(head, head) * np.array([np.dot(f[k: k + n], f[k: k + n]) for k in range(lo, hi)]))
        r = ac / (energy + 1e-12)
        k = int(np.argmax(r))
        if r[k] < 0.6 or k == 0 or k == len(r) - 1:
            continue
        y0, y1, y2 = r[k - 1], r[k], r[k + 1]
        shift = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2) if y0 - 2 * y1 + y2 else 0.0
        values.append(rate / (lo + k + shift))
    return float(np.median(values)) if len(values) >= 3 else None


@dataclass
class Score:
    onset_ms: list[float]
    offset_ms: list[float]
    iou: float
    cents: list[float]
    clipped: int
    clicks: int


def _nearest(points: list[float], target: float, cap: float = 0.5) -> float:
    return min([abs(p - target) for p in points] + [cap]) * 1000


def score(out: np.ndarray, rate: int, groups: list[tuple[float, float]], original_phrases: list[tuple[float, float]],
          dub: np.ndarray, dub_rate: int, dub_groups: list[tuple[float, float]]) -> Score:
    found = detect(out, rate)
    starts, ends = [s for s, _ in found], [e for _, e in found]
    onset = [_nearest(starts, g[0]) for g in groups]
    offset = [_nearest(ends, g[1]) for g in groups]
    frames = int(len(out) / rate * 100)
    truth = np.zeros(frames, bool)
    ours = np.zeros(frames, bool)
    for s, e in original_phrases:
        truth[int(s * 100): int(e * 100)] = True
    for s, e in found:
        ours[int(s * 100): int(e * 100)] = True
    iou = float((truth & ours).sum() / max((truth | ours).sum(), 1))
    cents = []
    for (o0, o1), (d0, d1) in zip(groups, dub_groups):
        # the dub phrase's pitch before, against the output where the original phrase is
        before = f0(dub[int(d0 * dub_rate): int(d1 * dub_rate)], dub_rate)
        after = f0(out[int(o0 * rate): int(o1 * rate)], rate)
        if before and after:
            cents.append(1200 * float(np.log2(after / before)))
    step = np.abs(np.diff(dub)).max()
    clicks = int((np.abs(np.diff(out)) > 1.5 * step).sum())
    return Score(onset, offset, iou, cents, int((np.abs(out) >= 0.999).sum()), clicks)
