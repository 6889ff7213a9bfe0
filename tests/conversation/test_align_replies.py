"""``align`` replies: frames at the clip's own rate, and a check-only fix command to copy (issue 14)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.conversation.helpers import make_app
from tests.local.speechsynth import camera_chain, speech_like, studio_copy, write_video, write_wav

RATE = 16_000


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("align replies") / "with space"  # paths that need quoting
    root.mkdir()
    performance = speech_like(8, RATE)
    video = write_video(root / "talk 12fps.mp4", camera_chain(performance, RATE), rate=RATE, fps=12)
    late = write_wav(root / "dub late.wav", studio_copy(performance, RATE, 1.0, -0.25), RATE)
    return {"late": (video, late)}


def test_check_only_prints_a_fix_command_with_quoted_absolute_paths(cli, pairs, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    video, audio = pairs["late"]
    result = cli("align", str(video), str(audio), "--check-only", "--json")
    assert result.code == 0, result.err
    body = json.loads(result.out)
    words = shlex.split(body["fix_command"])
    assert words[:4] == ["lip-sync-video", "align", str(video.resolve()), str(audio.resolve())]
    assert words[4] == "-o" and Path(words[5]).is_absolute()
    assert body["fix_command"] in body["reply"]


def test_frames_are_counted_at_the_clips_own_rate(cli, pairs) -> None:
    video, audio = pairs["late"]
    body = json.loads(cli("align", str(video), str(audio), "--check-only", "--json").out)
    assert body["fps"] == 12
    assert body["lead_frames"] == pytest.approx(abs(body["lead_ms"]) * 12 / 1000, abs=0.06)
    assert f"{body['lead_frames']} frames at this clip's 12 fps" in body["reply"]
    assert "2 frames" not in body["reply"]


def test_no_fix_command_when_the_pair_is_already_in_sync(cli, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from skill.handlers import align as handler
    from skill.local.align import verdict

    real = verdict.report

    def in_sync(measurement):  # the engine's own verdict for a pair within 0.5 ms
        return {**real(measurement), "side": "in_sync"}

    monkeypatch.setattr(verdict, "report", in_sync)
    performance = speech_like(4, RATE)
    video = write_video(tmp_path / "v.mp4", camera_chain(performance, RATE), rate=RATE)
    audio = write_wav(tmp_path / "a.wav", studio_copy(performance, RATE, 1.0, 0.0), RATE)
    reply = handler.align(make_app(), video, audio, check_only=True)
    assert reply.data["fix_command"] is None
    assert "nothing needs fixing" in reply.text("en") and "lip-sync-video align" not in reply.text("en")
