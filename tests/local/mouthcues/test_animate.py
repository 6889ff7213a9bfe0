"""Phone → shape rules and the animation rules, on hand-made phone sequences."""

from __future__ import annotations

import itertools

from skill.local.mouthcues import animate, shapes
from skill.local.mouthcues.shapes import Phone


def _cues(phones: list[tuple[str, int, int]], duration: int, extended: str = "GHX",
          rules: animate.Rules | None = None) -> list[tuple[int, int, str]]:
    return animate.animate(shapes.targets([Phone(*p) for p in phones], extended), duration, extended, rules)


def test_cues_are_contiguous_and_cover_the_duration() -> None:
    cues = _cues([("SIL", 0, 20), ("B", 20, 28), ("AA", 28, 50), ("T", 50, 56)], 100)
    assert cues[0][0] == 0 and cues[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cues))
    assert cues[-1][2] == "X"


def test_diphthongs_split_sixty_forty() -> None:
    targets = shapes.phone_targets(Phone("EY", 0, 10))
    assert [(t.start, t.end, t.allowed) for t in targets] == [(0, 6, "C"), (6, 10, "B")]
    assert shapes.phone_targets(Phone("AY", 0, 30))[0].allowed == "D"


def test_extended_shapes_fall_back_like_the_anchor() -> None:
    assert shapes.phone_targets(Phone("F", 0, 10), "")[0].allowed == "A"
    assert shapes.phone_targets(Phone("L", 0, 30), "GX")[0].allowed == "C"
    cues = _cues([("SIL", 0, 50), ("M", 50, 60), ("AA", 60, 80)], 120, extended="")
    assert {c[2] for c in cues} <= set("ABCDEF")


def test_long_pauses_close_short_ones_hold() -> None:
    cues = _cues([("AA", 0, 20), ("SIL", 20, 26), ("AA", 26, 40), ("SIL", 40, 80), ("AA", 80, 100)], 130)
    assert cues[0] == (0, 40, "D")  # a 6 cs pause holds the shape
    assert (40, 80, "X") in cues  # 40 cs: the mouth rests


def test_anticipation_picks_the_coming_vowels_shape_among_the_allowed() -> None:
    # S allows B or F; before UW (F) it takes F, before IY (B) it takes B
    on = animate.Rules(anticipation=True)
    assert _cues([("S", 0, 10), ("UW", 10, 30)], 30, rules=on)[0] == (0, 30, "F")
    assert _cues([("S", 0, 10), ("IY", 10, 30)], 30, rules=on)[0] == (0, 30, "B")
    off = animate.Rules(anticipation=False)
    assert _cues([("SIL", 0, 40), ("S", 40, 50), ("UW", 50, 70)], 70, rules=off)[1] == (40, 50, "B")


def test_closures_are_never_absorbed_as_flicker() -> None:
    cues = _cues([("AA", 0, 20), ("M", 20, 23), ("AA", 23, 40)], 40)
    assert (20, 23, "A") in cues


def test_a_flicker_takes_its_neighbours_shape_only_where_allowed() -> None:
    # a 2 cs T (B or F) between UW and OW (E, F): it becomes F, the neighbour's shape
    cues = _cues([("UW", 0, 20), ("T", 20, 22), ("UW", 22, 40)], 40)
    assert cues[0] == (0, 40, "F")


def test_static_runs_are_broken_inside_the_allowed_sets() -> None:
    phones = [("IY", 0, 20), ("Z", 20, 30), ("AX", 30, 40), ("Z", 40, 50), ("IY", 50, 70), ("Z", 70, 90)]
    cues = _cues(phones, 90)
    assert len({c[2] for c in cues}) > 1
    assert dict(((s, e), v) for s, e, v in cues).get((30, 40)) == "C"


def test_tweens_put_an_in_between_shape() -> None:
    on = animate.Rules(tweens=True)
    cues = _cues([("AA", 0, 30), ("M", 30, 40), ("SIL", 40, 80)], 80, rules=on)
    assert [c[2] for c in cues[:3]] == ["D", "C", "A"]
