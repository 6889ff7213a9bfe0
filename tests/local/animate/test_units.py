"""The renderer's pieces on their own: naming rule, fallbacks, the built-in set, box fitting,
the frame schedule and the composites a still needs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skill.errors import MediaError, UsageError
from skill.local.animate import box as boxes
from skill.local.animate.builtin import builtin_mouths
from skill.local.animate.mouths import load_mouths
from skill.local.animate.schedule import frame_count, frame_shapes
from skill.local.animate.shapes import SHAPES
from tests.local.animate import media
from tests.local.animate.checks import Cue


def _index(image: Image.Image) -> int:
    """Which of media.mouth_image's nine drawings this is (by its colour)."""
    for i in range(9):
        if np.array_equal(np.asarray(image), np.asarray(media.mouth_image(i))):
            return i
    raise AssertionError("not one of the fixture mouths")


def test_preston_blair_folder_reads_e_as_c(tmp_path: Path) -> None:
    folder = media.mouth_folder(tmp_path / "pb", preston_blair=True)
    mouths = load_mouths(folder)
    assert mouths.preston_blair and mouths.fallbacks == {}
    assert [_index(mouths.images[s]) for s in SHAPES] == list(range(9))
    assert _index(mouths.images["C"]) == 2  # the file E.png


def test_one_preston_blair_name_switches_the_whole_folder(tmp_path: Path) -> None:
    folder = media.mouth_folder(tmp_path / "mixed", shapes="ABCDEF")  # Rhubarb letters…
    media.mouth_image(8).save(folder / "Rest.PNG")  # …plus one PB name, in another case
    (folder / "MBP.png").write_bytes((folder / "A.png").read_bytes())
    (folder / "etc.png").write_bytes((folder / "B.png").read_bytes())
    (folder / "AI.png").write_bytes((folder / "D.png").read_bytes())
    (folder / "O.png").write_bytes((folder / "E.png").read_bytes())
    (folder / "U.png").write_bytes((folder / "F.png").read_bytes())
    mouths = load_mouths(folder)
    assert mouths.preston_blair
    assert _index(mouths.images["C"]) == 4  # E.png is now Rhubarb's C: the drawing made as "E"
    assert _index(mouths.images["X"]) == 8 and mouths.fallbacks == {"G": "A", "H": "C"}


def test_rhubarb_folder_with_only_basic_shapes_falls_back(tmp_path: Path) -> None:
    mouths = load_mouths(media.mouth_folder(tmp_path / "basic", shapes="ABCDEF", ext=".jpg"))
    assert not mouths.preston_blair and mouths.fallbacks == {"G": "A", "H": "C", "X": "A"}
    assert mouths.images["G"] is mouths.images["A"] and mouths.images["H"] is mouths.images["C"]
    assert mouths.images["X"] is mouths.images["A"] and mouths.images["D"].mode == "RGBA"


def test_missing_basic_shape_names_the_first_missing(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        load_mouths(media.mouth_folder(tmp_path / "m", shapes="ACEGHX"))
    assert caught.value.params["name"] == "B" and caught.value.params["missing"] == ["B", "D", "F"]
    assert "B.png" in caught.value.render("en") and "D, F" in caught.value.render("en")


def test_builtin_mouths_are_nine_clearly_different_shapes() -> None:
    mouths = builtin_mouths()
    assert sorted(mouths) == sorted(SHAPES)
    alphas = {s: np.asarray(m)[..., 3].astype(float) / 255 for s, m in mouths.items()}
    colours = {s: np.asarray(m.convert("RGB")).astype(float) * alphas[s][..., None] for s, m in mouths.items()}
    for a in SHAPES:
        assert 0.01 < alphas[a].mean() < 0.6  # something drawn, transparent around it
        for b in SHAPES:
            if a < b:
                # Outline or fill differ over a good part of the drawing, not just a few pixels.
                apart = np.abs(alphas[a] - alphas[b]).mean() + np.abs(colours[a] - colours[b]).mean() / 255
                assert apart > 0.07, (a, b, apart)  # the closest pair (C, G) measured 0.10


def test_fit_keeps_aspect_and_centres_the_whole_canvas() -> None:
    mouth = Image.new("RGBA", (200, 100), (255, 0, 0, 255))
    fitted = boxes.fit(mouth, (10, 20, 100, 100))
    assert fitted.image.size == (100, 50) and (fitted.x, fitted.y) == (10, 45)
    fitted = boxes.fit(mouth, (0, 0, 50, 10))
    assert fitted.image.size == (20, 10) and (fitted.x, fitted.y) == (15, 0)


def test_box_checks() -> None:
    assert boxes.check_box((10, 10, 20, 20), 100, 100) is False
    assert boxes.check_box((90, 90, 20, 20), 100, 100) is True
    with pytest.raises(MediaError):
        boxes.check_box((100, 10, 20, 20), 100, 100)
    with pytest.raises(UsageError):
        boxes.check_box((10, 10, 0, 20), 100, 100)
    x, y, w, h = boxes.default_box(640, 480)
    assert x + w / 2 == 320 and y > 240 and y + h <= 480


def test_frame_i_shows_the_cue_active_at_its_start() -> None:
    cues = [Cue(0.0, 0.05, "A"), Cue(0.05, 0.08, "B"), Cue(0.08, 0.125, "C"), Cue(0.125, 0.5, "X")]
    # 24 fps starts at 0, .042, .083, .125: no frame starts inside B, so B is not seen.
    assert list(frame_shapes(cues, Fraction(24), 4)) == ["A", "A", "C", "X"]
    assert list(frame_shapes(cues, Fraction(30), 5)) == ["A", "A", "B", "C", "X"]
    assert list(frame_shapes(cues, Fraction(24), 14))[-1] == "X"  # after the last cue: rest
    assert frame_count(2.6, Fraction(24)) == 62 and frame_count(0.001, Fraction(24)) == 1
    assert frame_count(10.0, Fraction(30000, 1001)) == 300


def test_a_still_is_composited_once_per_distinct_drawing(tmp_path: Path) -> None:
    from skill.local.animate.character import open_character
    from skill.local.animate.render import render

    character = open_character(media.character_png(tmp_path / "c.png", (64, 48)))
    voice = tmp_path / "v.wav"
    media.dialogue(voice, 2.0)
    cues = [Cue(i * 0.1, (i + 1) * 0.1, "ABAB" [i % 4] if i < 10 else "X") for i in range(20)]
    mouths = load_mouths(media.mouth_folder(tmp_path / "m", shapes="ABCDEF"))  # X is drawn as A
    done = render(character, voice, cues, 2.0, mouths, (16, 24, 32, 20), Fraction(24), tmp_path / "o.mp4")
    assert done.frames == 48 and done.composites == 2  # A (and X, the same drawing) and B
