"""argparse types for numeric options: every one refuses ``nan`` and ``inf``.

``float("nan")`` passes any ``<=``/``>`` check (every comparison with it is false) and ``inf`` is
"greater than 0", so a ``--timeout inf`` would make a wait endless. Standard library only.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def positive(text: str) -> float:
    if (value := finite(text)) <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {text!r}")
    return value


def non_negative(text: str) -> float:
    if (value := finite(text)) < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number from ``low`` (to ``high``); ``int()`` itself already refuses nan and inf."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low or (high is not None and value > high):
            shown = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {shown}")
        return value

    return parse
