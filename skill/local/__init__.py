"""Offline engines, one subpackage each; numpy, soxr and PyAV are imported only inside them.

``align`` measures and fixes the offset and drift between a video's own audio and a new recording.
``dubfit`` retimes a voice track in another language to the original speaker's phrasing.
"""
