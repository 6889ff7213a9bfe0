"""File names in any language on the peer services' upload paths (issue 18): fal's CDN v3 (one
request and multipart), fal's older storage upload, WaveSpeed's ticket and its legacy multipart."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from skill.nemo.upload import form_name
from skill.providers.fal_upload import header_file_name
from tests.providers.fal_emulator import FalState
from tests.providers.wavespeed_emulator import WaveSpeedState

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

NAMES = ("采访 视频 1.mp4", "say \"hi\" now.mp4", "it's 🎬 take 2.mp4", "Ünïcödé – ñ.mp4")


def _inputs(files, tmp_path: Path, name: str) -> tuple[Path, Path]:
    video, audio = tmp_path / name, tmp_path / f"{Path(name).stem} 声音.wav"
    shutil.copy(files.clip, video)
    shutil.copy(files.voice, audio)
    return video, audio


def _stored(url: str, marker: str) -> str:
    return unquote(url.split(marker, 1)[1])


@pytest.mark.parametrize("path", ["single", "multipart", "storage"])
@pytest.mark.parametrize("name", NAMES)
def test_fal_keeps_the_name_on_every_upload_path(cli, fal: FalState, files, tmp_path: Path, monkeypatch,
                                                 name: str, path: str) -> None:
    if path == "multipart":
        monkeypatch.setenv("FAL_MULTIPART_THRESHOLD", "1024")
        monkeypatch.setenv("FAL_MULTIPART_CHUNK", "1024")
    if path == "storage":
        fal.cdn_v3_down = True
    video, audio = _inputs(files, tmp_path, name)
    result = cli("dub", "--video", video, "--audio", audio, "--provider", "fal", "--async")
    assert result.code == 0, result.err
    body = next(iter(fal.jobs.values())).body
    for role, source in (("video_url", video), ("audio_url", audio)):
        key = _stored(body[role], "/cdn/files/")
        assert fal.files[key] == source.read_bytes()
        assert fal.names[key] == source.name  # the exact name, whatever its script
        assert body[role].isascii() and " " not in body[role]  # a URL the model can fetch


def test_the_fal_file_name_header_is_ascii() -> None:
    assert header_file_name("clip.mp4") == "clip.mp4"
    encoded = header_file_name("采访 视频.mp4")
    assert encoded.isascii() and unquote(encoded) == "采访 视频.mp4"


@pytest.mark.parametrize("ticket", [True, False], ids=["ticket", "legacy-multipart"])
@pytest.mark.parametrize("name", NAMES)
def test_wavespeed_keeps_the_name_on_both_upload_paths(cli, wavespeed: WaveSpeedState, files, tmp_path: Path,
                                                       name: str, ticket: bool) -> None:
    wavespeed.ticket_upload = ticket
    video, audio = _inputs(files, tmp_path, name)
    result = cli("dub", "--video", video, "--audio", audio, "--provider", "wavespeed", "--async")
    assert result.code == 0, result.err
    task = next(iter(wavespeed.tasks.values()))
    for role, source in (("video", video), ("audio", audio)):
        url = task["body"][role]
        assert url.isascii() and " " not in url
        key = _stored(url, "/files/")
        assert wavespeed.files[key] == source.read_bytes()
        # the ticket carries the name in JSON; the multipart form in RFC 7578's UTF-8 (quotes as %22)
        assert key.split("/", 1)[1] == (source.name if ticket else form_name(source.name))
