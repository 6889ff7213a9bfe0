"""Pure maths of the fit and the verdict."""

from __future__ import annotations

import numpy as np

from skill.local.align.correlate import Anchors
from skill.local.align.features import pauses
from skill.local.align.linefit import fit_linear, theil_sen
from skill.local.align.verdict import detectable, side


def test_theil_sen_ignores_a_third_of_wild_points() -> None:
    x = np.linspace(0, 100, 30)
    y = 1.0001 * x + 0.25
    y[::3] += np.random.default_rng(0).uniform(-5, 5, 10)
    k, b = theil_sen(x, y)
    assert abs(k - 1.0001) < 1e-5 and abs(b - 0.25) < 1e-3


def test_linear_fit_refuses_weak_anchors() -> None:
    t = np.linspace(0, 60, 20)
    weak = Anchors(t, t + 0.5, np.full(20, 4.0))
    assert fit_linear(weak, 60.0) is None
    strong = Anchors(t, t * 1.00005 + 0.5, np.full(20, 20.0))
    fit = fit_linear(strong, 60.0)
    assert fit is not None and abs(fit.segments[0].k - 1.00005) < 1e-9


def test_pauses_are_found_between_bursts() -> None:
    rate = 16_000
    x = np.zeros(3 * rate, np.float32)
    x[: rate] = np.random.default_rng(1).standard_normal(rate) * 0.1
    x[2 * rate:] = np.random.default_rng(2).standard_normal(rate) * 0.1
    (start, end), = pauses(x, rate)
    assert abs(start - 1.0) < 0.02 and abs(end - 2.0) < 0.02


def test_broadcast_thresholds_are_asymmetric() -> None:
    assert side(50.0) == "early" and detectable(50.0)
    assert side(-100.0) == "late" and not detectable(-100.0)
    assert detectable(-130.0) and side(0.1) == "in_sync"
