"""Fixtures for the dub-fit tests: generated voice-like pairs (numpy, at test time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.local.dubfit.synth import track
from tests.local.speechsynth import write_wav

# original phrases (start, length) in a 12 s track at 48 kHz with noise; the dub says the same
# three phrases 20 % longer, 15 % shorter and 10 % longer, at 44.1 kHz with other pauses
ORIGINAL = [(1.0, 2.0), (3.6, 1.6), (6.0, 2.4), (9.2, 1.5)]
DUB = [(0.4, 2.4), (3.3, 1.36), (5.4, 2.64), (8.9, 1.5)]
DURATION = 12.0


@pytest.fixture
def fit_cli(cli: Callable) -> Callable:
    """``lip-sync-video`` in this process (the shared ``cli`` fixture), for the fit tests."""
    return cli


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dubfit")
    original = write_wav(folder / "original.wav", track(ORIGINAL, DURATION, 48_000, 120, noise_db=-55), 48_000)
    dub = write_wav(folder / "dub.wav", track(DUB, 11.0, 44_100, 190, seed=3), 44_100, channels=2)
    return original, dub


@pytest.fixture(scope="session")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.local.speechsynth import write_video

    folder = tmp_path_factory.mktemp("dubfit_video")
    return write_video(folder / "clip.mp4", track(ORIGINAL, DURATION, 48_000, 120, noise_db=-55), 48_000)
