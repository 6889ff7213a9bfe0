"""The peer services' faults, each answered the way their official clients would (issue 18).

fal: a CDN failure is retried and then falls back to the older storage upload; WaveSpeed: a
failed task's ``code`` says whether a new submit could help; both: a submit whose answer was lost
is never called a failure to retry; fal's moving log window loses no line; one full stop.
"""

from __future__ import annotations

import re

import pytest

from skill.providers.wavespeed import failure_is_transient, state_of
from tests.providers.fal_emulator import FalState
from tests.providers.wavespeed_emulator import WaveSpeedState

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

FAST = ("--poll-interval", "0.01", "--timeout", "10")
CLASS_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception|Timeout)\b")


def _dub_fal(cli, files, *extra: str):
    return cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "fal", *extra)


# -- fal upload: retry, then fall back -----------------------------------------------------------
@pytest.mark.parametrize(("route", "fault"), [("upload", "http:503"), ("upload", "html:502"), ("token", "http:503")])
def test_a_cdn_failing_every_retry_falls_back_to_the_storage_upload(cli, fal: FalState, files, route,
                                                                    fault) -> None:
    fal.inject(route, fault, times=3 * 2)  # every v3 attempt of both files
    result = _dub_fal(cli, files, "--async")
    assert result.code == 0, result.err
    assert len(fal.calls("/gcs/", "PUT")) == 2  # both files went the older way
    v3 = fal.calls("/cdn/files/upload", "POST") if route == "upload" else fal.calls("/storage/auth/token")
    assert len(v3) == 6  # three attempts per file, as fal's toolkit makes
    body = next(iter(fal.jobs.values())).body
    assert fal.files[body["video_url"].split("/cdn/files/", 1)[1]] == files.clip.read_bytes()


def test_one_cdn_hiccup_is_retried_on_the_cdn(cli, fal: FalState, files) -> None:
    fal.inject("upload", "http:503")
    result = _dub_fal(cli, files, "--async")
    assert result.code == 0, result.err
    assert len(fal.calls("/cdn/files/upload", "POST")) == 3 and not fal.calls("/gcs/")


def test_a_refused_cdn_upload_falls_back_at_once(cli, fal: FalState, files) -> None:
    fal.inject("upload", "http:400", times=2)  # not transient: no retry, straight to the fallback
    result = _dub_fal(cli, files, "--async")
    assert result.code == 0, result.err
    assert len(fal.calls("/cdn/files/upload", "POST")) == 2 and len(fal.calls("/gcs/", "PUT")) == 2


def test_a_failed_multipart_start_falls_back(cli, fal: FalState, files, monkeypatch) -> None:
    monkeypatch.setenv("FAL_MULTIPART_THRESHOLD", "4096")
    big = [f for f in (files.clip, files.voice) if f.stat().st_size > 4096]
    assert big, "at least one input must take the multipart path"
    fal.inject("multipart", "http:500", times=3 * len(big))
    result = _dub_fal(cli, files, "--async")
    assert result.code == 0, result.err
    assert len(fal.calls("/multipart", "POST")) == 3 * len(big) and len(fal.calls("/gcs/", "PUT")) == len(big)


def test_a_refused_key_does_not_fall_back(cli, fal: FalState, files, monkeypatch) -> None:
    monkeypatch.setenv("FAL_KEY", "wrong-key-0123456789")
    result = _dub_fal(cli, files, "--async")
    assert result.code == 1 and "FAL_KEY" in result.err
    assert not fal.calls("/storage/upload/initiate")


# -- a lost answer to a submit --------------------------------------------------------------------
def _assert_lost_submit(result, provider: str, dashboard: str) -> None:
    assert result.code == 1
    assert result.json()["error"] == "errors/provider_submit_unknown"
    text = result.err
    assert "may already exist" in text and dashboard in text
    assert f"--status ID --provider {provider}" in text
    assert "try again" not in text.lower() and "resubmit" not in text.lower()
    assert not CLASS_NAME.search(text), text  # no RemoteProtocolError, ReadTimeout, …
    assert "Traceback" not in text


