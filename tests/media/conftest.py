"""Media made once per test session (tiny files; PyAV generates them in a few hundred ms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media import factory


class MediaSet:
    """Named sample files in one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clip = factory.video(root / "clip.mp4", width=854, height=480, seconds=2.0)  # 48 kHz track
        self.small = factory.video(root / "small.mp4", width=64, height=48, seconds=2.0)
        self.webm = factory.video(root / "clip.webm", width=640, height=480, seconds=2.0)
        self.voice = factory.audio(root / "voice.wav", seconds=2.0, sample_rate=48000)
        self.voice_44k = factory.audio(root / "voice44.wav", seconds=2.0, sample_rate=44100)
        self.voice_long = factory.audio(root / "voice_long.mp3", seconds=2.6, sample_rate=48000)
        self.voice_m4a = factory.audio(root / "voice.m4a", seconds=2.0, sample_rate=48000)
        self.picture = factory.image(root / "face.png")
        self.long_voice = factory.audio(root / "lecture.m4a", seconds=125.0, sample_rate=8000)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaSet:
    return MediaSet(tmp_path_factory.mktemp("media"))
