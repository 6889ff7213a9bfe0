"""The built-in mouth set: nine clean cartoon mouths drawn with Pillow, no asset files.

Each is drawn at four times its size on a transparent 200×120 canvas and scaled down (smooth
edges at any box size). They are told apart by outline, not by fine detail, so that each still
reads on a small face after video compression: rest is a thin smile, the closure a pressed
pair of lips, and the open shapes differ in height, width and what shows (teeth, tongue).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 200, 120
_SCALE = 4
_SIZE = (WIDTH * _SCALE, HEIGHT * _SCALE)
_LINE = (58, 22, 26, 255)
_INSIDE = (92, 16, 32, 255)
_LIP = (196, 70, 84, 255)
_TEETH = (250, 250, 246, 255)
_TONGUE = (232, 104, 128, 255)
_STROKE = 5 * _SCALE

Box = tuple[float, float, float, float]


def _s(box: Box) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return round(x0 * _SCALE), round(y0 * _SCALE), round(x1 * _SCALE), round(y1 * _SCALE)


def _open(canvas: Image.Image, box: Box, teeth: float = 0.0, tongue: Box | None = None) -> None:
    """An open mouth: dark inside, an upper row of teeth ``teeth`` of its height, a tongue; what
    is inside is cut to the opening's ellipse, then outlined."""
    inside = Image.new("RGBA", _SIZE, _INSIDE)
    draw = ImageDraw.Draw(inside)
    x0, y0, x1, y1 = box
    if tongue is not None:
        draw.ellipse(_s(tongue), fill=_TONGUE)
    if teeth:
        draw.rectangle(_s((x0, y0, x1, y0 + (y1 - y0) * teeth)), fill=_TEETH)
    mask = Image.new("L", _SIZE, 0)
    ImageDraw.Draw(mask).ellipse(_s(box), fill=255)
    canvas.paste(inside, mask=mask)
    ImageDraw.Draw(canvas).ellipse(_s(box), outline=_LINE, width=_STROKE)


def _rest(canvas: Image.Image) -> None:
    ImageDraw.Draw(canvas).arc(_s((50, 18, 150, 70)), 25, 155, fill=_LINE, width=_STROKE)


def _closed(canvas: Image.Image) -> None:
    d = ImageDraw.Draw(canvas)
    d.ellipse(_s((38, 44, 162, 76)), fill=_LIP, outline=_LINE, width=_STROKE)
    d.line(_s((44, 60, 156, 60)), fill=_LINE, width=_STROKE + _SCALE)


def _clenched(canvas: Image.Image) -> None:
    d = ImageDraw.Draw(canvas)
    d.rounded_rectangle(_s((34, 40, 166, 80)), radius=18 * _SCALE, fill=_TEETH, outline=_LINE, width=_STROKE)
    d.line(_s((40, 60, 160, 60)), fill=_LINE, width=3 * _SCALE)
    for x in (70, 100, 130):
        d.line(_s((x, 44, x, 76)), fill=_LINE, width=2 * _SCALE)


def _open_eh(canvas: Image.Image) -> None:
    _open(canvas, (38, 30, 162, 90), teeth=0.28)


def _wide(canvas: Image.Image) -> None:
    _open(canvas, (30, 6, 170, 114), teeth=0.2, tongue=(62, 74, 138, 118))


def _rounded(canvas: Image.Image) -> None:
    _open(canvas, (62, 22, 138, 98), tongue=(76, 70, 124, 100))


def _pucker(canvas: Image.Image) -> None:
    d = ImageDraw.Draw(canvas)
    d.ellipse(_s((70, 34, 130, 86)), fill=_LIP, outline=_LINE, width=_STROKE)
    d.ellipse(_s((87, 49, 113, 71)), fill=_INSIDE, outline=_LINE, width=3 * _SCALE)


def _bite(canvas: Image.Image) -> None:
    d = ImageDraw.Draw(canvas)
    d.ellipse(_s((44, 50, 156, 88)), fill=_LIP, outline=_LINE, width=_STROKE)
    d.rounded_rectangle(_s((62, 34, 138, 62)), radius=6 * _SCALE, fill=_TEETH, outline=_LINE, width=3 * _SCALE)
    d.arc(_s((40, 14, 160, 54)), 20, 160, fill=_LINE, width=_STROKE)


def _tongue_up(canvas: Image.Image) -> None:
    _open(canvas, (40, 24, 160, 96), teeth=0.18, tongue=(68, 30, 132, 74))


_DRAWINGS: dict[str, Callable[[Image.Image], None]] = {
    "A": _closed, "B": _clenched, "C": _open_eh, "D": _wide, "E": _rounded, "F": _pucker,
    "G": _bite, "H": _tongue_up, "X": _rest,
}


@cache
def builtin_mouth(shape: str) -> Image.Image:
    """The built-in drawing of ``shape`` (RGBA, 200×120, transparent around the mouth)."""
    big = Image.new("RGBA", _SIZE, (0, 0, 0, 0))
    _DRAWINGS[shape](big)
    # Premultiplied while scaling down, so the transparent black around a shape does not darken its edge.
    return big.convert("RGBa").resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).convert("RGBA")


def builtin_mouths() -> dict[str, Image.Image]:
    """All nine, keyed by Rhubarb letter (a fresh dict; the images are shared, do not draw on them)."""
    return {shape: builtin_mouth(shape) for shape in _DRAWINGS}
