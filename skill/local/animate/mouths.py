"""A mouth set: the person's folder of drawings (Rhubarb letters or Preston Blair names) or the
built-in one, as nine RGBA images keyed by Rhubarb letter.

The naming rule is the issue's: a folder holding any name only Preston Blair uses (``MBP``,
``etc``, ``AI``, ``O``, ``U``, ``FV``, ``L``, ``rest``) is read as Preston Blair throughout, so
its ``E`` is Rhubarb's C; otherwise files are Rhubarb letters. Names match case-insensitively
(``Rest.png``, ``mbp.PNG``). A missing G, H or X is drawn with A, C, A, as Rhubarb collapses
them; a missing A–F is an error that names the file to add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from skill.errors import MediaError
from skill.local.animate.shapes import BASIC, FALLBACK, PB_ONLY, PRESTON_BLAIR, SHAPES, shown_name

# Preference when one name exists in several formats: the ones that can carry transparency first.
EXTENSIONS: tuple[str, ...] = (".png", ".webp", ".jpg", ".jpeg")


@dataclass
class MouthSet:
    images: dict[str, Image.Image]  # all nine shapes, fallbacks filled in
    source: str  # "builtin" or the folder
    preston_blair: bool = False
    fallbacks: dict[str, str] = field(default_factory=dict)  # shape -> the shape drawn for it

    @property
    def builtin(self) -> bool:
        return self.source == "builtin"


def builtin_set() -> MouthSet:
    from skill.local.animate.builtin import builtin_mouths

    return MouthSet(builtin_mouths(), "builtin")


def load_mouths(folder: Path | None) -> MouthSet:
    """The built-in set for ``None``; else the folder's drawings (see the module's rule)."""
    if folder is None:
        return builtin_set()
    if not folder.is_dir():
        raise MediaError("errors/animate_mouths_not_folder", dir=str(folder))
    files = _image_files(folder)
    preston_blair = any(name in PB_ONLY for name in files)
    images: dict[str, Image.Image] = {}
    for shape in SHAPES:
        path = files.get(shown_name(shape, preston_blair).lower())
        if path is not None:
            images[shape] = _read(path)
    missing = [shape for shape in BASIC if shape not in images]
    if missing:
        shape = missing[0]
        raise MediaError("errors/animate_mouths_missing", folder=str(folder),
                         name=shown_name(shape, preston_blair), shape=shape, preston_blair=preston_blair,
                         missing=[shown_name(s, preston_blair) for s in missing])
    fallbacks = {shape: FALLBACK[shape] for shape in SHAPES if shape not in images}
    for shape, basic in fallbacks.items():
        images[shape] = images[basic]
    return MouthSet(images, str(folder), preston_blair, fallbacks)


def _image_files(folder: Path) -> dict[str, Path]:
    """Lower-case stem -> file, for the image files directly in ``folder``."""
    found: dict[str, Path] = {}
    entries = sorted((p for p in folder.iterdir() if p.suffix.lower() in EXTENSIONS and p.is_file()),
                     key=lambda p: EXTENSIONS.index(p.suffix.lower()))
    for path in entries:
        found.setdefault(path.stem.lower(), path)
    return found


def _read(path: Path) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.load()
            return image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise MediaError("errors/animate_mouth_unreadable", file=str(path)) from None


def names(preston_blair: bool) -> list[str]:
    """The nine file names a folder of this scheme holds, in shape order (for messages and docs)."""
    return [PRESTON_BLAIR[s] if preston_blair else s for s in SHAPES]
