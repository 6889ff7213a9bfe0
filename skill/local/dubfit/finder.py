"""Phrases found while the track streams, holding only the last few seconds of levels: memory stays
flat however long the track (an hour of 1 ms levels, kept whole, was 14 MB plus as much again in
temporaries).

The edge rules (``activity``) look at most a second and a third past a VAD run: a second of pauses
for the local noise floor, plus the 0.25 s merge and 50 ms clearance that decide what counts as a
pause there. So a run is refined once the VAD's runs are known _LOOKAHEAD past its end, and the
levels before the oldest run still waiting (less that second) are dropped. The one whole-track
figure, the fallback floor for a run without a pause within a second of it (inside long speech),
is the median level of every pause so far, kept as a 0.01 dB histogram.
"""

from __future__ import annotations

import numpy as np

from skill.local.dubfit.activity import _FLICKER, MIN_PAUSE, MIN_PHRASE, Phrase, _merge, local_floor, refine
from skill.local.dubfit.features import RATE, VAD_FRAME

_LOOKAHEAD = 1.35  # seconds of known runs past a run's end before it is refined (see above)
_HOP = VAD_FRAME / RATE  # seconds per VAD flag
_FLICKER_FLAGS = round(_FLICKER / _HOP) + 1  # a later burst this close (in flags) may still join a run
_KERNEL = np.full(4, 1 / 64, np.float32)  # 4 ms RMS window over 16-sample energies
_CALM = np.full(5, 0.2, np.float32)  # 5 ms average of the levels
_DB_LO, _DB_STEP, _DB_BINS = -130.0, 0.01, 14_000


class _Runs:
    """The VAD's runs (bursts closer than _FLICKER joined, shorter ones dropped) as flags stream in;
    a run is handed on once no later burst can join it."""

    def __init__(self) -> None:
        self.flags = np.zeros(0, bool)
        self.base = 0  # flag index of flags[0]
        self.known_until = 0.0  # seconds: every run starting before this has been handed on

    def add(self, flags: np.ndarray) -> list[tuple[float, float]]:
        self.flags = np.concatenate((self.flags, flags))
        end = self.base + len(self.flags)
        edges = np.diff(np.concatenate(([0], self.flags.astype(np.int8), [0])))
        starts = np.flatnonzero(edges == 1) + self.base
        ends = np.flatnonzero(edges == -1) + self.base
        # absolute indices times the hop: the same floats as over the whole track
        merged = _merge([(int(s) * _HOP, int(e) * _HOP) for s, e in zip(starts, ends)], _FLICKER)
        done: list[tuple[float, float]] = []
        keep_from = max(end - _FLICKER_FLAGS, self.base)
        self.known_until = end * _HOP
        for start, stop in merged:
            if round(stop / _HOP) + _FLICKER_FLAGS <= end:
                if stop - start >= _FLICKER:
                    done.append((start, stop))
                keep_from = round(stop / _HOP)
            else:  # still open: it and what follows stay
                keep_from = round(start / _HOP)
                self.known_until = start
                break
        self.flags = self.flags[keep_from - self.base:]
        self.base = keep_from
        return done

    def finish(self) -> list[tuple[float, float]]:
        """The runs still open at the end of the track."""
        done = self.add(np.zeros(_FLICKER_FLAGS, bool))
        self.known_until = float("inf")
        return done


class Levels:
    """The 1 ms levels (dB of a 4 ms RMS) and the pause mask of the part of the track still held,
    by absolute millisecond, exactly as whole-track arrays would give them. Each level is computed
    once, as soon as the energies around it are in (its window reaches 1 ms ahead)."""

    def __init__(self) -> None:
        self.bins = np.zeros(0, np.float32)
        self.base = 0  # millisecond of bins[0]
        self.levels = np.zeros(0, np.float32)
        self.level_base = 0  # millisecond of levels[0]
        self.total = 0  # milliseconds seen
        self.runs: list[tuple[float, float]] = []  # runs near the held part, for the pause mask

    def add(self, bins: np.ndarray) -> None:
        self.bins = np.concatenate((self.bins, bins))
        self.total += len(bins)
        self._extend(self.total - 1)

    def finish(self) -> None:
        self._extend(self.total)

    def _extend(self, upto: int) -> None:
        start = self.level_base + len(self.levels)
        if upto > start:
            window = np.convolve(self._energy(start - 2, upto + 1), _KERNEL, "valid")
            window += np.float32(1e-12)
            env = np.log10(window, out=window)
            env *= np.float32(10)
            self.levels = np.concatenate((self.levels, env))

    def drop_before(self, ms: int) -> None:
        ms = min(max(ms, self.level_base), self.level_base + len(self.levels))
        self.levels = self.levels[ms - self.level_base:].copy()
        self.level_base = ms
        cut = min(max(ms - 4, self.base), self.total)  # the next levels' windows reach 2 ms back
        self.bins = self.bins[cut - self.base:].copy()
        self.base = cut
        self.runs = [r for r in self.runs if r[1] * 1000 >= ms - 400]

    def _energy(self, a: int, b: int) -> np.ndarray:
        """Energies of [a, b), zero outside the track (as numpy's 'same' convolution pads)."""
        out = np.zeros(b - a, np.float32)
        lo, hi = max(a, 0), min(b, self.total)
        if hi > lo:
            out[lo - a: hi - a] = self.bins[lo - self.base: hi - self.base]
        return out

    def env(self, a: int, b: int) -> np.ndarray:
        """Levels of [a, b) clipped to the track, like a slice of the whole-track array."""
        a, b = max(a, 0), min(b, self.total)
        return self.levels[a - self.level_base: b - self.level_base] if b > a else np.zeros(0, np.float32)

    def smooth(self, a: int, b: int) -> np.ndarray:
        """The 5 ms average of the levels over [a, b) (levels outside the track count as 0)."""
        lo, hi = a - 2, b + 2
        env = np.zeros(hi - lo, np.float32)
        inner = self.env(lo, hi)
        start = max(lo, 0) - lo
        env[start: start + len(inner)] = inner
        return np.convolve(env, _CALM, "valid")

    def pause(self, a: int, b: int) -> np.ndarray:
        """True where [a, b) is pause: at least 50 ms away from speech merged across MIN_PAUSE."""
        mask = np.ones(b - a, bool)
        for start, end in _merge(self.runs, MIN_PAUSE):
            lo, hi = max(int(start * 1000) - 50, 0, a), min(int(end * 1000) + 50, b)
            if hi > lo:
                mask[lo - a: hi - a] = False
        return mask


