"""One pitch-preserving variable-ratio pass: WSOLA (waveform-similarity overlap-add, Verhelst &
Roelands 1993) following a time map, streamed block by block.

Output frame k (Hann window, length N, hop N/2, so the windows sum to exactly 1) is cut from the
input near ``map(t_k)``, shifted by up to ±10 ms so that it continues the waveform the previous
frame left off (its "natural continuation"): periods line up, pitch and timbre stay, and no phase
vocoder smear. The search runs on a box-filtered copy at about 10 kHz and is refined at full rate,
which keeps an hour at 48 kHz in seconds. Output never exceeds the input's peak (a convex mix of
two windowed frames), so nothing clips that did not clip before.

Every channel is cut at the same input positions, searched on the channels' mix: the channels stay
sample-aligned with each other (a stereo image is kept, nothing goes out of phase).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from skill.local.dubfit.plan import TimeMap

_WINDOW = 0.025  # seconds: two or three pitch periods of a low voice
_TOLERANCE = 0.010  # seconds of search either side: at least half of a 50 Hz period
_EMIT = 1 << 16
_CHUNK = 4096  # output frames whose input positions are computed at once (not the whole hour's)


class _Input:
    """A sliding window over the streamed dub (channels x samples) and its mix; reads past its end
    are silence."""

    def __init__(self, source: Iterator[np.ndarray], channels: int) -> None:
        self.source = source
        self.buf = np.zeros((channels, 0), np.float32)
        self.mix = self.buf[0]
        self.base = 0
        self.done = False

    def _fill(self, stop: int) -> None:
        while not self.done and self.base + self.buf.shape[1] < stop:
            block = next(self.source, None)
            if block is None:
                self.done = True
            else:
                self.buf = np.concatenate((self.buf, block), axis=1)
                self.mix = self.buf[0] if len(self.buf) == 1 else self.buf.mean(axis=0)

    def get(self, start: int, stop: int) -> np.ndarray:
        if self.base + self.buf.shape[1] < stop:
            self._fill(stop)
        return _window(self.buf, start - self.base, stop - self.base)

    def get_mix(self, start: int, stop: int) -> np.ndarray:
        if self.base + len(self.mix) < stop:
            self._fill(stop)
        lo, hi = start - self.base, stop - self.base
        if lo >= 0 and hi <= len(self.mix):
            return self.mix[lo:hi]
        return _window(self.mix[None], lo, hi)[0]

    def drop_before(self, index: int) -> None:
        cut = index - self.base
        if cut > self.buf.shape[1] // 2 and cut > 1 << 15:
            cut = min(cut, self.buf.shape[1])
            self.buf = self.buf[:, cut:].copy()
            self.mix = self.buf[0] if len(self.buf) == 1 else self.mix[cut:].copy()
            self.base += cut


def _window(buf: np.ndarray, lo: int, hi: int) -> np.ndarray:
    if lo >= 0 and hi <= buf.shape[1]:
        return buf[:, lo:hi]
    out = np.zeros((len(buf), hi - lo), np.float32)
    a, b = max(lo, 0), min(hi, buf.shape[1])
    if b > a:
        out[:, a - lo: b - lo] = buf[:, a:b]
    return out


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


def render(source: Iterator[np.ndarray], rate: int, tmap: TimeMap, out_len: int,
           channels: int = 1) -> Iterator[np.ndarray]:
    """``out_len`` samples of the dub (blocks of channels x samples) played along ``tmap``, in blocks."""
    half = max(round(_WINDOW * rate / 2), 8)
    n = 2 * half
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
    tol = max(round(_TOLERANCE * rate), 1)
    q = max(1, round(rate / 10_000))
    n_d, tol_d = n // q, tol // q
    src = _Input(source, channels)
    acc = np.zeros((channels, n + half), np.float32)
    frames = -(-out_len // half) + 1
    pending: list[np.ndarray] = []
    pending_len = 0
    emitted = 0
    prev = None  # input start of the last frame used
    for k, p in enumerate(_positions(tmap, rate, half, frames)):
        if prev is None or abs(p - (prev + half)) > rate:  # no continuation to follow (start, a long jump)
            best = p
        else:
            best = _search(src, p, prev + half, n, tol, q, n_d, tol_d)
        acc[:, :n] += window * src.get(best, best + n)
        prev = best
        src.drop_before(min(best, p) - tol - n)
        if k == 0:  # frame -1 only fills the first half-hop of output
            acc[:, :half] = acc[:, half:n]
            acc[:, half:] = 0
            continue
        pending.append(acc[:, :half].copy())
        pending_len += half
        acc[:, :half] = acc[:, half:n]
        acc[:, half:] = 0
        if pending_len >= _EMIT or k == frames:
            block = np.concatenate(pending, axis=1)[:, : out_len - emitted]
            gain = _gain(tmap, emitted, block.shape[1], rate)
            yield block if gain is None else block * gain
            emitted += block.shape[1]
            pending, pending_len = [], 0
            if emitted >= out_len:
                return
    if emitted < out_len:  # never short: pad with silence
        yield np.zeros((channels, out_len - emitted), np.float32)


def _positions(tmap: TimeMap, rate: int, half: int, frames: int) -> Iterator[int]:
    """The input start of output frames -1 ... frames - 1 (centred on the map), a chunk at a time."""
    for first in range(-1, frames, _CHUNK):
        centres = (np.arange(first, min(first + _CHUNK, frames)) * half + half) / rate
        yield from (np.round(np.interp(centres, tmap.out_points, tmap.in_points) * rate).astype(np.int64)
                    - half).tolist()


def _search(src: _Input, p: int, natural: int, n: int, tol: int, q: int, n_d: int, tol_d: int) -> int:
    """The start near ``p`` whose frame best continues the waveform at ``natural``."""
    template = src.get_mix(natural, natural + n)
    region = src.get_mix(p - tol, p + n + tol)
    if q > 1:  # box sums, not means: the best lag is the same, without numpy's mean overhead per call
        t_d = template[: n_d * q].reshape(n_d, q).sum(axis=1)
        r_len = (len(region) // q) * q
        r_d = region[:r_len].reshape(-1, q).sum(axis=1)
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
