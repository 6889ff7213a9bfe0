"""``lip-sync-video chat``: routed to the right handler, in the person's language, over real HTTP."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conversation.helpers import unquoted
from tests.emulator import Emulator
from tests.local.speechsynth import camera_chain, speech_like, studio_copy, write_video, write_wav
from tests.media import factory

RATE = 16_000


@pytest.fixture(scope="module")
def late_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A clip and a studio copy of its speech that comes 300 ms early."""
    root = tmp_path_factory.mktemp("pair")
    performance = speech_like(8, RATE)
    video = write_video(root / "talk.mp4", camera_chain(performance, RATE), rate=RATE)
    audio = write_wav(root / "dub.wav", studio_copy(performance, RATE, 1.0, 0.3), RATE)
    return video, audio


def test_credits_json(emulator: Emulator, cli) -> None:
    result = cli("chat", "how many credits do I have?", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["intent"] == "credits" and body["ok"] is True
    assert "100" in body["reply"]
    assert emulator.calls("run_sse") == []


def test_state_in_chinese(emulator: Emulator, cli) -> None:
    result = cli("chat", "看看现在的状态")
    assert result.code == 0, result.err
    assert "时间线（3 条轨道）" in result.out


def test_edit_goes_to_the_sse_turn(emulator: Emulator, cli) -> None:
    emulator.play("text_turn")
    result = cli("chat", "move the voiceover 200 ms earlier", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["intent"] == "edit"
    assert unquoted(body["reply"]) == ("Sure! I moved the Spanish voiceover 200 ms earlier so it starts with the "
                                       "speaker's lips.")
    assert [c.json["new_message"]["parts"][0]["text"] for c in emulator.calls("run_sse")] == [
        "move the voiceover 200 ms earlier"]


def test_chinese_edit_reply_is_chinese(emulator: Emulator, cli) -> None:
    emulator.play("silent_edit")
    result = cli("chat", "加上西班牙语字幕")
    assert result.code == 0, result.err
    assert result.out.startswith("好了，改动如下") and "新增第 4 条轨道" in result.out


def test_upload_then_edit(emulator: Emulator, cli, tmp_path: Path) -> None:
    clip = factory.video(tmp_path / "clip.mp4", width=854, height=480, seconds=1.0)
    emulator.play("silent_edit")
    result = cli("chat", "upload this and add captions", "--attach", str(clip), "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["intent"] == "upload"
    assert [r["key"] for r in body["results"]] == ["media/uploaded", "edit/silent"]
    assert len(emulator.calls("upload")) == 1 and len(emulator.calls("run_sse")) == 1
    assert "Added track 4" in body["reply"]


def test_export_in_chinese_delivers_the_file(emulator: Emulator, cli, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("chat", "导出")
    assert result.code == 0, result.err
    media = [line.removeprefix("MEDIA:") for line in result.out.splitlines() if line.startswith("MEDIA:")]
    assert len(media) == 1 and Path(media[0]).is_file()
    assert emulator.calls("run_sse") == []


def test_local_sync_fix_never_touches_the_cloud(emulator: Emulator, cli, late_pair: tuple[Path, Path],
                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    video, audio = late_pair
    result = cli("chat", "the dub is 300 ms early, fix it", "--attach", str(video), "--attach", str(audio),
                 "--local", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["path"] == "local"
    assert body["reply"].startswith("Fixed on this machine")
    assert abs(body["results"][0]["offset_ms"] - 300) < 5
    assert emulator.calls() == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_cloud_falls_back_to_local(cli, late_pair: tuple[Path, Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEMO_API_BASE", f"http://127.0.0.1:{_closed_port()}")
    video, audio = late_pair
    result = cli("chat", "audio is out of sync with the video", "--attach", str(video), "--attach", str(audio),
                 "--cloud", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["path"] == "local_fallback"
    assert "cloud could not be reached" in body["reply"]
    assert "fixing the sync on this machine" in result.err


@pytest.mark.parametrize("args", [("chat", "  "), ("chat", "fix the sync", "--local")])
def test_bad_input_is_a_usage_error(cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 2
    assert "Traceback" not in result.err and result.err.strip()


@pytest.mark.parametrize("utterance, expected", [("upload my video", "attach the video"), ("上传", "附上视频")])
def test_upload_without_a_file_asks_for_it(emulator: Emulator, cli, utterance: str, expected: str) -> None:
    result = cli("chat", utterance)
    assert result.code == 0, result.err
    assert expected in result.out
    assert emulator.calls() == []


@pytest.mark.slow
def test_real_process_chinese_in_chinese_out_with_progress(emulator: Emulator, run_cli) -> None:
    emulator.play("heartbeats")
    result = run_cli("chat", "帮我看看这段视频")
    assert result.code == 0, result.err
    assert result.out.startswith("NemoVideo 的回复（原话引用）：\n> I watched your clip")  # its words, quoted
    assert "⏳ 还在处理中..." in result.err and "👀 正在看你的素材…" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("how", [("audio is out of sync with the video", "--cloud"),
                                 ("audio is out of sync with the video, use the cloud lip-sync",)])
def test_sync_fix_goes_to_the_cloud_only_when_asked(emulator: Emulator, cli, late_pair: tuple[Path, Path],
                                                    how: tuple[str, ...]) -> None:
    emulator.play("text_turn")
    video, audio = late_pair
    result = cli("chat", how[0], "--attach", str(video), "--attach", str(audio), *how[1:], "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["path"] == "cloud" and body["reply"].startswith("Sent to the NemoVideo cloud editor.")
    assert len(emulator.calls("upload")) == 1
    assert [c.json["new_message"]["parts"][0]["text"] for c in emulator.calls("run_sse")] == [how[0]]


def test_edit_then_export_runs_both_and_saves_where_asked(emulator: Emulator, cli, tmp_path: Path) -> None:
    emulator.play("silent_edit")
    target = tmp_path / "final.mp4"
    result = cli("chat", f"add Spanish captions, then export it to {target}")
    assert result.code == 0, result.err
    assert [c.json["new_message"]["parts"][0]["text"] for c in emulator.calls("run_sse")] == [
        f"add Spanish captions, then export it to {target}"]
    assert len(emulator.calls("render-submit")) == 1
    assert f"MEDIA:{target}" in result.out.splitlines() and target.is_file()


def test_deferred_export_is_not_run(emulator: Emulator, cli) -> None:
    emulator.play("silent_edit")
    result = cli("chat", "先别导出，把字幕加上")
    assert result.code == 0, result.err
    assert len(emulator.calls("run_sse")) == 1 and emulator.calls("render-submit") == []


def test_follow_ups_wait_for_the_missing_file(emulator: Emulator, cli) -> None:
    result = cli("chat", "upload my clip and add captions")
    assert result.code == 0, result.err
    assert "attach the video" in result.out and emulator.calls() == []


def test_a_follow_up_edit_runs_after_credits(emulator: Emulator, cli) -> None:
    emulator.play("silent_edit")
    result = cli("chat", "check my credits, then add subtitles", "--json")
    assert result.code == 0, result.err
    assert [r["key"] for r in result.json()["results"]] == ["account/credits", "edit/silent"]
    assert len(emulator.calls("run_sse")) == 1


# -- issue 14: offline first, one language ------------------------------------------------------

def test_a_sync_complaint_with_two_local_files_is_fixed_here_by_default(emulator: Emulator, cli,
                                                                       late_pair: tuple[Path, Path], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    video, audio = late_pair
    result = cli("chat", "音画不同步", "--attach", str(video), "--attach", str(audio), "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["path"] == "local" and body["lang"] == "zh"
    assert body["reply"].startswith("已在本机用离线同步引擎修正")
    assert abs(body["results"][0]["offset_ms"] - 300) < 5
    assert emulator.calls() == []  # nothing uploaded, no turn


def test_local_and_cloud_together_is_a_usage_error(cli, late_pair: tuple[Path, Path]) -> None:
    video, audio = late_pair
    result = cli("chat", "fix the sync", "--attach", str(video), "--attach", str(audio), "--local", "--cloud")
    assert result.code == 2 and "--cloud" in result.err


def test_an_english_session_answers_a_chinese_message_in_chinese(emulator: Emulator, tmp_path: Path) -> None:
    from skill.handlers.chat import chat
    from tests.conversation.helpers import events_of, make_app

    clip = factory.video(tmp_path / "clip.mp4", width=854, height=480, seconds=1.0)
    other = factory.video(tmp_path / "b.mp4", width=854, height=480, seconds=1.0)
    emulator.play("silent_edit")
    app = make_app("en")
    try:
        reply = chat(app, "上传这两个并加上字幕", [str(clip), str(other)])
    finally:
        app.close()
    assert reply.lang == "zh" and app.lang == "en"  # the session's own language is left as it was
    text = reply.text("en")
    assert [r["key"] for r in reply.data["results"]] == ["media/uploaded", "edit/silent"]
    assert "已上传 2 个文件" in text and "新增第 4 条轨道" in text
    # Project content (the captions' Spanish, track names) is data; no English template words around it.
    assert not [w for w in ("Uploaded", "Added track", "Timeline", "files", "Done") if w in text], text
    progress = [line for line in events_of(app) if "上传" in line or "Upload" in line]
    assert progress and all("正在上传 2 个文件" in line for line in progress), progress

