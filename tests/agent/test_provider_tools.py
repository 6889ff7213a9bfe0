"""talk / motion / dub / job through ``call`` against the loopback fal.ai emulator (tests/providers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.agent import tools
from tests.agent.helpers import fresh_app
from tests.providers import fal_emulator
from tests.providers.media import make_mp4, make_png, make_wav


@pytest.fixture
def fal(fal: fal_emulator.FalState) -> fal_emulator.FalState:
    """The shared emulator (tests/providers/fal_fixtures.py), every job finishing at the first poll."""
    fal.plan = ["COMPLETED"]
    return fal


@pytest.mark.parametrize(("name", "roles"), [("talk", ("image", "audio")), ("motion", ("image", "video")),
                                             ("dub", ("video", "audio"))])
def test_submit_then_fetch_the_result(fal, tmp_path: Path, name: str, roles: tuple[str, str]) -> None:
    made = {"image": lambda: make_png(tmp_path / "face.png", 640, 480),
            "audio": lambda: make_wav(tmp_path / "voice.wav", 2.0),
            "video": lambda: make_mp4(tmp_path / "clip.mp4")}
    inputs = {role: str(made[role]()) for role in roles}
    submitted = tools.call(name, {**inputs, "provider": "fal", "wait": False}, fresh_app())
    assert submitted["ok"] is True and submitted["provider"] == "fal", submitted
    job_id = submitted["job_id"]
    assert submitted["progress"], "the submission is reported"

    target = tmp_path / "out.mp4"
    status = tools.call("job", {"job_id": job_id}, fresh_app())
    assert status["ok"] is True and status["job_id"] == job_id
    result = tools.call("job", {"job_id": job_id, "action": "result", "output": str(target)}, fresh_app())
    assert result["ok"] is True, result
    assert target.read_bytes()[4:8] == b"ftyp"
    assert result["media"] == [str(target)]
    assert fal_emulator.KEY not in repr([submitted, status, result])
