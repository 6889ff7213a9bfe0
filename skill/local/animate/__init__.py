"""Lip-synced 2D character video, offline: mouth drawings swapped at the mouth cues' times on a
still character or a looped clip, encoded with the dialogue (issue 12).

Modules: ``shapes`` (names, fallbacks), ``builtin`` (the drawn mouth set), ``mouths`` (a person's
folder), ``box`` (placement), ``character`` (still or clip), ``compose`` (yuv420p alpha blend),
``schedule`` (cues → frames), ``encode`` (PyAV H.264 + AAC), ``render``, ``preview``.
"""
