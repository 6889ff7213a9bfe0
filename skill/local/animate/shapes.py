"""The nine mouth shapes: Rhubarb's letters, their Preston Blair names, and the fallbacks.

Rhubarb's letters are the engine's vocabulary (``skill.local.mouthcues``); Preston Blair names are
what many drawn mouth sets use. The name table is Rhubarb's own ``--datUsePrestonBlair`` one, so a
folder drawn for Moho/OpenToonz reads the same here.
"""

from __future__ import annotations

SHAPES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H", "X")
BASIC: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
# An extended shape a mouth set lacks is drawn with the basic shape Rhubarb collapses it to.
FALLBACK: dict[str, str] = {"G": "A", "H": "C", "X": "A"}
PRESTON_BLAIR: dict[str, str] = {"A": "MBP", "B": "etc", "C": "E", "D": "AI", "E": "O", "F": "U",
                                 "G": "FV", "H": "L", "X": "rest"}
# What each shape looks like, for the contact sheet's captions.
MEANING: dict[str, str] = {"A": "M B P", "B": "K S T EE", "C": "EH AE", "D": "AA", "E": "AO ER",
                           "F": "UW OW W", "G": "F V", "H": "L", "X": "rest"}
# Names that only a Preston Blair set uses: one of them present means "E" is Rhubarb's C.
PB_ONLY: frozenset[str] = frozenset(name.lower() for name in PRESTON_BLAIR.values()) - {"e"}


def shown_name(shape: str, preston_blair: bool) -> str:
    """How the person's own folder names ``shape``: ``MBP`` for a Preston Blair set, else ``A``."""
    return PRESTON_BLAIR[shape] if preston_blair else shape


def drawn_as(shape: str, available: set[str] | frozenset[str]) -> str:
    """The shape whose drawing shows ``shape`` (itself, or its basic fallback)."""
    return shape if shape in available else FALLBACK.get(shape, shape)
