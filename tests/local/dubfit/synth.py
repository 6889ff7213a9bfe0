"""Voice-like test tracks with exactly known phrases, made with numpy at test time: a harmonic
voice (formant-weighted partials, slight vibrato, syllable-rate loudness) per phrase, silence or
noise between. Not speech, but WebRTC's VAD takes it for speech and its pitch is known exactly."""

from __future__ import annotations

import numpy as np

_FORMANTS = ((550, 90), (1500, 120), (2500, 160))


def phrase(seconds: float, rate: int, f0: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = f0 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    out = np.zeros_like(t)
    for k in range(1, int(4000 / f0)):
        f = k * f0
        weight = sum(1 / (1 + ((f - c) / bw) ** 2) for c, bw in _FORMANTS) + 0.05
        out += weight / k**0.5 * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    syllables = 0.45 + 0.55 * np.abs(np.sin(np.pi * rng.uniform(3.5, 4.5) * t))
    out *= syllables
    ramp = min(int(0.005 * rate), len(t) // 2)
    out[:ramp] *= np.linspace(0, 1, ramp)
    out[-ramp:] *= np.linspace(1, 0, ramp)
    return (0.4 * out / np.abs(out).max()).astype(np.float32)


def track(spans: list[tuple[float, float]], duration: float, rate: int, f0: float, noise_db: float | None = None,
          seed: int = 0) -> np.ndarray:
    """Phrases at ``spans`` (start, length) in ``duration`` seconds; optional noise at ``noise_db`` dBFS."""
    out = np.zeros(int(duration * rate), np.float32)
    for i, (start, length) in enumerate(spans):
        p = phrase(length, rate, f0, seed + i)
        a = round(start * rate)
        out[a: a + len(p)] += p[: len(out) - a]
    if noise_db is not None:
        out += np.random.default_rng(seed + 7).standard_normal(len(out)).astype(np.float32) * 10 ** (noise_db / 20)
    return out


def f0_median(x: np.ndarray, rate: int, lo: float = 70, hi: float = 400) -> float:
    """Median pitch of the loud 40 ms frames (autocorrelation peak, parabolic refinement)."""
    n = int(0.04 * rate)
    values = []
    level = np.abs(x).max()
    for start in range(0, len(x) - n, n):
        f = x[start: start + n].astype(np.float64)
        if np.sqrt(np.mean(f**2)) < 0.05 * level:
            continue
        f = f - f.mean()
        ac = np.correlate(f, f, "full")[n - 1:]
        a, b = int(rate / hi), int(rate / lo)
        k = a + int(np.argmax(ac[a:b]))
        y0, y1, y2 = ac[k - 1], ac[k], ac[k + 1]
        shift = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2) if (y0 - 2 * y1 + y2) != 0 else 0.0
        values.append(rate / (k + shift))
    return float(np.median(values))
