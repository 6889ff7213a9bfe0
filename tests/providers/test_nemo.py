"""NemoVideo as a provider: upload, one edit turn, export — against the NemoVideo emulator."""

from __future__ import annotations

from pathlib import Path

from tests.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
VIDEO = REPO / "fixtures" / "media" / "interview.mp4"
VOICE = REPO / "fixtures" / "media" / "voice_studio.wav"


def test_dub_on_nemo_uploads_asks_once_and_exports(emulator: Emulator, cli, tmp_path: Path) -> None:
    emulator.play("emulator_basic")
    target = tmp_path / "dubbed.mp4"
    result = cli("dub", "--video", VIDEO, "--audio", VOICE, "--output", target)  # auto: no keys → nemo
    assert result.code == 0, result.err
    out = result.json()
    assert out["provider"] == "nemo" and Path(out["output"]).is_file()
    assert "syncing the Spanish voiceover" in out["agent_reply"]
    assert len(emulator.calls("upload")) == 1 and len(emulator.calls("run_sse")) == 1
    sent = str(emulator.calls("run_sse")[0].json)
    assert "interview.mp4" in sent and "voice_studio.wav" in sent


def test_a_turn_that_exported_already_is_not_rendered_again(emulator: Emulator, cli, tmp_path: Path) -> None:
    # The agent said "click Export", so the turn itself rendered and downloaded the video.
    emulator.play("gui_export_en")
    target = tmp_path / "dubbed.mp4"
    result = cli("dub", "--video", VIDEO, "--audio", VOICE, "--provider", "nemo", "--output", target)
    assert result.code == 0, result.err
    assert len(emulator.calls("render-submit")) == 1, "the same draft was rendered twice"
    assert result.json()["output"] == str(target) and target.is_file()
    assert [p.name for p in tmp_path.glob("*.mp4")] == ["dubbed.mp4"]


def test_an_unfinished_turn_exports_nothing(emulator: Emulator, cli, tmp_path: Path) -> None:
    emulator.play("drop_mid_stream")
    result = cli("dub", "--video", VIDEO, "--audio", VOICE, "--provider", "nemo", "--output", tmp_path / "o.mp4")
    assert result.code == 1 and "did not finish" in result.err
    assert not (tmp_path / "o.mp4").exists() and emulator.calls("render-submit") == []


def test_motion_is_not_offered_on_nemo(cli) -> None:
    result = cli("motion", "--image", VIDEO, "--video", VIDEO, "--provider", "nemo")
    assert result.code == 2 and "fal" in result.err
