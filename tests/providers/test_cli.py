"""The talk/motion/dub command line: usage errors, language, and what never reaches the output."""

from __future__ import annotations

import json

import pytest

from tests.providers.fal_emulator import KEY


@pytest.mark.parametrize(("args", "needle"), [
    (("talk", "--image-url", "https://x.test/a.png"), "--audio"),
    (("dub", "--video", "v.mp4", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav"),
     "--video"),
    (("dub", "--video-url", "https://x.test/v", "--audio-url", "https://x.test/a", "--timeout", "0"), "--timeout"),
    (("dub", "--video-url", "https://x.test/v", "--audio-url", "https://x.test/a", "--poll-interval", "-1"),
     "--poll-interval"),
    (("talk", "--image-url", "https://x.test/a", "--audio-url", "https://x.test/b", "--resolution", "4k"),
     "--resolution"),
    (("dub", "--status", "a", "--cancel", "b"), "--cancel"),
    (("motion", "--image-url", "https://x.test/a", "--video-url", "https://x.test/b", "--provider", "wavespeed"),
     "fal"),
])
def test_usage_errors_exit_2_with_one_line(cli, args: tuple[str, ...], needle: str) -> None:
    result = cli(*args)
    assert result.code == 2 and needle in result.err and "Traceback" not in result.err


def test_a_missing_input_file_is_a_handled_error(cli) -> None:
    result = cli("dub", "--video", "missing.mp4", "--audio-url", "https://x.test/a")
    assert result.code == 1 and "missing.mp4" in result.err and "Traceback" not in result.err


def test_async_with_output_is_refused_before_submitting(cli, fal, files, tmp_path) -> None:
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--async",
                 "--output", tmp_path / "o.mp4")
    assert result.code == 2 and fal.jobs == {}


def test_missing_key_names_the_variable(cli) -> None:
    result = cli("talk", "--image-url", "https://x.test/a", "--audio-url", "https://x.test/b", "--provider", "fal")
    assert result.code == 1 and "FAL_KEY" in result.err
    assert result.json() == {"ok": False, "error": "errors/provider_no_key", "reply": result.err.strip()}


def test_chinese_replies_and_progress(cli, fal, files) -> None:
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--lang", "zh",
                 "--poll-interval", "0.01")
    assert result.code == 0, result.err
    assert "排队中" in result.err and "已完成" in result.json()["reply"]


def test_the_key_never_reaches_stdout_stderr_or_the_debug_log(cli, fal, files, tmp_path, monkeypatch) -> None:
    log = tmp_path / "debug.log"
    monkeypatch.setenv("LIP_SYNC_VIDEO_LOG_FILE", str(log))
    fal.inject("status", "http:503")
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--verbose",
                 "--poll-interval", "0.01")
    assert result.code == 0, result.err
    assert KEY not in result.out + result.err + log.read_text()
    saved = "".join(p.read_text() for p in (tmp_path / "store").glob("job-*.json"))
    assert saved and KEY not in saved


def test_a_bad_base_url_is_a_config_error(cli, fal, monkeypatch) -> None:
    monkeypatch.setenv("FAL_QUEUE_BASE", "queue.fal.run")
    result = cli("dub", "--video-url", "https://x.test/v", "--audio-url", "https://x.test/a", "--provider", "fal")
    assert result.code == 1 and "FAL_QUEUE_BASE" in result.err and fal.log == []


def test_a_damaged_handle_record_falls_back_to_the_flags(cli, wavespeed, tmp_path) -> None:
    job_id = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", "--async").json()["job_id"]
    (record,) = (tmp_path / "store").glob("job-*.json")
    record.write_text(json.dumps({"id": job_id, "provider": "fal"}))
    assert cli("dub", "--status", job_id).code == 2  # no usable handle, no flags: ask for them
    assert cli("dub", "--status", job_id, "--provider", "wavespeed").json()["status"] == "queued"


def test_a_bad_job_id_closes_the_provider_it_opened(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # The MCP server lives long: every refused id must not leave an HTTP client open.
    from skill.providers.fal import FalProvider

    closed: list[bool] = []
    real_close = FalProvider.close
    monkeypatch.setattr(FalProvider, "close", lambda self: closed.append(True) or real_close(self))
    monkeypatch.setenv("FAL_KEY", KEY)
    result = cli("dub", "--status", "not an id!", "--provider", "fal", "--model", "fal-ai/sync-lipsync")
    assert result.code == 2 and closed == [True]