def test_fal_lost_submit_answer_says_the_job_may_exist(cli, fal: FalState, files) -> None:
    fal.inject("submit", "drop")
    result = cli("talk", "--image", files.face, "--audio", files.voice, "--provider", "fal", *FAST)
    _assert_lost_submit(result, "fal", "fal.ai/dashboard")
    assert "--model fal-ai/bytedance/omnihuman/v1.5" in result.err
    assert len(fal.calls("/fal-ai/bytedance/omnihuman/v1.5", "POST")) == 1  # never re-sent
    assert len(fal.jobs) == 1  # …and the job really exists on the service


def test_wavespeed_lost_submit_answer_says_the_job_may_exist(cli, wavespeed: WaveSpeedState) -> None:
    wavespeed.inject("submit", "drop")
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", *FAST)
    _assert_lost_submit(result, "wavespeed", "wavespeed.ai/predictions")
    assert len(wavespeed.calls("/api/v3/bytedance/lipsync/audio-to-video", "POST")) == 1
    assert len(wavespeed.tasks) == 1


def test_a_refused_connection_says_nothing_was_sent(cli, monkeypatch, files) -> None:
    monkeypatch.setenv("FAL_KEY", "fal-test-key-0123456789")
    monkeypatch.setenv("FAL_QUEUE_BASE", "http://127.0.0.1:9")  # the discard port: refused
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "fal", *FAST)
    assert result.code == 1 and "Nothing was sent" in result.err
    assert not CLASS_NAME.search(result.err), result.err


# -- WaveSpeed failure codes ------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "transient"), [
    ({"status": "failed", "code": 5004}, True), ({"status": "failed", "code": "5001"}, True),
    ({"status": "timeout"}, True), ({"status": "failed", "code": 4001}, False), ({"status": "failed"}, False),
    ({"status": "failed", "code": True}, False),
])
def test_failure_classification_by_code_and_status(data, transient) -> None:
    assert failure_is_transient(data) is transient
    assert state_of({**data, "error": "x"}).retryable is transient


def test_a_task_failing_with_5004_is_worth_submitting_again(cli, wavespeed: WaveSpeedState) -> None:
    wavespeed.plan = ["created", "failed"]
    wavespeed.failure, wavespeed.failure_code = "Task timed out on the server.", 5004
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", *FAST)
    assert result.code == 1 and "temporary" in result.err and "will not help" not in result.err
    assert ".." not in result.err


# -- fal's moving log window ----------------------------------------------------------------------
def test_logs_in_a_moving_window_are_each_shown_once(cli, fal: FalState, files) -> None:
    fal.plan = ["IN_PROGRESS"] * 6 + ["COMPLETED"]
    fal.log_window = 2
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "fal", "--logs", *FAST)
    assert result.code == 0, result.err
    shown = re.findall(r"log: (step \d+)", result.err)
    assert shown == [f"step {i}" for i in range(7)], shown  # in order, none lost, none twice


# -- one full stop --------------------------------------------------------------------------------
def test_failure_replies_end_with_one_full_stop(cli, fal: FalState, wavespeed: WaveSpeedState, files) -> None:
    fal.completion_error = ("No face found in the face.", "bad_request")
    fal_failed = _dub_fal(cli, files, *FAST)
    assert fal_failed.code == 1 and "face. Submitting" in fal_failed.err and ".." not in fal_failed.err
    fal.completion_error = None
    fal.result_fault = (422, {"detail": "The audio is silent."}, {})
    rejected = _dub_fal(cli, files, *FAST)
    assert rejected.code == 1 and "silent." in rejected.err and ".." not in rejected.err
    wavespeed.plan = ["created", "failed"]
    wavespeed.failure = "Face not detected in video."
    ws = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
             "--provider", "wavespeed", *FAST)
    assert ws.code == 1 and "video. Submitting" in ws.err and ".." not in ws.err
    zh = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
             "--provider", "wavespeed", "--lang", "zh", *FAST)
    assert ".。" not in zh.err and "video。" in zh.err


def test_when_the_cdn_and_the_fallback_both_fail_nothing_is_submitted(cli, fal: FalState, files) -> None:
    fal.inject("upload", "http:503", times=3)
    fal.inject("storage", "http:503")
    result = _dub_fal(cli, files, *FAST)
    assert result.code == 1 and result.json()["error"] == "errors/provider_upload_failed"
    assert "older storage" in result.err and "--video-url" in result.err and ".." not in result.err
    assert not fal.jobs
