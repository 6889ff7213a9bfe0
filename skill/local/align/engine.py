"""The measurement plan: coarse ratio search, two GCC-PHAT passes, gate, piecewise fallback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skill.errors import AlignmentError
from skill.local.align.correlate import STRONG_PSR, Anchors, Coarse, coarse_search, measure_anchors, rivals
from skill.local.align.features import is_silent, onset_envelope, pauses
from skill.local.align.linefit import Fit, Segment, Splitter, fit_linear, fit_piecewise, split_at_longest_pause
from skill.media.decode import DecodedAudio

_MAX_WINDOW = 4.0  # seconds; longer windows add cost, not accuracy (1–8 s measured alike)
_MAX_ANCHORS = 40
_COARSE_SEARCH = 0.5  # seconds around the envelope's lag (covers ~100 ppm over an hour)
_FINE_SEARCH = 0.05  # seconds around the pass-1 line
_SEED_RMS = 0.005  # seconds: pass 1 only has to be close enough to seed pass 2
# Pass 1 does not know the drift yet; a short window keeps the smear of a few hundred ppm under a
# tenth of a millisecond, where GCC-PHAT still shows one peak instead of pitch-period echoes.
_SEED_WINDOW = 0.5
_REFINE_PASSES = 3
_SETTLED = 2e-6  # seconds: a slope change that moves a window's far end less than this is done
_SPLIT_WINDOW = 1.0  # seconds; short, dense windows to see where the offset jumps
_MAX_SPLIT_ANCHORS = 2000
_PROBE_WINDOW = 1.0  # seconds of sound checked on each side of a candidate pause
_PROBE_TOLERANCE = 0.002  # seconds


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


def measure(ref: DecodedAudio, new: DecodedAudio, ref_name: str, new_name: str) -> Measurement:
    """Fit ``t_ref = k·t_new + b`` (or several segments of it) or refuse with AlignmentError."""
    for track, name in ((ref, ref_name), (new, new_name)):
        if is_silent(track.samples):
            raise AlignmentError("errors/align_silent", file=name)
    rate = ref.rate
    found = coarse_search(onset_envelope(ref.samples, rate), onset_envelope(new.samples, rate))
    lo, hi = _overlap(ref, new, found[0])
    if hi - lo < 1.0:
        raise AlignmentError("errors/align_no_match", file=new_name, matched=0)
    window = float(np.clip((hi - lo) / 5, 1.0, _MAX_WINDOW))
    count = int(np.clip(2 * (hi - lo) / window, 6, _MAX_ANCHORS))
    starts = _plan(lo, hi, window, count)
    seed_starts = _plan(lo, hi, _SEED_WINDOW, int(np.clip((hi - lo) / _SEED_WINDOW, 6, _MAX_ANCHORS)))
    seeds = []
    for coarse in rivals(found):
        first = measure_anchors(ref.samples, new.samples, rate, coarse.ratio, coarse.lag, seed_starts,
                                _SEED_WINDOW, _COARSE_SEARCH, earliest=False)
        seeds.append((fit_linear(first, new.duration, max_rms=_SEED_RMS), coarse, first))
    fitted = [(fit, coarse) for fit, coarse, _ in seeds if fit is not None]
    if fitted:
        fit, coarse = max(fitted, key=lambda seed: (seed[0].strong_share * seed[0].inlier_share, -seed[0].rms))
        final = _refine(ref, new, fit, starts, window)
        if final is not None:
            return Measurement(coarse, final[0], final[1], new.duration)
    # the ratio whose short windows peaked most sharply is the clock; its offsets may still jump
    _, coarse, first = max(seeds, key=lambda seed: float(np.median(seed[2].psr)))
    return _piecewise(ref, new, coarse, first, lo, hi, new_name)


def _refine(ref: DecodedAudio, new: DecodedAudio, seed: Fit, starts: np.ndarray,
            window: float) -> tuple[Fit, Anchors] | None:
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


def _overlap(ref: DecodedAudio, new: DecodedAudio, coarse: Coarse) -> tuple[float, float]:
    """The stretch of the new audio (seconds) that lands inside the video's audio."""
    k, b = coarse.ratio, coarse.lag
    return max(0.0, -b / k), min(new.duration, (ref.duration - b) / k)


def _piecewise(ref: DecodedAudio, new: DecodedAudio, coarse: Coarse, first: Anchors, lo: float, hi: float,
               new_name: str) -> Measurement:
    """Non-linear drift: dense short windows, one line per stretch between jumps, split at pauses."""
    count = int(min((hi - lo) / (_SPLIT_WINDOW / 2), _MAX_SPLIT_ANCHORS))
    starts = _plan(lo, hi, _SPLIT_WINDOW, max(count, 6))
    dense = measure_anchors(ref.samples, new.samples, ref.rate, coarse.ratio, coarse.lag, starts, _SPLIT_WINDOW,
                            _COARSE_SEARCH, earliest=False)
    quiet = pauses(new.samples, new.rate)
    fit = fit_piecewise(dense, _SPLIT_WINDOW, new.duration, coarse.ratio, quiet, _pause_tester(ref, new, quiet))
    if fit is None:
        strong = float(np.mean(first.psr >= STRONG_PSR)) if len(first.psr) else 0.0
        if strong >= 0.5:  # it is the same recording, but its timing is too irregular to model
            raise AlignmentError("errors/align_irregular", file=new_name)
        raise AlignmentError("errors/align_no_match", file=new_name, matched=round(100 * strong))
    return Measurement(coarse, fit, dense, new.duration)


def _pause_tester(ref: DecodedAudio, new: DecodedAudio, quiet: list[tuple[float, float]]) -> Splitter:
    """Split in the first pause that the left model fits just before and the right model just after."""

    def agrees(segment: Segment, start: float) -> bool:
        probe = measure_anchors(ref.samples, new.samples, ref.rate, segment.k, segment.b, np.array([start]),
                                _PROBE_WINDOW, _FINE_SEARCH)
        expected = segment.k * start + segment.b
        return bool(probe.psr[0] >= STRONG_PSR and abs(probe.t_ref[0] - expected) < _PROBE_TOLERANCE)

    def choose(after: float, before: float, left: Segment, right: Segment) -> float:
        for start, end in quiet:
            if end > after and start < before and start >= _PROBE_WINDOW and \
                    agrees(left, start - _PROBE_WINDOW) and agrees(right, end):
                return (start + end) / 2
        return split_at_longest_pause(after, before, quiet)

    return choose
