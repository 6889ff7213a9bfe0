"""WaveSpeed against the loopback emulator: envelope errors inside HTTP 200, both uploads, statuses."""

from __future__ import annotations

from tests.providers.wavespeed_emulator import KEY

FAST = ("--poll-interval", "0.01", "--timeout", "10")


def test_dub_with_ticket_upload(cli, wavespeed, files) -> None:
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "wavespeed", *FAST)
    assert result.code == 0, result.err
    out = result.json()
    assert out["status"] == "succeeded" and out["video"]["url"] == out["outputs"][0]
    assert out["outputs"][0].startswith(wavespeed.url + "/files/out/")
    puts = wavespeed.calls("/storage/", "PUT")
    assert len(puts) == 2 and all("authorization" not in headers for _, _, headers in puts)
    assert files.clip.read_bytes() in wavespeed.files.values()
    assert KEY not in result.out + result.err


def test_legacy_binary_upload_when_the_ticket_route_is_missing(cli, wavespeed, files) -> None:
    wavespeed.ticket_upload = False
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "wavespeed", "--async")
    assert result.code == 0, result.err
    assert len(wavespeed.calls("/api/v3/media/upload/binary", "POST")) == 2
    assert files.voice.read_bytes() in wavespeed.files.values()


def test_an_error_inside_http_200_stops_the_submit_without_retrying(cli, wavespeed, files) -> None:
    wavespeed.inject("submit", "code:500")
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", *FAST)
    assert result.code == 1 and "HTTP 500" in result.err
    assert len(wavespeed.calls("/api/v3/bytedance/lipsync/audio-to-video", "POST")) == 1


def test_result_reads_are_retried_on_transient_errors(cli, wavespeed) -> None:
    wavespeed.inject("result", "code:500")
    wavespeed.inject("result", "http:503")
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", *FAST)
    assert result.code == 0, result.err


def test_a_failed_task_is_fatal_and_says_why(cli, wavespeed) -> None:
    wavespeed.plan = ["created", "failed"]
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", *FAST)
    assert result.code == 1 and "Face not detected" in result.err and "will not help" in result.err


def test_status_and_result_by_id_even_without_a_saved_handle(cli, wavespeed, files, tmp_path) -> None:
    job_id = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed", "--async").json()["job_id"]
    assert cli("dub", "--status", job_id).json()["status"] == "queued"
    assert cli("dub", "--status", job_id, "--provider", "wavespeed").json()["status"] == "running"
    target = tmp_path / "dubbed.mp4"
    done = cli("dub", "--result", job_id, "--output", target)
    assert done.code == 0, done.err
    assert target.read_bytes()[4:8] == b"ftyp"
    cancel = cli("dub", "--cancel", job_id)
    assert cancel.code == 2 and "cannot cancel" not in cancel.err and "no way to cancel" in cancel.err


def test_wrong_key(cli, wavespeed, monkeypatch) -> None:
    monkeypatch.setenv("WAVESPEED_API_KEY", "bad-key-0123456789")
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav",
                 "--provider", "wavespeed")
    assert result.code == 1 and "WAVESPEED_API_KEY" in result.err and "bad-key-0123456789" not in result.err


def test_auto_uses_wavespeed_for_dub_when_only_its_key_is_set(cli, wavespeed) -> None:
    result = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio-url", "https://x.test/a.wav", "--async")
    assert result.code == 0 and result.json()["provider"] == "wavespeed"
