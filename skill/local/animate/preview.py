"""``--preview``: one PNG with the character nine times, each with one mouth in place, captioned,
so a person checks the mouth box at a glance before rendering."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from skill.local.animate.box import Box, fit
from skill.local.animate.mouths import MouthSet
from skill.local.animate.shapes import MEANING, SHAPES, shown_name

_TILE = 360  # longest side of each picture on the sheet
_CAPTION = 28
_GAP = 8


def contact_sheet(picture: Image.Image, mouths: MouthSet, box: Box, path: Path) -> None:
    """Write the sheet to ``path`` (PNG): a 3×3 grid in shape order A … H, X."""
    scale = min(1.0, _TILE / max(picture.width, picture.height))
    tile = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    sheet = Image.new("RGB", (3 * tile[0] + 4 * _GAP, 3 * (tile[1] + _CAPTION) + 4 * _GAP), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    base = picture.convert("RGBA")
    for n, shape in enumerate(SHAPES):
        composed = base.copy()
        fitted = fit(mouths.images[shape], box)
        _paste(composed, fitted.image, fitted.x, fitted.y)
        small = composed.convert("RGB").resize(tile, Image.Resampling.LANCZOS)
        left = _GAP + (n % 3) * (tile[0] + _GAP)
        top = _GAP + (n // 3) * (tile[1] + _CAPTION + _GAP)
        sheet.paste(small, (left, top))
        x, y, w, h = box
        draw.rectangle((left + x * scale, top + y * scale, left + (x + w) * scale, top + (y + h) * scale),
                       outline=(0, 200, 255))
        label = f"{shape}"
        if mouths.preston_blair:
            label += f" / {shown_name(shape, True)}"
        label += f"  ({MEANING[shape]})"
        if shape in mouths.fallbacks:
            label += f"  = {mouths.fallbacks[shape]}"
        draw.text((left + 4, top + tile[1] + 6), label, fill=(240, 240, 240), font=font)
    sheet.save(path, format="PNG")


def _paste(canvas: Image.Image, mouth: Image.Image, x: int, y: int) -> None:
    """Alpha-composite ``mouth`` at (x, y), cut at the canvas's edges (the box may stick out)."""
    left, top = max(0, -x), max(0, -y)
    right, bottom = min(mouth.width, canvas.width - x), min(mouth.height, canvas.height - y)
    if right > left and bottom > top:
        canvas.alpha_composite(mouth.crop((left, top, right, bottom)), (x + left, y + top))
