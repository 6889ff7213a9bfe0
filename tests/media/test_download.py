"""Safe download: atomic rename, length checks, Range resume, names, and the container on disk."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from skill.errors import BadResponse, ConnectionFailed
from skill.media.download import download, safe_filename, sniff_extension
from tests.media.conftest import MediaSet


def _client(handler) -> httpx.Client:  # type: ignore[no-untyped-def]
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("raw", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("..%2F..%2Fetc%2Fcron.d%2Fjob.mp4", "job.mp4"),
    ("C:\\Windows\\system32\\evil.mp4", "evil.mp4"),
    ("/abs/path/out.mp4", "out.mp4"),
    (".hidden.mp4", "hidden.mp4"),
    ("..", "video"),
    ("clip\x00\x1b[31m.mp4", "clip[31m.mp4"),
    ("配音 版本 (es).mp4", "配音 版本 (es).mp4"),
    ("a|b<c>d.mp4", "a_b_c_d.mp4"),
])
def test_safe_filename_never_leaves_the_folder(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_whole_download_is_renamed_into_place(media: MediaSet, tmp_path: Path) -> None:
    body = media.clip.read_bytes()
    target = tmp_path / "deep" / "out.mp4"
    path = download(_client(lambda r: httpx.Response(200, content=body)), "https://cdn.example/x.mp4", target)
    assert path == target.resolve() and path.read_bytes() == body
    assert not list(target.parent.glob("*.part"))


def test_short_body_is_an_error_and_nothing_gets_the_final_name(media: MediaSet, tmp_path: Path) -> None:
    body = media.clip.read_bytes()

    def short(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body[:100], headers={"content-length": str(len(body))})

    with pytest.raises((BadResponse, ConnectionFailed)):
        download(_client(short), "https://cdn.example/x.mp4", tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def _interrupted(body: bytes, url: str, target: Path, cut: int = 1000) -> None:
    """A first download that stops after ``cut`` bytes and leaves its ``.part`` behind."""
    def short(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body[:cut], headers={"content-length": str(len(body))})

    with pytest.raises(BadResponse):
        download(_client(short), url, target)
    assert len(list(target.parent.glob("*.part"))) == 1


def test_leftover_part_is_resumed_with_a_range_request(media: MediaSet, tmp_path: Path) -> None:
    body = media.clip.read_bytes()
    _interrupted(body, "https://cdn.example/x.mp4?sig=first", tmp_path / "out.mp4")
    seen: list[str | None] = []

    def ranged(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("range"))
        return httpx.Response(206, content=body[1000:],
                              headers={"content-range": f"bytes 1000-{len(body) - 1}/{len(body)}"})

    path = download(_client(ranged), "https://cdn.example/x.mp4?sig=second", tmp_path / "out.mp4")
    assert seen == ["bytes=1000-"] and path.read_bytes() == body
    assert not list(tmp_path.glob("*.part"))


def test_a_leftover_part_of_another_file_is_never_resumed(media: MediaSet, tmp_path: Path) -> None:
    # An export killed mid-download, then the draft changed: the new render goes to the same
    # name, and its tail must not be glued onto the old render's head.
    old, new = b"\x00" * 4000, media.clip.read_bytes()
    _interrupted(old + new, "https://cdn.example/render_1.mp4", tmp_path / "out.mp4")
    seen: list[str | None] = []

    def ranged(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("range"))
        if request.headers.get("range"):
            start = int(request.headers["range"].removeprefix("bytes=").rstrip("-"))
            return httpx.Response(206, content=new[start:],
                                  headers={"content-range": f"bytes {start}-{len(new) - 1}/{len(new)}"})
        return httpx.Response(200, content=new)

    path = download(_client(ranged), "https://cdn.example/render_2.mp4", tmp_path / "out.mp4")
    assert seen == [None] and path.read_bytes() == new
    assert not list(tmp_path.glob("*.part"))


def test_server_ignoring_range_restarts_cleanly(media: MediaSet, tmp_path: Path) -> None:
    body = media.clip.read_bytes()
    (tmp_path / "out.mp4.part").write_bytes(b"stale bytes from another file")
    path = download(_client(lambda r: httpx.Response(200, content=body)), "https://cdn.example/x.mp4",
                    tmp_path / "out.mp4")
    assert path.read_bytes() == body


def test_a_folder_as_destination_gets_the_file_inside_it(media: MediaSet, tmp_path: Path) -> None:
    body = media.clip.read_bytes()
    path = download(_client(lambda r: httpx.Response(200, content=body)), "https://cdn.example/v/result%20one.mp4?x=1",
                    tmp_path)
    assert path == tmp_path / "result one.mp4" and path.read_bytes() == body


def test_non_http_download_link_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadResponse):
        download(_client(lambda r: httpx.Response(200)), "file:///etc/passwd", tmp_path / "out.mp4")


def test_webm_is_not_saved_under_an_mp4_name(media: MediaSet, tmp_path: Path) -> None:
    body = media.webm.read_bytes()
    path = download(_client(lambda r: httpx.Response(200, content=body)), "https://cdn.example/x",
                    tmp_path / "out.mp4")
    assert path.name == "out.webm" and sniff_extension(path) == "webm"


def test_mp4_is_remuxed_losslessly_when_the_input_was_mkv(media: MediaSet, tmp_path: Path) -> None:
    body = media.clip.read_bytes()
    path = download(_client(lambda r: httpx.Response(200, content=body)), "https://cdn.example/x.mp4",
                    tmp_path / "out.mkv")
    assert path.name == "out.mkv" and sniff_extension(path) == "mkv"
    assert not list(tmp_path.glob("*.part"))
