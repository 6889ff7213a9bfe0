"""One pitch-preserving variable-ratio pass: WSOLA (waveform-similarity overlap-add, Verhelst &
Roelands 1993) following a time map, streamed block by block.

Output frame k (Hann window, length N, hop N/2, so the windows sum to exactly 1) is cut from the
input near ``map(t_k)``, shifted by up to ±10 ms so that it continues the waveform the previous
frame left off (its "natural continuation"): periods line up, pitch and timbre stay, and no phase
vocoder smear. The search runs on a box-filtered copy at about 10 kHz and is refined at full rate,
which keeps an hour at 48 kHz in seconds. Output never exceeds the input's peak (a convex mix of
two windowed frames), so nothing clips that did not clip before.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from skill.local.dubfit.plan import TimeMap

_WINDOW = 0.025  # seconds: two or three pitch periods of a low voice
_TOLERANCE = 0.010  # seconds of search either side: at least half of a 50 Hz period
_EMIT = 1 << 16


class _Input:
    """A sliding window over the streamed dub; reads past its end are silence."""

    def __init__(self, source: Iterator[np.ndarray]) -> None:
        self.source = source
        self.buf = np.zeros(0, np.float32)
        self.base = 0
        self.done = False

    def get(self, start: int, stop: int) -> np.ndarray:
        while not self.done and self.base + len(self.buf) < stop:
            block = next(self.source, None)
            if block is None:
                self.done = True
            else:
                self.buf = np.concatenate((self.buf, block))
        lo, hi = start - self.base, stop - self.base
        if lo >= 0 and hi <= len(self.buf):
            return self.buf[lo:hi]
        out = np.zeros(stop - start, np.float32)
        a, b = max(lo, 0), min(hi, len(self.buf))
        if b > a:
            out[a - lo: b - lo] = self.buf[a:b]
        return out

    def drop_before(self, index: int) -> None:
        cut = index - self.base
        if cut > len(self.buf) // 2 and cut > 1 << 15:
            cut = min(cut, len(self.buf))
            self.buf = self.buf[cut:].copy()
            self.base += cut


def _gain(tmap: TimeMap, start: int, count: int, rate: int) -> np.ndarray | None:
    """Muted holes with short fades, and fades at the track's very start and end (no click)."""
    t0, t1 = start / rate, (start + count) / rate
    spans = [h for h in tmap.holes if h[1] > t0 and h[0] < t1]
    fade = 0.01
    edge = t0 < fade or t1 > tmap.duration - fade
    if not spans and not edge:
        return None
    t = (start + np.arange(count)) / rate
    g = np.ones(count, np.float32)
    for a, b in spans:
        inside = np.minimum((t - a) / fade, (b - t) / fade)
        g = np.minimum(g, np.clip(1 - inside, 0, 1).astype(np.float32))
    if edge:
        g = np.minimum(g, np.clip(np.minimum(t / 0.005, (tmap.duration - t) / fade), 0, 1).astype(np.float32))
    return g


def render(source: Iterator[np.ndarray], rate: int, tmap: TimeMap, out_len: int) -> Iterator[np.ndarray]:
    """``out_len`` samples of the dub played along ``tmap``, in blocks."""
    half = max(round(_WINDOW * rate / 2), 8)
    n = 2 * half
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
    tol = max(round(_TOLERANCE * rate), 1)
    q = max(1, round(rate / 10_000))
    n_d, tol_d = n // q, tol // q
    src = _Input(source)
    acc = np.zeros(n + half, np.float32)
    frames = -(-out_len // half) + 1
    centres = (np.arange(-1, frames) * half + half) / rate
    nominal = np.round(np.interp(centres, tmap.out_points, tmap.in_points) * rate).astype(np.int64) - half
    pending: list[np.ndarray] = []
    pending_len = 0
    emitted = 0
    prev = None  # input start of the last frame used
    for k, p in enumerate(nominal.tolist()):
        if prev is None or abs(p - (prev + half)) > rate:  # no continuation to follow (start, a long jump)
            best = p
        else:
            best = _search(src, p, prev + half, n, tol, q, n_d, tol_d)
        acc[:n] += window * src.get(best, best + n)
        prev = best
        src.drop_before(min(best, p) - tol - n)
        if k == 0:  # frame -1 only fills the first half-hop of output
            acc[:half] = acc[half:n]
            acc[half:] = 0
            continue
        pending.append(acc[:half].copy())
        pending_len += half
        acc[:half] = acc[half:n]
        acc[half:] = 0
        if pending_len >= _EMIT or k == len(nominal) - 1:
            block = np.concatenate(pending)[: out_len - emitted]
            gain = _gain(tmap, emitted, len(block), rate)
            yield block if gain is None else block * gain
            emitted += len(block)
            pending, pending_len = [], 0
            if emitted >= out_len:
                return
    if emitted < out_len:  # never short: pad with silence
        yield np.zeros(out_len - emitted, np.float32)


def _search(src: _Input, p: int, natural: int, n: int, tol: int, q: int, n_d: int, tol_d: int) -> int:
    """The start near ``p`` whose frame best continues the waveform at ``natural``."""
    template = src.get(natural, natural + n)
    region = src.get(p - tol, p + n + tol)
    if q > 1:
        t_d = template[: n_d * q].reshape(n_d, q).mean(axis=1)
        r_len = (len(region) // q) * q
        r_d = region[:r_len].reshape(-1, q).mean(axis=1)
    else:
        t_d, r_d = template, region
    if not t_d.any():
        return p
    scores = np.correlate(r_d, t_d, "valid")
    lag = int(np.argmax(scores[: 2 * tol_d + 1])) * q - tol
    if q > 1:  # refine at full rate within one decimated step
        lo, hi = max(lag - q, -tol), min(lag + q, tol)
        seg = region[lo + tol: hi + tol + n]
        fine = np.correlate(seg, template, "valid")
        lag = lo + int(np.argmax(fine))
    return p + lag