class PhraseFinder:
    """Feed (flags, energies) blocks (``features.Analyser``'s sink); ``finish`` gives the phrases."""

    def __init__(self) -> None:
        self.runs = _Runs()
        self.levels = Levels()
        self.waiting: list[tuple[float, float]] = []  # runs not yet refined
        self.refined: list[tuple[float, float]] = []
        self.pauses = np.zeros(_DB_BINS, np.int64)  # histogram of the pause levels so far
        self.everything = np.zeros(_DB_BINS, np.int64)  # ... and of all levels
        self.counted = 0  # milliseconds in the histograms
        self.pending_ms = 0

    def add(self, flags: np.ndarray, energies: np.ndarray) -> None:
        self.levels.add(energies)
        new = self.runs.add(flags)
        self.waiting += new
        self.levels.runs += new
        self.pending_ms += len(energies)
        if self.pending_ms >= 2000:  # refining in 2 s steps keeps the bookkeeping cheap
            self.pending_ms = 0
            self._advance(self.runs.known_until, None)

    def finish(self, duration: float) -> list[Phrase]:
        new = self.runs.finish()
        self.waiting += new
        self.levels.runs += new
        self.levels.finish()
        self._advance(float("inf"), duration)
        out = _merge(self.refined, MIN_PAUSE)
        return [Phrase(round(s, 4), round(min(e, duration), 4)) for s, e in out if e - s >= MIN_PHRASE]

    def _count(self, until: int) -> None:
        if until <= self.counted:
            return
        env = self.levels.env(self.counted, until)
        index = np.clip(((env - _DB_LO) / _DB_STEP).astype(np.int64), 0, _DB_BINS - 1)
        self.everything += np.bincount(index, minlength=_DB_BINS)
        self.pauses += np.bincount(index[self.levels.pause(self.counted, until)], minlength=_DB_BINS)
        self.counted = until

    def _floor(self) -> float:
        """The whole-track fallback floor: the median pause level so far (or the 10th percentile of
        every level when there has hardly been a pause)."""
        hist, rank = (self.pauses, 0.5) if self.pauses.sum() > 50 else (self.everything, 0.1)
        total = int(hist.sum())
        if not total:
            return -90.0
        at = int(np.searchsorted(np.cumsum(hist), rank * (total - 1) + 1))
        return _DB_LO + (at + 0.5) * _DB_STEP

    def _advance(self, known: float, duration: float | None) -> None:
        levels = self.levels
        final = duration is not None
        self._count(levels.total if final else min(int((known - _LOOKAHEAD) * 1000), levels.total - 4))
        while self.waiting and (final or self.waiting[0][1] + _LOOKAHEAD <= known):
            start, end = self.waiting.pop(0)
            lo = self.refined[-1][1] + 0.01 if self.refined else 0.0
            if self.waiting:
                hi = self.waiting[0][0]
            else:  # no later run known: the next starts past the search window, or there is none
                hi = duration if duration is not None else known
            floor = max(local_floor(levels, start, end, self._floor()), -90.0)
            edges = refine(levels, start, end, floor, lo, hi)
            if edges is not None:
                self.refined.append(edges)
        if not final:  # keep what the oldest waiting run (or the next one) and the count still need
            oldest = self.waiting[0][0] if self.waiting else known
            levels.drop_before(min(self.counted, int(oldest * 1000) - 1000) - 8)
