"""The face check where a person meets it without asking: before a lip-sync job spends anything,
on a lip-sync's result, on an export, and as an agent tool."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from skill import env
from skill.agent import tools
from skill.app import App
from skill.handlers import jobs
from skill.handlers.face_check import add_sync_line
from skill.replies import Reply
from tests.local.speechsynth import write_wav
from tests.providers.fal_emulator import FalState

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

FAST = ("--poll-interval", "0.01", "--timeout", "10")


@pytest.fixture
def face_check_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(env.FACE_CHECK.name, raising=False)  # the test isolation turns it off


@pytest.fixture
def voice(tmp_path: Path) -> Path:
    from tests.local.facecheck import facesynth as fs

    return write_wav(tmp_path / "es.wav", fs.speech(3.0, seed=8), fs.RATE)


def test_a_dub_of_a_video_without_a_real_face_is_refused_before_anything_is_sent(
        cli: Callable, fal: FalState, clips: dict[str, Path], voice: Path, face_check_on: None) -> None:
    for lang, word in (("en", "drawing"), ("zh", "卡通")):
        result = cli("dub", "--video", clips["cartoon"], "--audio", voice, "--provider", "fal", "--lang", lang, *FAST)
        assert result.code == 1
        assert word in result.err and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1
    assert fal.log == [] and fal.jobs == {}  # not one request: no upload, no credit


def test_a_dub_of_a_video_with_a_small_face_warns_and_goes_ahead(
        cli: Callable, fal: FalState, clips: dict[str, Path], voice: Path, face_check_on: None) -> None:
    result = cli("dub", "--video", clips["small"], "--audio", voice, "--provider", "fal", "--async")
    assert result.code == 0, result.err
    assert "Face check of small.mp4" in result.err and "small, 7" in result.err
    assert "lags" not in result.err  # the video's own sync does not matter: its sound is replaced
    assert len(fal.jobs) == 1


def test_the_gate_is_off_when_switched_off(cli: Callable, fal: FalState, clips: dict[str, Path],
                                           voice: Path) -> None:
    result = cli("dub", "--video", clips["cartoon"], "--audio", voice, "--provider", "fal", "--async")
    assert result.code == 0, result.err
    assert len(fal.jobs) == 1


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "line"), [("en", "the voice lags the mouth by 3 frames"), ("zh", "声音比嘴晚 3 帧")])
def test_a_lip_sync_result_gets_a_one_line_sync_verdict(clips: dict[str, Path], face_check_on: None, lang: str,
                                                        line: str) -> None:
    reply = jobs._checked(App(lang=lang), "dub", Reply("jobs/done", {"provider": "fal", "model": None,
                                                                     "outputs": [str(clips["late3"])]},
                                                       media=[str(clips["late3"])]))
    assert line in reply.data["sync_line"] and "align" in reply.data["sync_line"]
    assert line in reply.text(lang)
    in_sync = jobs._checked(App(lang=lang), "talk", Reply("jobs/done", {"provider": "fal", "model": None,
                                                                        "outputs": []}, media=[str(clips["ok"])]))
    assert in_sync.data["sync_line"] == ("in sync: mouth and voice within 1 frame" if lang == "en"
                                         else "口型已对上：嘴和声音相差不到 1 帧")


def test_an_export_that_is_not_a_lip_sync_gets_no_sync_line(clips: dict[str, Path], face_check_on: None) -> None:
    export = Reply("export/done", {"path": str(clips["landscape"]), "render_id": "r", "resumed": False,
                                   "duration": 3, "timing_json": None}, media=[str(clips["landscape"])])
    assert "sync_line" not in add_sync_line(App(), export, only_measured=True).data
    lip_sync = Reply("export/done", dict(export.data, path=str(clips["late3"])), media=[str(clips["late3"])])
    assert "lags the mouth" in add_sync_line(App(), lip_sync, only_measured=True).text("en")


def test_the_agent_tool_checks_a_video(clips: dict[str, Path]) -> None:
    names = [s["name"] for s in tools.schemas("anthropic")]
    assert "face_check" in names
    result = tools.call("face_check", {"video": str(clips["late3"])}, App(), "en")
    assert result["ok"] and result["verdict"] == "warn" and abs(result["av_offset_frames"] - 3) <= 1
    refused = tools.call("face_check", {"video": str(clips["wav"])}, App(), "en")
    assert refused["ok"] is False and refused["error"] == "errors/face_audio_only"


def test_a_cloud_lip_sync_asked_in_chat_checks_the_face_before_uploading(
        emulator, cli: Callable, clips: dict[str, Path], voice: Path, face_check_on: None) -> None:
    for lang, text, word in (("en", "sync my Spanish dub to this clip", "drawing"), ("zh", "给这个视频对口型", "卡通")):
        result = cli("chat", text, "--attach", clips["cartoon"], "--attach", voice)
        assert result.code == 1, (lang, result.out)
        assert word in result.err and "Traceback" not in result.err
    assert emulator.calls("upload") == [] and emulator.calls("run_sse") == []  # nothing sent, no credit


def test_a_plain_upload_without_an_instruction_is_not_face_checked(
        emulator, cli: Callable, clips: dict[str, Path], face_check_on: None) -> None:
    result = cli("chat", "here is the clip", "--attach", clips["landscape"])
    assert result.code == 0, result.err
    assert len(emulator.calls("upload")) == 1


def test_a_batch_pair_whose_video_has_no_real_face_fails_before_its_upload(
        emulator, cli: Callable, clips: dict[str, Path], voice: Path, tmp_path: Path, face_check_on: None) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"video: {clips['cartoon']}\npairs:\n  - audio: {voice}\n    label: es\n", encoding="utf-8")
    result = cli("batch", manifest)
    assert result.code == 1
    assert "drawing" in result.out + result.err
    assert emulator.calls("upload") == []
