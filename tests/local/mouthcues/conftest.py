"""Fixtures for the mouth-cue tests: the committed Festival sentences and audio made with numpy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "mouth"
RATE = 16_000


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
