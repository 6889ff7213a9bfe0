"""The measurement plan: coarse ratio search, two GCC-PHAT passes, gate, piecewise fallback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skill.errors import AlignmentError
from skill.local.correlate import Anchors, Coarse, coarse_search, measure_anchors, rivals
from skill.local.decode import Track
from skill.local.features import is_silent, onset_envelope, pauses
from skill.local.fit import Fit, fit_linear, fit_piecewise, robust_line

_MAX_WINDOW = 8.0  # seconds; longer windows add cost, not accuracy
_MAX_ANCHORS = 40
_COARSE_SEARCH = 0.5  # seconds around the envelope's lag (covers ~100 ppm over an hour)
_FINE_SEARCH = 0.05  # seconds around the pass-1 line
_SEED_RMS = 0.005  # seconds: pass 1 only has to be close enough to seed pass 2
# Pass 1 does not know the drift yet; a short window keeps the smear of a few hundred ppm under a
# tenth of a millisecond, where GCC-PHAT still shows one peak instead of pitch-period echoes.
_SEED_WINDOW = 0.5
_REFINE_PASSES = 3
_SETTLED = 2e-6  # seconds: a slope change that moves a window's far end less than this is done
_SPLIT_WINDOW = 2.0  # seconds; denser windows to place the jumps of non-linear drift


@dataclass(frozen=True)
class Measurement:
    coarse: Coarse
    fit: Fit
    anchors: Anchors
    new_duration: float

    @property
    def ratio_name(self) -> str:
        """The nominal ratio when the fitted slope sits on it (within 20 ppm), else "measured"."""
        k = self.fit.segments[0].k
        return self.coarse.ratio_name if abs(k / self.coarse.ratio - 1) < 20e-6 else "measured"


def _plan(lo: float, hi: float, window: float, count: int) -> np.ndarray:
    return np.linspace(lo, max(lo, hi - window), count)


def measure(ref: Track, new: Track, ref_name: str, new_name: str) -> Measurement:
    """Fit ``t_ref = k·t_new + b`` (or several segments of it) or refuse with AlignmentError."""
    for track, name in ((ref, ref_name), (new, new_name)):
        if is_silent(track.samples):
            raise AlignmentError("errors/align_silent", file=name)
    rate = ref.rate
    found = coarse_search(onset_envelope(ref.samples, rate), onset_envelope(new.samples, rate))
    lo, hi = _overlap(ref, new, found[0])
    if hi - lo < 1.0:
        raise AlignmentError("errors/align_no_match", file=new_name, best=round(found[0].psr, 1))
    window = float(np.clip((hi - lo) / 5, 1.0, _MAX_WINDOW))
    count = int(np.clip(2 * (hi - lo) / window, 6, _MAX_ANCHORS))
    starts = _plan(lo, hi, window, count)
    seed_starts = _plan(lo, hi, _SEED_WINDOW, int(np.clip((hi - lo) / _SEED_WINDOW, 6, _MAX_ANCHORS)))
    seeds = []
    for coarse in rivals(found):
        first = measure_anchors(ref.samples, new.samples, rate, coarse.ratio, coarse.lag, seed_starts,
                                _SEED_WINDOW, _COARSE_SEARCH, earliest=False)
        seeds.append((fit_linear(first, new.duration, max_rms=_SEED_RMS), coarse, first))
    fitted = [seed for seed in seeds if seed[0] is not None]
    if fitted:
        fit, coarse, _ = max(fitted, key=lambda seed: (seed[0].strong_share * seed[0].inlier_share, -seed[0].rms))
        final = _refine(ref, new, fit, starts, window)
        if final is not None:
            return Measurement(coarse, final[0], final[1], new.duration)
    return _piecewise(ref, new, seeds[0][1], seeds[0][2], lo, hi, new_name)


def _refine(ref: Track, new: Track, seed: Fit, starts: np.ndarray, window: float) -> tuple[Fit, Anchors] | None:
    """Re-measure with windows warped by the latest slope until the slope settles ("de-smear")."""
    k, b = seed.segments[0].k, seed.segments[0].b
    result = None
    for _ in range(_REFINE_PASSES):
        anchors = measure_anchors(ref.samples, new.samples, ref.rate, k, b, starts, window, _FINE_SEARCH)
        fit = fit_linear(anchors, new.duration)
        if fit is None:
            return result
        result = (fit, anchors)
        settled = abs(fit.segments[0].k - k) * window < _SETTLED
        k, b = fit.segments[0].k, fit.segments[0].b
        if settled:
            break
    return result


def _overlap(ref: Track, new: Track, coarse: Coarse) -> tuple[float, float]:
    """The stretch of the new audio (seconds) that lands inside the video's audio."""
    k, b = coarse.ratio, coarse.lag
    return max(0.0, -b / k), min(new.duration, (ref.duration - b) / k)


def _piecewise(ref: Track, new: Track, coarse: Coarse, first: Anchors, lo: float, hi: float,
               new_name: str) -> Measurement:
    """Non-linear drift: dense windows, one line per stretch between jumps, split at pauses."""
    rate = ref.rate
    strong = first.psr >= 6
    k = robust_line(first.t_new[strong], first.t_ref[strong])[0] if strong.sum() >= 3 else coarse.ratio
    if abs(k / coarse.ratio - 1) > 0.002:  # a slope this far off the nominal ratio is noise
        k = coarse.ratio
    window = min(_SPLIT_WINDOW, max(1.0, (hi - lo) / 5))
    count = int(min((hi - lo) / (window / 2), 400))
    starts = _plan(lo, hi, window, max(count, 6))
    dense = measure_anchors(ref.samples, new.samples, rate, k, coarse.lag, starts, window, _COARSE_SEARCH)
    fit = fit_piecewise(dense, window, new.duration, k, pauses(new.samples, rate))
    if fit is None:
        best = float(np.max(first.psr)) if len(first.psr) else 0.0
        raise AlignmentError("errors/align_no_match", file=new_name, best=round(best, 1))
    return Measurement(coarse, fit, dense, new.duration)
