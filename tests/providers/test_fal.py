"""fal.ai end to end against the loopback emulator: every mode, every job flag, uploads, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.providers.fal_emulator import CDN_TOKEN, KEY

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

FAST = ("--poll-interval", "0.01", "--timeout", "10")


def test_talk_uploads_local_files_waits_and_prints_json(cli, fal, files) -> None:
    result = cli("talk", "--image", files.face, "--audio", files.voice, "--provider", "fal", "--turbo",
                 "--prompt", "news anchor", "--resolution", "720p", *FAST)
    assert result.code == 0, result.err
    out = result.json()
    assert out["ok"] and out["status"] == "succeeded" and out["provider"] == "fal"
    assert out["video"]["url"].endswith("/cdn/files/out/result.mp4")  # the aivp scripts' shape
    assert out["outputs"] == [out["video"]["url"]]
    submitted = next(iter(fal.jobs.values()))
    assert submitted.model == "fal-ai/bytedance/omnihuman/v1.5"
    assert submitted.body["turbo_mode"] is True and submitted.body["prompt"] == "news anchor"
    assert submitted.body["resolution"] == "720p"
    assert submitted.body["image_url"].startswith(fal.url + "/cdn/files/")
    assert fal.files[submitted.body["audio_url"].split("/cdn/files/", 1)[1]] == files.voice.read_bytes()
    assert "position 2" in result.err and "about $0.48" in result.err  # 2 s billed as the 3 s minimum
    assert KEY not in result.out + result.err


def test_status_result_and_cancel_use_the_urls_the_server_returned(cli, fal, files) -> None:
    submitted = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--async")
    assert submitted.code == 0, submitted.err
    job_id = submitted.json()["job_id"]
    # omnihuman-style nested ids drop the sub-path; pixverse's app is fal-ai/pixverse
    status = cli("dub", "--status", job_id, "--logs")
    assert status.code == 0 and status.json()["status"] == "queued" and status.json()["queue_position"] == 2
    assert fal.calls(f"/fal-ai/pixverse/requests/{job_id}/status")[-1].query["logs"] == "1"
    not_ready = cli("dub", "--result", job_id)
    assert not_ready.code == 0 and not_ready.json()["status"] == "queued"
    cancelled = cli("dub", "--cancel", job_id)
    assert cancelled.code == 0 and cancelled.json()["outcome"] == "requested"
    assert fal.calls(f"/requests/{job_id}/cancel", "PUT")
    after = cli("dub", "--result", job_id)
    assert after.code == 1 and "cancelled" in after.err


def test_result_downloads_to_output_without_sending_the_key(cli, fal, files, tmp_path: Path) -> None:
    submitted = cli("motion", "--image", files.face, "--video", files.clip, "--provider", "fal", "--async")
    job_id = submitted.json()["job_id"]
    for _ in range(4):
        cli("motion", "--status", job_id)
    target = tmp_path / "out" / "moved.mp4"
    result = cli("motion", "--result", job_id, "--output", target)
    assert result.code == 0, result.err
    assert target.read_bytes()[4:8] == b"ftyp" and result.json()["output"] == str(target)
    assert f"MEDIA:{target}" not in result.out  # JSON mode: the path is in "media", not a MEDIA line
    assert result.json()["media"] == [str(target)]
    download = fal.calls("/cdn/files/out/result.mp4", "GET")[-1]
    assert "authorization" not in download.headers
    assert fal.jobs[job_id].body == {"image_url": fal.jobs[job_id].body["image_url"],
                                     "video_url": fal.jobs[job_id].body["video_url"], "trim_first_second": True}


def test_cancel_after_completion_says_so(cli, fal, files) -> None:
    fal.plan = ["COMPLETED"]
    job_id = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "fal", "--async").json()["job_id"]
    result = cli("dub", "--cancel", job_id)
    assert result.code == 0 and result.json()["outcome"] == "already_completed"


@pytest.mark.slow
def test_a_saved_handle_survives_into_a_new_process(run_cli, fal, files) -> None:
    submitted = run_cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                        "--provider", "fal", "--async")
    assert submitted.code == 0, submitted.err
    job_id = submitted.json()["job_id"]
    status = run_cli("dub", "--status", job_id)
    assert status.code == 0 and status.json()["provider"] == "fal"


def test_unknown_ids_need_provider_and_model(cli, fal) -> None:
    unknown = cli("talk", "--status", "abc123")
    assert unknown.code == 2 and "--provider fal --model" in unknown.err
    rebuilt = cli("talk", "--status", "abc123", "--provider", "fal", "--model", "fal-ai/bytedance/omnihuman/v1.5")
    assert rebuilt.code == 1  # the emulator does not know it: a clean not-found, from the right URL
    assert fal.calls("/fal-ai/bytedance/requests/abc123/status")


def test_submit_is_never_retried_and_validation_errors_are_fatal(cli, fal, files) -> None:
    fal.inject("submit", "http:503")
    result = cli("talk", "--image", files.face, "--audio", files.voice, "--provider", "fal", *FAST)
    assert result.code == 1 and "HTTP 503" in result.err
    assert len(fal.calls("/fal-ai/bytedance/omnihuman/v1.5", "POST")) == 1


def test_transient_status_errors_are_retried(cli, fal, files) -> None:
    fal.inject("status", "http:503", times=2)
    fal.inject("status", "html:502")
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", *FAST)
    assert result.code == 0, result.err


def test_failed_jobs_say_whether_trying_again_helps(cli, fal, files) -> None:
    fal.completion_error = ("Runner disconnected", "runner_disconnected")
    temporary = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", *FAST)
    assert temporary.code == 1 and "temporary" in temporary.err
    assert temporary.json()["error"] == "errors/provider_job_failed"
    fal.completion_error = None
    fal.result_fault = (422, {"detail": [{"loc": ["body", "video_url"], "msg": "No face found",
                                          "type": "value_error"}]}, {"X-Fal-Retryable": "false"})
    fatal = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", *FAST)
    assert fatal.code == 1 and "video_url: No face found" in fatal.err and "will not help" in fatal.err


def test_timeout_keeps_the_job_and_names_it(cli, fal, files) -> None:
    fal.plan = ["IN_QUEUE:5"]
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal",
                 "--poll-interval", "0.05", "--timeout", "0.2")
    assert result.code == 1
    job_id = next(iter(fal.jobs))
    assert f"--result {job_id}" in result.err
    assert not fal.calls("/cancel")  # paid work is not thrown away
    assert cli("dub", "--status", job_id).json()["status"] == "queued"


def test_logs_flag_streams_service_logs_to_stderr(cli, fal, files) -> None:
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--logs", *FAST)
    assert result.code == 0 and "log: step 2" in result.err
    assert all(c.query.get("logs") == "1" for c in fal.calls("/status"))


def test_wrong_key_is_reported_without_the_key(cli, fal, files, monkeypatch) -> None:
    monkeypatch.setenv("FAL_KEY", "wrong-key-0123456789")
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "fal")
    assert result.code == 1 and "FAL_KEY" in result.err and "wrong-key-0123456789" not in result.err


def test_multipart_upload_above_the_threshold(cli, fal, files, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAL_MULTIPART_THRESHOLD", "4096")
    monkeypatch.setenv("FAL_MULTIPART_CHUNK", "4096")
    fal.inject("part", "http:503")  # one part fails once and is put again
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--async")
    assert result.code == 0, result.err
    body = next(iter(fal.jobs.values())).body
    for role, source in (("video_url", files.clip), ("audio_url", files.voice)):
        assert fal.files[body[role].split("/cdn/files/", 1)[1]] == source.read_bytes()
    parts = fal.calls("/multipart/", "PUT")
    assert len(parts) > 2 and all(c.headers["authorization"] == f"Bearer {CDN_TOKEN}" for c in parts)
    assert not any(KEY in c.headers.get("authorization", "") for c in fal.calls("/cdn/"))


def test_legacy_storage_upload_when_the_cdn_is_down(cli, fal, files) -> None:
    fal.cdn_v3_down = True
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", "--async")
    assert result.code == 0, result.err
    puts = fal.calls("/gcs/", "PUT")
    assert len(puts) == 2 and all("authorization" not in c.headers for c in puts)
    assert next(iter(fal.jobs.values())).body["video_url"].startswith(fal.url + "/cdn/files/")


def test_sync_lipsync_model_and_sync_mode(cli, fal, files) -> None:
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal",
                 "--model", "fal-ai/sync-lipsync", "--sync-mode", "bounce", "--async")
    assert result.code == 0, result.err
    job = next(iter(fal.jobs.values()))
    assert job.model == "fal-ai/sync-lipsync" and job.body["sync_mode"] == "bounce"


def test_motion_no_trim_keeps_the_first_second(cli, fal, files) -> None:
    result = cli("motion", "--image", files.face, "--video", files.clip, "--provider", "fal", "--no-trim", "--async")
    assert result.code == 0, result.err
    assert next(iter(fal.jobs.values())).body["trim_first_second"] is False


def test_results_into_a_folder_never_replace_an_earlier_one(cli, fal, files, tmp_path: Path) -> None:
    fal.plan = ["COMPLETED"]
    folder = tmp_path / "results"
    folder.mkdir()
    outputs = []
    for _ in range(2):
        result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                     "--provider", "fal", "--output", folder, *FAST)
        assert result.code == 0, result.err
        outputs.append(Path(result.json()["output"]).name)
    assert outputs == ["result.mp4", "result-2.mp4"]
