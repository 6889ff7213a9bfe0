"""Cues → frames: frame i covers [i/fps, (i+1)/fps) and shows the cue active at its start, i/fps.

The rule is the one every cut-out animation tool applies to Rhubarb cues: exact frame starts, no
rounding of cue edges, so a cue shorter than a frame shows only if a frame starts inside it (the
mouth engine makes closures last long enough to survive this).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Protocol


class CueLike(Protocol):
    """A mouth cue (``skill.local.mouthcues.Cue`` or anything with these read-only fields)."""

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...

    @property
    def shape(self) -> str: ...


def frame_count(duration: float, fps: Fraction) -> int:
    """Frames for ``duration`` seconds: the nearest whole number, so the video ends within half a
    frame of the dialogue; at least one."""
    return max(1, round(Fraction(duration) * fps))


def frame_shapes(cues: Sequence[CueLike], fps: Fraction, count: int, rest: str = "X") -> Iterator[str]:
    """The shape of each of ``count`` frames. Before the first cue or after the last, ``rest``."""
    index = 0
    for i in range(count):
        t = float(Fraction(i) / fps)
        while index < len(cues) and cues[index].end <= t:
            index += 1
        if index < len(cues) and cues[index].start <= t:
            yield cues[index].shape
        else:
            yield rest

