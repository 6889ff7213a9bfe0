"""Where the mouth goes: the default box, the checks, and fitting a drawing into it.

A mouth drawing's whole canvas, transparent margins included, is scaled to fit the box keeping
its aspect ratio and centred in it: that lets an artist position the mouth inside its canvas and
have that position kept. A box partly outside the picture is kept as given and the drawing is
cut at the picture's edge (the caller warns); a box wholly outside is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from skill.errors import MediaError, UsageError

Box = tuple[int, int, int, int]  # x, y, width, height in the character's pixels

# The default: a quarter of the picture's width, 3:5 high, centred, its top at 62 % of the height
# (where a front-facing cartoon head filling the frame has its mouth).
_DEFAULT_WIDTH = 0.25
_DEFAULT_ASPECT = 0.6
_DEFAULT_TOP = 0.62


def default_box(width: int, height: int) -> Box:
    w = max(2, round(width * _DEFAULT_WIDTH))
    h = max(2, min(round(w * _DEFAULT_ASPECT), height - round(height * _DEFAULT_TOP)))
    return (width - w) // 2, round(height * _DEFAULT_TOP), w, h


def check_box(box: Box, width: int, height: int) -> bool:
    """True when the box is partly outside the picture (it will be clipped); raises when it is
    empty or wholly outside."""
    x, y, w, h = box
    if w <= 0 or h <= 0:
        raise UsageError("errors/animate_box_empty", box=format_box(box))
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise MediaError("errors/animate_box_outside", box=format_box(box), width=width, height=height)
    return x < 0 or y < 0 or x + w > width or y + h > height


def format_box(box: Box) -> str:
    return ",".join(str(v) for v in box)


@dataclass(frozen=True)
class Fitted:
    """A drawing scaled for a box: the RGBA image and where its top-left corner lands."""

    image: Image.Image
    x: int
    y: int


def fit(mouth: Image.Image, box: Box) -> Fitted:
    x, y, w, h = box
    scale = min(w / mouth.width, h / mouth.height)
    size = (max(1, round(mouth.width * scale)), max(1, round(mouth.height * scale)))
    # Resized premultiplied: transparent pixels' colour must not bleed into the drawing's edge.
    scaled = mouth if size == mouth.size else (
        mouth.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA"))
    return Fitted(scaled, x + (w - size[0]) // 2, y + (h - size[1]) // 2)
