"""Allowed-shape targets → one shape per moment, with the animation rules (reference A1 steps 1–5).

Our rules work *inside each phone's allowed set* wherever they can: anticipation picks, among a
consonant's allowed shapes, the one the coming vowel needs; a flicker is absorbed by a neighbour
only where that neighbour's shape is allowed too; a long static run is broken by switching to
another allowed shape. So they make the animation smoother at no cost to per-frame correctness.
Tweens are the one rule that must put a shape where the phone does not allow it; they are off
by default (docs/mouthcues.md has what each rule does to the scores).
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.local.mouthcues.shapes import ANY, LONG_PAUSE, Target, restrict

_HOLD_PAUSE = 12  # cs: a pause shorter than this keeps the previous shape
_ANTICIPATE = 20  # cs: how far ahead a consonant looks for the vowel it leads into
_STATIC_RUN = 75  # cs, with at least 3 targets: a run this long looks frozen


@dataclass(frozen=True)
class Rules:
    """Which rules run. Defaults follow the dev-split ablation (bench/mouth_ablation.py,
    docs/mouthcues.md): anticipation changed exact by +0.0005/-0.002 but added 4 % more cues and
    26 % more sub-frame flicker, so it is off; tweens cost 0.012-0.015 exact, so they are off."""

    anticipation: bool = False
    min_run: int = 5  # cs, one 24 fps frame (4.2 cs) and a bit; shorter runs are absorbed where allowed
    pauses: bool = True  # hold / relax short pauses (off: every pause is X)
    static_break: bool = True
    tweens: bool = False


_TWEENS = {("D", "A"): "C", ("D", "G"): "C", ("D", "X"): "C", ("D", "B"): "C", ("C", "F"): "E", ("F", "C"): "E",
           ("D", "F"): "E", ("H", "F"): "E", ("F", "H"): "E"}


def fill(targets: list[Target], duration: int, extended: str) -> list[Target]:
    """Targets covering 0..duration: gaps and adjacent pauses become one pause each."""
    out: list[Target] = []
    at = 0
    for target in targets:
        start, end = max(target.start, at), min(target.end, duration)
        if end <= start:
            continue
        if start > at:
            out.append(Target(at, start, "X", "pause"))
        out.append(Target(start, end, target.allowed, target.kind))
        at = end
    if at < duration:
        out.append(Target(at, duration, "X", "pause"))
    merged: list[Target] = []
    for target in out:
        if target.kind == "pause" and merged and merged[-1].kind == "pause":
            merged[-1] = Target(merged[-1].start, target.end, "X", "pause")
        else:
            merged.append(target)
    return [Target(t.start, t.end, restrict("X" if t.length >= LONG_PAUSE else "X" + ANY, extended), "pause")
            if t.kind == "pause" else t for t in merged]


def _next_vowel(targets: list[Target], i: int) -> str | None:
    end = targets[i].end
    for later in targets[i + 1:]:
        if later.start - end > _ANTICIPATE or later.kind == "pause":
            return None
        if later.kind == "vowel" and len(later.allowed) == 1:
            return later.allowed
    return None


def choose(targets: list[Target], extended: str, rules: Rules) -> list[str]:
    rest = restrict("X", extended)
    shapes: list[str] = []
    for i, target in enumerate(targets):
        previous = shapes[-1] if shapes else rest
        if target.kind == "pause":
            if not rules.pauses or target.length >= LONG_PAUSE or not shapes or i == len(targets) - 1:
                shapes.append(rest)
            elif target.length < _HOLD_PAUSE:
                shapes.append(previous)
            else:  # relax, to a shape unlike the next one so the next still reads as a change
                following = targets[i + 1].allowed[0]
                shapes.append("C" if following == "B" else "B")
            continue
        options = target.allowed
        pick = options[0]
        if len(options) > 1:
            ahead = _next_vowel(targets, i) if rules.anticipation else None
            if ahead is not None and ahead in options:
                pick = ahead
            elif previous in options:
                pick = previous
        shapes.append(pick)
    return shapes


def _runs(targets: list[Target], shapes: list[str]) -> list[list[int]]:
    """Indices of consecutive targets with the same shape."""
    runs: list[list[int]] = []
    for i, shape in enumerate(shapes):
        if runs and shapes[runs[-1][0]] == shape:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _absorb_flicker(targets: list[Target], shapes: list[str], min_run: int) -> None:
    """A run shorter than ``min_run`` takes a neighbour's shape where all its targets allow it.
    Closures (A) are never absorbed: a P/B/M must show."""
    for _ in range(3):
        changed = False
        for run in _runs(targets, shapes):
            length = targets[run[-1]].end - targets[run[0]].start
            if length >= min_run or shapes[run[0]] == "A":
                continue
            for neighbour in (run[0] - 1, run[-1] + 1):
                if 0 <= neighbour < len(shapes):
                    candidate = shapes[neighbour]
                    if all(candidate in targets[i].allowed for i in run):
                        for i in run:
                            shapes[i] = candidate
                        changed = True
                        break
        if not changed:
            return


def _break_static(targets: list[Target], shapes: list[str]) -> None:
    """A long run of one shape over several targets switches one target to another allowed shape
    (the anchor turns a vowel's B into C, "He seized his keys")."""
    for run in _runs(targets, shapes):
        if len(run) < 3 or targets[run[-1]].end - targets[run[0]].start < _STATIC_RUN:
            continue
        # a vowel first (the anchor opens a vowel's B to C), nearest the middle of the run
        middle = sorted(run, key=lambda i: (targets[i].kind != "vowel", abs(i - run[len(run) // 2])))
        for i in middle:
            others = [s for s in targets[i].allowed if s != shapes[i] and s not in "AX"]
            if others and i not in (run[0], run[-1]):
                shapes[i] = "C" if "C" in others else others[0]
                break


def animate(targets: list[Target], duration: int, extended: str = "GHX",
            rules: Rules | None = None) -> list[tuple[int, int, str]]:
    """Contiguous (start_cs, end_cs, shape) cues covering 0..duration."""
    rules = rules or Rules()
    if duration <= 0:
        return []
    full = fill(targets, duration, extended)
    shapes = choose(full, extended, rules)
    if rules.min_run:
        _absorb_flicker(full, shapes, rules.min_run)
    if rules.static_break:
        _break_static(full, shapes)
    cues: list[list[int | str]] = []
    for target, shape in zip(full, shapes):
        if cues and cues[-1][2] == shape:
            cues[-1][1] = target.end
        else:
            cues.append([target.start, target.end, shape])
    if rules.tweens:
        cues = _tween(cues, extended)
    return [(int(s), int(e), str(v)) for s, e, v in cues]


def _tween(cues: list[list[int | str]], extended: str) -> list[list[int | str]]:
    """An in-between shape at the end of the first of two cues (4–8 cs, at most half of it)."""
    out: list[list[int | str]] = []
    for i, cue in enumerate(cues):
        out.append(list(cue))
        if i + 1 == len(cues):
            break
        between = _TWEENS.get((str(cue[2]), str(cues[i + 1][2])))
        length = int(cue[1]) - int(cue[0])
        size = min(8, length // 2)
        if between is None or size < 4:
            continue
        out[-1][1] = int(cue[1]) - size
        out.append([int(cue[1]) - size, cue[1], restrict(between, extended)])
    return out
