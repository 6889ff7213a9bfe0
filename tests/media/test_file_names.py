"""File names in any language reach NemoVideo as a real server reads them (RFC 7578 §4.2), and a
500 that repeats says what else to try instead of "try again later" (issue 18)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from skill.nemo.upload import form_name
from tests.emulator import Emulator
from tests.media.conftest import MediaSet

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

NAMES = ("采访 视频 1.mp4", "インタビュー.mp4", "say \"hi\" now.mp4", "it's 🎬 take 2.mp4", "Ünïcödé – ñ.mp4",
         "back\\slash.mp4")


def _copy(media: MediaSet, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(media.clip, target)
    return target


@pytest.mark.parametrize("name", NAMES)
def test_any_file_name_uploads_and_is_shown_as_the_person_wrote_it(cli: Callable, emulator: Emulator,
                                                                   media: MediaSet, tmp_path: Path,
                                                                   name: str) -> None:
    result = cli("upload", _copy(media, tmp_path, name), "--json")
    assert result.code == 0, result.err
    [received] = emulator.state.uploads
    # The server reads the UTF-8 name as sent; only a backslash is taken as a path separator
    # (old browsers sent whole Windows paths), and quotes travel as %22 (HTML5 form encoding).
    expected = form_name(name).replace("\\", "/").rsplit("/", 1)[-1]
    assert received.filenames == [expected]
    shown = result.json()["files"][0]["name"]
    assert shown == (name if "\\" not in name else expected)
    assert "500" not in result.err


def test_the_multipart_header_is_utf8_without_filename_star() -> None:
    import httpx

    request = httpx.Request("POST", "http://x.test/", files={"files": ("采访 \"1\".mp4", b"x", "video/mp4")})
    body = request.read()
    assert 'filename="采访 %221%22.mp4"'.encode() in body
    assert b"filename*" not in body  # RFC 7578 §4.2: the RFC 5987 form MUST NOT be used


def test_a_500_is_sent_once_more_and_then_succeeds(cli: Callable, emulator: Emulator, media: MediaSet,
                                                 tmp_path: Path) -> None:
    emulator.inject("upload", "http:500")
    result = cli("upload", _copy(media, tmp_path, NAMES[0]))
    assert result.code == 0, result.err
    assert len(emulator.calls("upload")) == 2 and "once more" in result.err
    assert len(emulator.state.uploads) == 1


@pytest.mark.parametrize(("source", "advice"), [("file", "plain name"), ("url", "opens in a browser")])
def test_a_500_that_repeats_says_what_else_to_try(cli: Callable, emulator: Emulator, media: MediaSet,
                                                  tmp_path: Path, source: str, advice: str) -> None:
    emulator.inject("upload", "http:500", times=2)
    target = _copy(media, tmp_path, NAMES[0]) if source == "file" else "https://cdn.example.com/采访.mp4"
    result = cli("upload", target, "--json")
    assert result.code == 1
    assert result.json()["error"] == "errors/upload_failed_twice"
    assert advice in result.err and "twice" in result.err
    assert "try again in a few minutes" not in result.err and "Traceback" not in result.err
    assert len(emulator.calls("upload")) == 2  # once more, not forever
    zh = cli("upload", target, "--lang", "zh")  # the fault queue is empty now: it goes through
    assert zh.code == 0, zh.err


def test_a_gateway_error_is_not_repeated_and_says_wait(cli: Callable, emulator: Emulator, media: MediaSet,
                                                     tmp_path: Path) -> None:
    emulator.inject("upload", "http:503")
    result = cli("upload", _copy(media, tmp_path, NAMES[0]))
    assert result.code == 1 and "try again in a few minutes" in result.err
    assert len(emulator.calls("upload")) == 1
