"""Fixtures for the mouth-cue tests: the committed Festival sentences and audio made with numpy."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "mouth"
RATE = 16_000


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    pcm = np.clip(samples * 32767, -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def truth(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def bob() -> Path:
    """A male diphone voice: "Bob bought a big map of the farm." (Festival, exact phone times)."""
    return FIXTURES / "bob_kal.wav"


@pytest.fixture
def pens() -> Path:
    """A female HTS voice: "Please pass me seven blue pens."."""
    return FIXTURES / "pens_slt.wav"
