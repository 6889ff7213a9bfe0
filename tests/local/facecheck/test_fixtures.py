"""The bundled fixtures and the other test suites' synthetic clips: faceless, so "no face" and
"can't judge" — never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.local import facecheck
from tests.conftest import REPO
from tests.media import factory
from tests.providers.media import make_mp4

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow


def _clips(tmp: Path) -> dict[str, Path]:
    return {
        "interview fixture": REPO / "fixtures" / "media" / "interview.mp4",
        "media factory clip": factory.video(tmp / "grey.mp4", seconds=1.0),
        "media factory webm": factory.video(tmp / "grey.webm", seconds=1.0),
        "provider clip, variable rate": make_mp4(tmp / "vfr.mp4", variable_rate=True),
    }


@pytest.mark.parametrize("name", ["interview fixture", "media factory clip", "media factory webm",
                                  "provider clip, variable rate"])
def test_faceless_clips_are_unusable_and_not_judged(tmp_path: Path, name: str) -> None:
    report = facecheck.check(_clips(tmp_path)[name])
    assert report["verdict"] == "unusable"
    assert report["reason_codes"][0]["code"] == "no_face"
    assert report["av_offset_ms"] is None and report["av_status"] == "no_face"
