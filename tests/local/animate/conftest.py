"""Fixtures for animate: generated media, and the mouth-cue engine replaced by hand-made cues
that visit every shape (the renderer is tested on cues it cannot guess)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.local.animate import media
from tests.local.animate.checks import Cue, cues_through_all_shapes


@pytest.fixture(scope="session")
def assets(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("animate")
    ns = SimpleNamespace(root=root)
    ns.still = media.character_png(root / "hero.png")
    ns.odd = root / "odd.webp"
    media.character_png(root / "odd.png", (301, 223))
    from PIL import Image

    Image.open(root / "odd.png").save(ns.odd, lossless=True)
    ns.clip = media.clip(root / "walk.mp4")
    ns.voice_seconds = 2.6
    ns.voice_samples = media.dialogue(root / "line.wav", ns.voice_seconds)
    ns.voice = root / "line.wav"
    ns.rhubarb = media.mouth_folder(root / "mouths_rhubarb")
    ns.preston = media.mouth_folder(root / "mouths_pb", preston_blair=True, shapes="ABCDEF")
    return ns


@pytest.fixture
def fake_cues(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], list[Cue]]:
    """``fake_cues(duration)`` makes ``skill.local.mouthcues.analyse`` return cues through all shapes."""

    def install(duration: float) -> list[Cue]:
        cues = cues_through_all_shapes(duration)
        calls: list[dict[str, object]] = []

        def analyse(path: Path, **options: object) -> SimpleNamespace:
            calls.append({"path": path, **options})
            return SimpleNamespace(cues=cues, duration=duration, path_used="transcript")

        from skill.local import mouthcues

        monkeypatch.setattr(mouthcues, "analyse", analyse)
        install.calls = calls  # type: ignore[attr-defined]
        return cues

    return install


@pytest.fixture
def animate_cli(cli: Callable[..., object]) -> Callable[..., object]:
    return cli
