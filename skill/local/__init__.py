"""Offline offset/drift engine: measure ``t_ref = k·t_new + b`` between a video's own audio and a
new recording of the same performance, fix the new audio sample-accurately and remux.

``decode`` → ``features`` (onset envelope) → ``correlate`` (coarse ratio search, GCC-PHAT anchors)
→ ``fit`` (robust line, gate, piecewise segments) → ``apply`` (soxr + remux) → ``verify``.
``engine`` ties them together. numpy, soxr and PyAV are imported only inside this package.
"""
