"""From matched groups to one time map for the whole track: a stretch factor per group (bounded by
``max_stretch`` both ways, smoothed between close neighbours), a start per group (at the original's
start unless a run-over has to be shared), and the anchors the WSOLA pass follows.

Factors are output/input lengths: 1.2 plays a dub phrase 20 % slower, 0.8 20 % faster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from skill.local.dubfit.activity import Phrase
from skill.local.dubfit.match import Group

MIN_GAP = 0.06  # seconds of air kept between two placed phrases that had to be pushed together
_SMOOTH_GAP = 1.0  # neighbours closer than this are heard as one flow: their factors are pulled together
_SMOOTH_TOL = 0.02  # ... each may end up to 2 % of its slot (at most 25 ms) off the original's end
_SMOOTH_TOL_MAX = 0.025
_MARGIN = 0.03  # dub context kept with each phrase at its factor (breath, a decay under the threshold)
_PAUSE_MAX_SLOW = 4.0  # a pause stretched more than this is muted in its middle instead (WSOLA repeats)
_HOLE_FADE = 0.01
_WARN_MS = 20  # a start or end this far off the original's is reported


@dataclass
class Placement:
    original: tuple[float, float]
    dub: tuple[float, float]
    placed: tuple[float, float] = (0.0, 0.0)
    stretch: float = 1.0
    warning: str | None = None  # a template key under fit/, with ``warning_params``
    warning_params: dict[str, object] = field(default_factory=dict)


@dataclass
class TimeMap:
    """``in_t = interp(out_t, out_points, in_points)``; ``holes`` are output spans played muted."""

    out_points: np.ndarray
    in_points: np.ndarray
    holes: list[tuple[float, float]]
    duration: float  # output seconds


def _bounds(raw: float, limit: float, slot: float, length: float) -> tuple[float, float]:
    """The factors a group may take: within 1/limit..limit, and (when the raw factor itself is
    inside) within the smoothing tolerance of an exact fit."""
    tol = min(_SMOOTH_TOL * slot, _SMOOTH_TOL_MAX) / length
    lo, hi = max(raw - tol, 1 / limit), min(raw + tol, limit)
    if raw < 1 / limit or raw > limit:
        clamped = min(max(raw, 1 / limit), limit)
        return clamped, clamped
    return lo, hi


def _smooth(raw: list[float], bounds: list[tuple[float, float]], close: list[bool]) -> list[float]:
    """Minimise Σ(log f - log raw)² + Σ_close(log f_i - log f_i+1)² inside each box
    (projected Gauss-Seidel: a few sweeps converge for a chain)."""
    logs = [math.log(r) for r in raw]
    lo = [math.log(b[0]) for b in bounds]
    hi = [math.log(b[1]) for b in bounds]
    x = [min(max(v, a), b) for v, a, b in zip(logs, lo, hi)]
    for _ in range(30):
        for i in range(len(x)):
            total, weight = logs[i], 1.0
            if i > 0 and close[i - 1]:
                total, weight = total + x[i - 1], weight + 1
            if i + 1 < len(x) and close[i]:
                total, weight = total + x[i + 1], weight + 1
            x[i] = min(max(total / weight, lo[i]), hi[i])
    return [math.exp(v) for v in x]


def _place(targets: list[float], lengths: list[float], duration: float) -> list[float]:
    """Starts as close as possible (least squares) to the targets with every group followed by
    MIN_GAP before the next, inside 0..duration: with u_i = s_i - (lengths and gaps before i) the
    constraints are u non-decreasing, so this is isotonic regression (pool adjacent violators)."""
    offsets = np.concatenate(([0.0], np.cumsum(np.asarray(lengths[:-1]) + MIN_GAP)))
    values = list(np.asarray(targets) - offsets)
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    u = np.concatenate([np.full(int(c), m) for m, c in blocks])
    high = duration - lengths[-1] - offsets[-1]
    u = np.clip(u, 0.0, max(high, 0.0))
    return list(u + offsets)


def plan(original: list[Phrase], dub: list[Phrase], groups: list[Group], limit: float,
         duration: float) -> tuple[list[Placement], bool]:
    """Placements for every group; the flag says the dub's speech could not fit the whole track
    even at the limit, and was squeezed further."""
    items: list[Placement] = []
    raw: list[float] = []
    for g in groups:
        o = (original[g.o0].start, original[g.o1].end)
        d = (dub[g.d0].start, dub[g.d1].end)
        items.append(Placement(o, d))
        raw.append((o[1] - o[0]) / (d[1] - d[0]))
    lengths_in = [p.dub[1] - p.dub[0] for p in items]
    bounds = [_bounds(r, limit, p.original[1] - p.original[0], length)
              for r, p, length in zip(raw, items, lengths_in)]
    close = [items[i + 1].original[0] - items[i].original[1] < _SMOOTH_GAP for i in range(len(items) - 1)]
    factors = _smooth(raw, bounds, close)
    lengths = [f * n for f, n in zip(factors, lengths_in)]
    needed = sum(lengths) + MIN_GAP * (len(lengths) - 1)
    squeezed = needed > duration
    if squeezed:  # never cut speech: every group shares the extra speed-up
        scale = (duration - MIN_GAP * (len(lengths) - 1)) / sum(lengths)
        factors = [f * scale for f in factors]
        lengths = [n * scale for n in lengths]
    starts = _place([p.original[0] for p in items], lengths, duration)
    for item, r, f, start, length in zip(items, raw, factors, starts, lengths):
        item.placed = (round(float(start), 4), round(float(start + length), 4))
        item.stretch = round(float(f), 4)
        _warn(item, r, limit)
    return items, squeezed


def _warn(item: Placement, raw: float, limit: float) -> None:
    moved_ms = round((item.placed[0] - item.original[0]) * 1000)
    end_ms = round((item.placed[1] - item.original[1]) * 1000)
    if raw < 1 / limit - 1e-9:
        item.warning, item.warning_params = "too_long", {"over_ms": end_ms, "needed": round(1 / raw, 2)}
    elif raw > limit + 1e-9:
        item.warning, item.warning_params = "too_short", {"early_ms": -end_ms, "needed": round(raw, 2)}
    else:
        item.warning_params = {}
    if abs(moved_ms) >= _WARN_MS:
        item.warning = item.warning or "moved"
        item.warning_params["moved_ms"] = moved_ms


def time_map(items: list[Placement], dub_duration: float, duration: float) -> TimeMap:
    """Anchors (output time -> dub time): each group's span (with a little context either side) at
    its factor, the pauses between mapped linearly, or muted in the middle when they would have to
    be slowed more than _PAUSE_MAX_SLOW (the dub's pause is shorter than the original's)."""
    pairs: list[tuple[float, float]] = [(0.0, 0.0)]  # (out, in)
    holes: list[tuple[float, float]] = []
    for k, item in enumerate(items):
        f = item.stretch
        prev_out, prev_in = pairs[-1]
        gap_in = item.dub[0] - prev_in
        gap_out = item.placed[0] - prev_out
        nxt = items[k + 1] if k + 1 < len(items) else None
        after_in = (nxt.dub[0] if nxt else dub_duration) - item.dub[1]
        after_out = (nxt.placed[0] if nxt else duration) - item.placed[1]
        m_before = max(min(_MARGIN, gap_in / 3, gap_out / (3 * f)), 0.0)
        m_after = max(min(_MARGIN, after_in / 3, after_out / (3 * f)), 0.0)
        a_out, a_in = item.placed[0] - m_before * f, item.dub[0] - m_before
        _pause(pairs, holes, a_out, a_in)
        pairs.append((item.placed[1] + m_after * f, item.dub[1] + m_after))
    _pause(pairs, holes, duration, dub_duration)
    out = np.array([p[0] for p in pairs])
    inp = np.array([p[1] for p in pairs])
    return TimeMap(out, inp, holes, duration)


def _pause(pairs: list[tuple[float, float]], holes: list[tuple[float, float]], b_out: float,
           b_in: float) -> None:
    a_out, a_in = pairs[-1]
    span_out, span_in = b_out - a_out, max(b_in - a_in, 0.0)
    if span_out <= 1e-4:
        return
    if span_out > _PAUSE_MAX_SLOW * span_in + 2 * _HOLE_FADE:
        # play each half of the dub's pause at twice its length from its own edge, mute the middle
        half_in = span_in / 2
        edge = min(2 * half_in, span_out / 2)
        pairs.append((a_out + edge, a_in + half_in))
        pairs.append((b_out - edge, a_in + half_in))
        holes.append((a_out + edge - _HOLE_FADE, b_out - edge + _HOLE_FADE))
    pairs.append((b_out, b_in))
