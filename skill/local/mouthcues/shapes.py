"""Phones → the mouth shapes each one allows (Rhubarb's rules, reference A1).

Times are centiseconds (10 ms frames) throughout, the anchor's own time base. A phone becomes
one or two *targets*: an interval with the shapes allowed there, canonical shape first. The
engine picks from these sets and the benchmark scores against the very same sets, so the rule
"a cue is right when its shape is allowed for the phone it covers" has one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

SHAPES = "ABCDEFGHX"
BASIC = "ABCDEF"
# an extended shape that is not allowed collapses to a basic one, as the anchor does
FALLBACK = {"G": "A", "H": "C", "X": "A"}
ANY = "BCDEFHGA"  # HH, short pauses' neighbours: any shape
LONG_PAUSE = 35  # cs: pauses this long or longer are X (issue 11)


@dataclass(frozen=True)
class Phone:
    name: str  # CMU phone upper case, or SIL / NOISE
    start: int  # cs
    end: int  # cs, exclusive


@dataclass(frozen=True)
class Target:
    start: int
    end: int
    allowed: str  # shapes allowed, canonical first
    kind: str  # "vowel" | "consonant" | "pause" | "closure"

    @property
    def length(self) -> int:
        return self.end - self.start


VOWELS = {"AA", "AE", "AH", "AX", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
_SINGLE = {"AO": "E", "AA": "D", "IY": "B", "UW": "F", "EH": "C", "IH": "B", "UH": "F", "AE": "C"}
_CONSONANT = {"P": "A", "B": "A", "M": "A", "F": "G", "V": "G", "T": "BF", "D": "BF", "K": "BCEFH",
              "G": "BCEFH", "CH": "BF", "JH": "BF", "TH": "BF", "DH": "BF", "S": "BF", "Z": "BF", "SH": "BF",
              "ZH": "BF", "HH": ANY, "N": "BCFH", "NG": "BCEF", "R": "BEF", "Y": "BCF", "W": "F"}


def _diphthong(name: str, length: int) -> tuple[str, str] | None:
    """(first 60 %, last 40 %) shapes of a diphthong."""
    if name == "EY":
        return "C", "B"
    if name == "AY":
        return ("C", "B") if length < 20 else ("D", "B")
    if name == "OW":
        return "E", "F"
    if name == "AW":
        return ("C", "E") if length < 30 else ("D", "E")
    if name == "OY":
        return "E", "B"
    return None


def phone_targets(phone: Phone, extended: str = "GHX") -> list[Target]:
    """The allowed-shape intervals of one phone, already reduced to the shapes in ``extended``."""
    name, start, end = phone.name, phone.start, phone.end
    length = end - start
    if length <= 0:
        return []
    if name in ("SIL", "NOISE"):
        kind = "pause"
        allowed = "X" if length >= LONG_PAUSE else "X" + ANY  # short pauses may hold or relax
        return [Target(start, end, restrict(allowed, extended), kind)]
    parts = _diphthong(name, length)
    if parts is not None:
        split = start + max(1, round(length * 0.6)) if length > 1 else end
        out = [Target(start, split, restrict(parts[0], extended), "vowel")]
        if split < end:
            out.append(Target(split, end, restrict(parts[1], extended), "vowel"))
        return out
    if name == "AX":  # a labelled schwa (Festival's ax; recognisers report AH)
        allowed = "BC"
    elif name == "AH":
        allowed = "BC" if length < 6 else ("C" if length < 20 else "D")
    elif name == "ER":
        allowed = "BC" if length < 7 else "E"
    elif name == "L":
        allowed = "BEFH" if length < 20 else "H"
    elif name in _SINGLE:
        allowed = _SINGLE[name]
    else:
        allowed = _CONSONANT.get(name, ANY)
    kind = "vowel" if name in VOWELS else ("closure" if allowed == "A" else "consonant")
    return [Target(start, end, restrict(allowed, extended), kind)]


def restrict(allowed: str, extended: str) -> str:
    """Replace the extended shapes that are not enabled by their basic fallback (order kept)."""
    out = ""
    for shape in allowed:
        shape = shape if shape in BASIC or shape in extended else FALLBACK[shape]
        if shape not in out:
            out += shape
    return out


def targets(phones: list[Phone], extended: str = "GHX") -> list[Target]:
    out: list[Target] = []
    for phone in phones:
        out.extend(phone_targets(phone, extended))
    return out


def basic(shape: str) -> str:
    """The scoring space of reference A4: G→A, H→C, X→A."""
    return FALLBACK.get(shape, shape)
