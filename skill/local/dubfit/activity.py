"""Speech phrases of a track: WebRTC's VAD (10 ms frames) finds speech, an energy envelope at 1 ms
moves each phrase's edges to where the sound really starts and stops.

The VAD alone is biased by its hangover (offsets 50-80 ms late, onsets 20-30 ms, measured in
docs/reference B7); fitting wants both edges within a few milliseconds, so each edge is searched
again near the VAD's guess on a 1 ms envelope against a threshold set between the phrase's own
level and the pause's noise floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from skill.local.dubfit.features import analyse

if TYPE_CHECKING:
    from skill.local.dubfit.finder import Levels

MIN_PAUSE = 0.25  # a phrase ends at a pause at least this long (the definition)
MIN_PHRASE = 0.10  # shorter bursts (a click, a breath) are not phrases
_FLICKER = 0.08  # VAD gaps and bursts shorter than this are its own noise
_SEARCH = 0.12  # seconds either side of the VAD's edge to look for the true one
_CLOSURE = 150  # ms: the longest stop closure inside a word
_MIN_SNR = 8.0  # dB a phrase's loud part must stand above the pause's floor
_WALK_IN = 100  # ms an onset may move back below the threshold (a soft attack under noise)
_WALK_OUT = 120  # ms an offset may move on (decays are longer than attacks)


@dataclass(frozen=True)
class Phrase:
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


def _runs(flags: np.ndarray, hop: float) -> list[tuple[float, float]]:
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(s * hop, e * hop) for s, e in zip(starts, ends)]


def _merge(runs: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in runs:
        if merged and start - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def local_floor(levels: Levels, start: float, end: float, fallback: float) -> float:
    """The noise level of the pauses within a second of the phrase (noise changes over a long track)."""
    a, s, e = max(int(start * 1000) - 1000, 0), int(start * 1000), int(end * 1000)
    before, after = levels.env(a, s), levels.env(e, e + 1000)
    near = np.concatenate((before[levels.pause(a, a + len(before))], after[levels.pause(e, e + len(after))]))
    return float(np.median(near)) if len(near) >= 50 else fallback


def refine(levels: Levels, start: float, end: float, floor: float, lo_limit: float,
           hi_limit: float) -> tuple[float, float] | None:
    """The edges near the VAD's guess: first where the level holds above a threshold between the
    pause's floor and the phrase's loud part (a quiet fricative still counts, room noise does not),
    then walked outwards while the level stays clearly above the floor (a soft attack or a decay
    buried under the threshold is still speech), at most _WALK_IN / _WALK_OUT. Works on the
    phrase's own neighbourhood only: whole-track arrays per phrase would cost hours per hour."""
    a, b = int(start * 1000), int(end * 1000)
    s_lo = max(int((start - _SEARCH) * 1000), int(lo_limit * 1000), 0)
    e_hi = min(int((end + _SEARCH) * 1000), int(hi_limit * 1000), levels.total)
    if b <= a or e_hi <= s_lo:
        return None
    local, calm = levels.env(s_lo, e_hi), levels.smooth(s_lo, e_hi)  # index 0 = s_lo
    peak = float(np.percentile(levels.env(a, b), 95))
    if peak < floor + _MIN_SNR:  # the VAD fired on noise: nothing stands out of the floor
        return None
    threshold = max(floor + max(0.35 * (peak - floor), 6.0), peak - 40.0)
    hits = np.flatnonzero(_held(local > threshold))
    if not len(hits):
        return None
    first, last = int(hits[0]), int(hits[-1])
    # 2 dB over the floor on a 5 ms average is > 5 standard deviations of white noise's level
    audible = calm > floor + 2.0
    stop = max(first - _WALK_IN, 0)
    while first > stop and audible[first - 1]:
        first -= 1
    stop = min(last + _WALK_OUT, len(local) - 1)
    while last < stop and audible[last + 1]:
        last += 1
    # a stop consonant's burst before its closure ("t…", "k…") or a final release after it is
    # speech too: a clear burst within a closure's length (_CLOSURE) joins the phrase
    before = max(first - _CLOSURE, 0)
    burst = np.flatnonzero(_run_of(calm[before:first] > floor + 3.0, 5))
    if len(burst):
        first = before + int(burst[0])
    tail = np.flatnonzero(_run_of(calm[last + 1: last + 1 + _CLOSURE] > floor + 3.0, 5))
    if len(tail):
        last = last + 1 + int(tail[-1])
    return (s_lo + first) / 1000, (s_lo + max(last + 1, first + 1)) / 1000


def _run_of(flags: np.ndarray, length: int) -> np.ndarray:
    """Marks the samples that belong to a run of at least ``length`` consecutive True values."""
    if len(flags) < length:
        return np.zeros(len(flags), bool)
    full = np.convolve(flags.astype(np.int16), np.ones(length, np.int16), "valid") >= length
    out = np.zeros(len(flags), bool)
    for k in np.flatnonzero(full):
        out[k: k + length] = True
    return out


def _held(above: np.ndarray) -> np.ndarray:
    """3 of 4 ms above, so a single noise tick does not move an edge."""
    return np.convolve(above.astype(np.int8), np.ones(4, np.int8), "same") >= 3


def phrases(samples: np.ndarray, duration: float) -> list[Phrase]:
    """The phrases of a whole 16 kHz mono track (tests and tools; files stream through ``finder``)."""
    from skill.local.dubfit.finder import PhraseFinder

    found = PhraseFinder()
    analyse([samples], found.add)
    return found.finish(duration)
