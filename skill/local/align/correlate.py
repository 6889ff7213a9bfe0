"""Lag measurements: a coarse envelope search over nominal clock ratios, then GCC-PHAT anchors.

Model: an event at time ``t`` in the new audio happens at ``k·t + b`` in the video's audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr

from skill.local.align.features import ENVELOPE_RATE

# Ratios that real workflows produce: sample-rate mislabels, NTSC pull-down, PAL speed-up.
NOMINAL_RATIOS: dict[str, float] = {
    "1": 1.0,
    "48k/44.1k": 48_000 / 44_100,
    "44.1k/48k": 44_100 / 48_000,
    "1000/1001": 1000 / 1001,
    "1001/1000": 1001 / 1000,
    "25/24": 25 / 24,
    "24/25": 24 / 25,
    "25/23.976": 25 / (24_000 / 1001),
    "23.976/25": (24_000 / 1001) / 25,
}
PHAT_BETA = 0.8  # partial whitening: full PHAT amplifies noise bins, none locks onto reverb
STRONG_PSR = 10.0  # |GCC-PHAT| of unrelated speech reaches 5–9 on this scale, real matches 15–40
_EARLY_PEAK_SECONDS = 0.030  # the direct path arrives before reflections within this span
_EARLY_PEAK_SHARE = 0.8


@dataclass(frozen=True)
class Coarse:
    ratio_name: str
    ratio: float
    lag: float  # seconds
    psr: float


@dataclass(frozen=True)
class Anchors:
    t_new: np.ndarray  # window starts in the new audio, seconds
    t_ref: np.ndarray  # where each start was found in the video's audio, seconds
    psr: np.ndarray  # peak-to-sidelobe ratio of each measurement (0 for silent windows)


def _fft_xcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """c[l] = Σ a[n+l]·b[n] for l in [-(len(b)-1), len(a)-1], returned with lag 0 at index len(b)-1."""
    n = _fast_len(len(a) + len(b) - 1)
    c = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    return np.concatenate((c[n - len(b) + 1:], c[: len(a)]))


def _fast_len(n: int) -> int:
    """The smallest 2^a·3^b·5^c ≥ n: pocketfft's fastest sizes, often far below the next power of 2."""
    best = 1 << max(n - 1, 0).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            size = p35 << max((n - 1) // p35, 0).bit_length()  # times the smallest power of 2 reaching n
            best = min(best, size)
            p35 *= 3
        p5 *= 5
    return best


def _phat_lags(ref: np.ndarray, new: np.ndarray, count: int) -> np.ndarray:
    """|GCC-PHAT| for lags 0..count-1 of ``new`` inside the longer ``ref``. Only these lags are
    needed, and for them a circular correlation of ``len(ref)`` points does not wrap, so the FFT is
    half the size of a full linear correlation (one window: 2.5× faster)."""
    n = _fast_len(len(ref))
    spectrum = np.fft.rfft(ref, n) * np.conj(np.fft.rfft(new, n))
    spectrum /= np.maximum(np.abs(spectrum), 1e-20) ** PHAT_BETA
    return np.abs(np.fft.irfft(spectrum, n)[:count])


def _psr(c: np.ndarray, peak: int, guard: int) -> float:
    side = np.concatenate((c[: max(peak - guard, 0)], c[peak + guard + 1:]))
    if len(side) < 8:
        return 0.0
    spread = side.std()
    return float((c[peak] - side.mean()) / spread) if spread > 0 else 0.0


def _warp_envelope(env: np.ndarray, k: float) -> np.ndarray:
    """The envelope as it would look on the video's clock (stretched by ``k``)."""
    n = int(len(env) * k)
    return np.interp(np.arange(n) / k, np.arange(len(env)), env)


def coarse_search(ref_env: np.ndarray, new_env: np.ndarray) -> list[Coarse]:
    """Every nominal ratio's envelope correlation peak, the most distinct (highest PSR) first."""
    found = []
    for name, k in NOMINAL_RATIOS.items():
        warped = _warp_envelope(new_env, k)
        c = _fft_xcorr(ref_env, warped)
        lags = np.arange(-(len(warped) - 1), len(ref_env))
        overlap = np.minimum(len(ref_env), lags + len(warped)) - np.maximum(0, lags)
        c = np.where(overlap >= 0.5 * min(len(ref_env), len(warped)), c, c.min())
        peak = int(np.argmax(c))
        found.append(Coarse(name, k, float(lags[peak]) / ENVELOPE_RATE, _psr(c, peak, guard=10)))
    return sorted(found, key=lambda coarse: -coarse.psr)


def rivals(found: list[Coarse], spread: float = 0.005, share: float = 0.5) -> list[Coarse]:
    """The best ratio and those an envelope cannot tell from it on this track: ratios within
    ``spread`` (1000/1001 against 1 over a short clip) whose peak is nearly as distinct."""
    best = found[0]
    return [c for c in found if abs(c.ratio / best.ratio - 1) <= spread and c.psr >= share * best.psr]


def gcc_phat(ref: np.ndarray, new: np.ndarray, max_lag: int, rate: int, earliest: bool = True) -> tuple[float, float]:
    """Lag (samples, sub-sample) of ``new`` inside ``ref`` where ``ref`` has ``max_lag`` extra samples
    on each side, and the PSR of the peak.

    With ``earliest`` the earliest strong peak shortly before the maximum wins: the direct path
    arrives before reflections. A window still smeared by unknown drift splits its peak, so the
    first pass takes the plain maximum instead.
    """
    c = _phat_lags(ref, new, 2 * max_lag + 1)
    peak = int(np.argmax(c))
    if earliest:
        early = max(int(_EARLY_PEAK_SECONDS * rate), 1)
        window = c[max(peak - early, 0): peak + 1]
        strong = np.flatnonzero(window >= _EARLY_PEAK_SHARE * c[peak])
        candidates = [int(i) for i in strong if _is_local_max(window, int(i))]
        if candidates:
            peak = max(peak - early, 0) + int(candidates[0])
    return peak - max_lag + _parabolic(c, peak), _psr(c, peak, guard=16)


def _is_local_max(x: np.ndarray, i: int) -> bool:
    return (i == 0 or x[i] >= x[i - 1]) and (i == len(x) - 1 or x[i] >= x[i + 1])


def _parabolic(c: np.ndarray, i: int) -> float:
    if i <= 0 or i >= len(c) - 1:
        return 0.0
    left, mid, right = c[i - 1], c[i], c[i + 1]
    denom = left - 2 * mid + right
    return float(0.5 * (left - right) / denom) if denom < 0 else 0.0


def measure_anchors(ref: np.ndarray, new: np.ndarray, rate: int, k: float, b: float,
                    starts: np.ndarray, window: float, search: float, earliest: bool = True) -> Anchors:
    """GCC-PHAT at each window start (new-audio seconds) around the predicted ``k·t + b``.

    Each new-audio window is first resampled by ``k`` onto the video's clock ("de-smear"), so a
    drifting window still correlates as one sharp peak.
    """
    win = int(window * rate)
    max_lag = int(search * rate)
    level = float(np.sqrt(np.dot(new, new) / max(len(new), 1))) or 1.0  # dot: no hour-long temporary
    t_ref = np.zeros(len(starts))
    psr = np.zeros(len(starts))
    for i, start in enumerate(starts):
        first = round(start * rate)
        segment = new[first: first + win]
        predicted = k * (first / rate) + b
        t_ref[i] = predicted
        if len(segment) < win // 2 or np.sqrt(np.mean(np.square(segment, dtype=np.float64))) < 0.05 * level:
            continue
        warped = segment if k == 1.0 else soxr.resample(segment, rate, rate * k, quality="HQ")
        origin = int(np.floor(predicted * rate))
        lo, hi = origin - max_lag, origin + len(warped) + max_lag
        piece = ref[max(lo, 0): max(hi, 0)]
        piece = np.pad(piece, (max(-lo, 0), (hi - lo) - len(piece) - max(-lo, 0)))
        lag, psr[i] = gcc_phat(piece, warped, max_lag, rate, earliest)
        t_ref[i] = (origin + lag) / rate
    return Anchors(np.asarray(starts, dtype=np.float64), t_ref, psr)
