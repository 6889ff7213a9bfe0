"""A table of bad inputs: each gets one clear line, a non-zero exit, and nothing goes over the network."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.emulator import Emulator
from tests.media.conftest import MediaSet


@dataclass(frozen=True)
class Case:
    name: str
    args: Callable[[Path, MediaSet], list[str]]
    says: str  # a fragment of the one-line message
    code: int = 1
    env: tuple[tuple[str, str], ...] = ()


def _write(path: Path, content: bytes) -> str:
    path.write_bytes(content)
    return str(path)


def _copy(source: Path, target: Path) -> str:
    return str(shutil.copy(source, target))


def _sparse(path: Path, size: int) -> str:
    with path.open("wb") as handle:
        handle.truncate(size)  # no disk blocks: a 3 GiB file costs nothing
    return str(path)


def _dir(path: Path) -> str:
    path.mkdir()
    return str(path)


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return str(path)


CASES = [
    Case("missing file", lambda t, m: [str(t / "nope.mp4")], "File not found"),
    Case("missing unicode path", lambda t, m: [str(t / "视频 不存在.mp4")], "视频 不存在.mp4"),
    Case("missing path with spaces", lambda t, m: [str(t / "my clip final.mov")], "my clip final.mov"),
    Case("directory", lambda t, m: [_dir(t / "clips")], "is a folder"),
    Case("directory named like a video", lambda t, m: [_dir(t / "take1.mp4")], "is a folder"),
    Case("unicode directory", lambda t, m: [_dir(t / "目录.mp4")], "目录.mp4"),
    Case("fifo", lambda t, m: [_fifo(t / "pipe.mp4")], "not a regular file"),
    Case("empty mp4", lambda t, m: [_write(t / "empty.mp4", b"")], "is empty"),
    Case("empty wav with spaces", lambda t, m: [_write(t / "my voice.wav", b"")], "my voice.wav is empty"),
    Case("text file", lambda t, m: [_write(t / "notes.txt", b"hello")], ".txt files aren't supported"),
    Case("flac", lambda t, m: [_write(t / "voice.flac", b"fLaC\0\0\0\x22")], ".flac files aren't supported"),
    Case("no extension", lambda t, m: [_write(t / "video", b"\0" * 64)], "aren't supported"),
    Case("executable", lambda t, m: [_write(t / "setup.exe", b"MZ" + b"\0" * 64)], ".exe"),
    Case("text named mp4", lambda t, m: [_write(t / "fake.mp4", b"not a video, just words\n" * 20)],
         "can't be read as video"),
    Case("random bytes named mov", lambda t, m: [_write(t / "noise.mov", os.urandom(4096))], "can't be read"),
    Case("wav named mp4", lambda t, m: [_copy(m.voice, t / "voice.mp4")], "Rename it to .wav"),
    Case("png named jpg", lambda t, m: [_copy(m.picture, t / "face.jpg")], "Rename it to .png"),
    Case("mp4 named mp3", lambda t, m: [_copy(m.clip, t / "clip.mp3")], "Rename it to .mp4"),
    Case("webm named avi", lambda t, m: [_copy(m.webm, t / "clip.avi")], "Rename it to .webm"),
    Case("huge sparse file", lambda t, m: [_sparse(t / "huge.mp4", 3 * 1024**3)], "over the 2.0 GB upload limit"),
    Case("over a configured limit", lambda t, m: [str(m.clip)], "upload limit",
         env=(("LIP_SYNC_VIDEO_MAX_UPLOAD_MB", "0.001"),)),
    Case("bad limit setting", lambda t, m: [str(m.clip)], "positive number",
         env=(("LIP_SYNC_VIDEO_MAX_UPLOAD_MB", "big"),)),
    Case("file URL", lambda t, m: ["file:///etc/passwd"], "only http:// and https://"),
    Case("ftp URL", lambda t, m: ["ftp://example.com/clip.mp4"], "not ftp:"),
    Case("javascript URL", lambda t, m: ["javascript:alert(1)"], "not javascript:"),
    Case("data URL", lambda t, m: ["data:video/mp4;base64,AAAA"], "not data:"),
    Case("mailto", lambda t, m: ["mailto:someone@example.com"], "not mailto:"),
    Case("URL without host", lambda t, m: ["https://"], "not a valid web link"),
    Case("URL with a space", lambda t, m: ["https://exa mple.com/a.mp4"], "not a valid web link"),
    Case("URL with a bad port", lambda t, m: ["https://example.com:99999/a.mp4"], "not a valid web link"),
    Case("localhost URL", lambda t, m: ["http://localhost:8000/clip.mp4"], "can't fetch it"),
    Case("loopback URL", lambda t, m: ["http://127.0.0.1/clip.mp4"], "can't fetch it"),
    Case("IPv6 loopback URL", lambda t, m: ["http://[::1]/clip.mp4"], "can't fetch it"),
    Case("private network URL", lambda t, m: ["http://192.168.1.20/clip.mp4"], "can't fetch it"),
    Case("URL with credentials", lambda t, m: ["https://me:secret@example.com/a.mp4"], "user name or password"),
    Case("URL to an executable", lambda t, m: ["https://example.com/download/app.exe"], ".exe files"),
    Case("empty argument", lambda t, m: [""], "empty file name"),
    Case("NUL in a path", lambda t, m: ["clip\0.mp4"], "not a usable file path"),
    Case("good file then a missing one", lambda t, m: [str(m.clip), str(t / "gone.wav")], "File not found"),
    Case("good file then a bad link", lambda t, m: [str(m.clip), "ftp://x.example/a.mp4"], "not ftp:"),
    Case("no argument at all", lambda t, m: [], "required", code=2),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_clearly_before_the_network(case: Case, cli: Callable, emulator: Emulator,
                                                         media: MediaSet, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    result = cli("upload", *case.args(tmp_path, media))
    assert result.code == case.code
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert case.says in lines[0]
    assert "Traceback" not in result.err and result.out == ""
    assert emulator.calls() == []  # not even a token request: nothing left the machine


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_messages_follow_the_persons_language(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    result = cli("upload", str(tmp_path / "不存在.mp4"), "--lang", "zh")
    assert result.code == 1 and "找不到文件" in result.err
