"""Offline offset/drift engine: measure ``t_ref = k·t_new + b`` between a video's own audio and a
new recording of the same performance, fix the new audio sample-accurately and remux.

``skill.media.decode`` (mono float32 audio) → ``features`` (onset envelope) → ``correlate`` (coarse
ratio search, GCC-PHAT anchors) → ``linefit`` (robust line, gate, piecewise segments) → ``apply``
(soxr + remux) → ``verdict`` (how far to trust the measurement). ``engine`` ties them together.
numpy, soxr and PyAV are imported only inside this package and ``skill.media.decode``.
"""
