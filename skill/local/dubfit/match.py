"""Which dub phrases go into which original slots: a dynamic-programming match over the two phrase
sequences (like Gale-Church sentence alignment), in order, allowing merges and splits.

A move takes ``a`` original phrases and ``b`` dub phrases as one group: 1:1; 1:2 (a dub phrase more:
two dub phrases share one slot, their pause scaled); 2:1 (a dub phrase fewer: one dub phrase spans two
original phrases and the pause between them); 1:3 and 3:1 for a translator's bigger rewrites. Cost
of a group: how far its duration ratio is from the track's overall ratio (a translation is evenly
longer or shorter, so only the deviation says "wrong pair"), how far apart the two groups sit in
their tracks' speech timelines, and a price per merge that grows with the pause it swallows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skill.local.dubfit.activity import Phrase

MOVES = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))
_MERGE_PRICE = {1: 0.0, 2: 0.6, 3: 1.5}  # middle of the plateau where all dev groups match
_POSITION_WEIGHT = 4.0  # a group 5 % of the timeline off its partner costs like a 22 % length error
_PAUSE_WEIGHT = 0.6  # per share of the group's span that a swallowed pause takes
_BAND = 40  # phrases either side of the diagonal the search considers (hour-long tracks stay fast)


@dataclass(frozen=True)
class Group:
    """Original phrases ``o0..o1`` and dub phrases ``d0..d1`` (inclusive) fitted as one unit."""

    o0: int
    o1: int
    d0: int
    d1: int


def _timeline(phrases: list[Phrase]) -> tuple[float, float]:
    first, last = phrases[0].start, phrases[-1].end
    return first, max(last - first, 1e-3)


def match(original: list[Phrase], dub: list[Phrase]) -> list[Group]:
    """The cheapest in-order grouping covering every phrase of both tracks exactly once."""
    m, n = len(original), len(dub)
    o_first, o_span = _timeline(original)
    d_first, d_span = _timeline(dub)
    overall = math.log(sum(p.length for p in dub) / sum(p.length for p in original))

    def cost(i: int, a: int, j: int, b: int) -> float:
        o_lo, o_hi = original[i], original[i + a - 1]
        d_lo, d_hi = dub[j], dub[j + b - 1]
        o_len, d_len = o_hi.end - o_lo.start, d_hi.end - d_lo.start
        c = abs(math.log(d_len / o_len) - overall)
        c += _POSITION_WEIGHT * 0.5 * (abs((o_lo.start - o_first) / o_span - (d_lo.start - d_first) / d_span)
                                       + abs((o_hi.end - o_first) / o_span - (d_hi.end - d_first) / d_span))
        c += _MERGE_PRICE[a] + _MERGE_PRICE[b]
        if a > 1:
            c += _PAUSE_WEIGHT * (o_len - sum(p.length for p in original[i:i + a])) / o_len
        if b > 1:
            c += _PAUSE_WEIGHT * (d_len - sum(p.length for p in dub[j:j + b])) / d_len
        return c

    # the band as arrays (row i holds j = first(i) ... first(i) + width - 1): a dict of tuples per
    # cell held 20 MB for an hour's 1000 phrases; a cell outside its row's band is never expanded
    width = 2 * _BAND + 1
    slope = n / m

    def first(i: int) -> int:
        return round(i * slope) - _BAND

    total = np.full((m + 1, width), np.inf)
    move = np.full((m + 1, width), -1, np.int8)
    total[0, -first(0)] = 0.0
    for i in range(m + 1):
        for j in range(max(0, first(i)), min(n, first(i) + width - 1) + 1):
            here = float(total[i, j - first(i)])
            if here == math.inf or (i, j) == (m, n):
                continue
            for k, (a, b) in enumerate(MOVES):
                if i + a > m or j + b > n:
                    continue
                col = j + b - first(i + a)
                if not 0 <= col < width:
                    continue
                cell = here + cost(i, a, j, b)
                if cell < total[i + a, col]:
                    total[i + a, col], move[i + a, col] = cell, k
    if total[m, n - first(m)] == math.inf:  # counts so different that no band path exists: pair in order
        return _fallback(m, n)
    groups: list[Group] = []
    i, j = m, n
    while (i, j) != (0, 0):
        a, b = MOVES[int(move[i, j - first(i)])]
        groups.append(Group(i - a, i - 1, j - b, j - 1))
        i, j = i - a, j - b
    return groups[::-1]


def _fallback(m: int, n: int) -> list[Group]:
    k = min(m, n)
    groups = [Group(i, i, i, i) for i in range(k - 1)]
    groups.append(Group(k - 1, m - 1, k - 1, n - 1))
    return groups
