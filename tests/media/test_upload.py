"""Upload over real HTTP against the emulator: multipart (several files, streamed), links, progress."""

from __future__ import annotations

from collections.abc import Callable

from tests.emulator import Emulator
from tests.media.conftest import MediaSet


def test_multipart_upload_streams_several_files_and_reports_them(cli: Callable, emulator: Emulator,
                                                                 media: MediaSet) -> None:
    result = cli("upload", media.clip, media.voice)
    assert result.code == 0, result.err
    assert "clip.mp4: video, 2.0 s, 854×480" in result.out
    assert "voice.wav: audio" in result.out
    [received] = emulator.state.uploads
    assert received.source == "multipart"
    assert received.filenames == ["clip.mp4", "voice.wav"]
    assert received.file_bytes == {"clip.mp4": media.clip.stat().st_size, "voice.wav": media.voice.stat().st_size}
    assert received.content_length is not None  # a known length, streamed in chunks
    assert "100 %" in result.err.splitlines()[-1]


def test_warnings_are_shown_in_the_persons_language(cli: Callable, emulator: Emulator, media: MediaSet) -> None:
    result = cli("upload", media.small, media.voice_44k, "--lang", "zh")
    assert result.code == 0, result.err
    assert "480p" in result.out and "采样率" in result.out
    assert len(emulator.state.uploads) == 1


def test_json_mode_lists_accepted_files_and_warning_keys(cli: Callable, emulator: Emulator,
                                                         media: MediaSet) -> None:
    result = cli("upload", media.clip, media.voice_long, "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert [f["type"] for f in body["files"]] == ["video", "audio"]
    assert body["warning_keys"] == ["media/warn_duration_mismatch"]


def test_url_upload_sends_links_as_json(cli: Callable, emulator: Emulator) -> None:
    links = ["https://cdn.example.com/clips/talk.mp4", "https://cdn.example.com/voice/es.mp3"]
    result = cli("upload", *links)
    assert result.code == 0, result.err
    [call] = emulator.calls("upload")
    assert call.json == {"urls": links, "source_type": "url"}
    assert "talk.mp4" in result.out


def test_files_and_links_together_use_one_request_each(cli: Callable, emulator: Emulator, media: MediaSet) -> None:
    result = cli("upload", media.clip, "https://cdn.example.com/voice/es.mp3")
    assert result.code == 0, result.err
    assert [u.source for u in emulator.state.uploads] == ["multipart", "url"]


def test_backend_size_limit_is_reported_plainly(cli: Callable, emulator: Emulator, media: MediaSet) -> None:
    emulator.state.max_upload_bytes = 1024
    result = cli("upload", media.clip)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert emulator.state.uploads[0].result_code == 4002
