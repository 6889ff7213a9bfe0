"""Sending media to NemoVideo: local files streamed in one multipart request, web links by URL.

Files are streamed from disk with constant memory; a counting reader reports progress as bytes
leave. Checking the files first (``skill.media.preflight``) is the caller's job.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from skill.console import Events, NullEvents
from skill.errors import BadResponse, MediaError, ServerError
from skill.media.preflight import human_size
from skill.media.sources import UrlSource
from skill.nemo.endpoints import UPLOAD_PATH

if TYPE_CHECKING:
    from skill.nemo.client import NemoClient

READ_BYTES = 1024 * 1024  # bigger than httpx's 64 KiB default: fewer syscalls, still constant memory
PROGRESS_STEP = 0.05  # a line every 5 %: readable in a log, smooth enough on a terminal


class ProgressReader:
    """A read-only file object that httpx streams from, counting what has been sent."""

    def __init__(self, handle: IO[bytes], meter: UploadMeter) -> None:
        self._handle, self._meter = handle, meter

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(max(size, READ_BYTES) if size >= 0 else -1)
        self._meter.advance(len(chunk))
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        if offset == 0 and whence == 0:
            self._meter.rewind(self._handle.tell())  # httpx rewinds before sending; a retry resends
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def fileno(self) -> int:  # lets httpx learn the length with fstat instead of reading
        return self._handle.fileno()


class UploadMeter:
    """Bytes sent out of the total, reported as progress every few percent."""

    def __init__(self, events: Events, total: int, label: str, count: int = 1) -> None:
        # ``count`` files under one meter: the template words "3 files" in the person's language.
        self.events, self.total, self.label, self.count = events, max(total, 1), label, count
        self.sent = 0
        self._step = 0  # progress steps already reported

    def advance(self, count: int) -> None:
        self.sent += count
        fraction = min(1.0, self.sent / self.total)
        step = int(fraction / PROGRESS_STEP + 1e-9)
        if step > self._step:
            self._step = step
            self.events.progress("media/uploading", fraction=fraction, name=self.label, count=self.count,
                                 sent=human_size(self.sent), total=human_size(self.total))

    def rewind(self, position: int) -> None:
        self.sent = max(0, self.sent - position)
        self._step = int(self.sent / self.total / PROGRESS_STEP)


def upload_files(client: NemoClient, events: Events, paths: Sequence[Path]) -> list[dict[str, Any]]:
    """One multipart request with every file as a ``files`` part, streamed from disk."""
    names = [p.name for p in paths]
    return _once_more_on_500(lambda: _post_files(client, events, paths), events, names, "file")


def _once_more_on_500(send: Callable[[], list[dict[str, Any]]], events: Events, names: list[str],
                      kind: str) -> list[dict[str, Any]]:
    """Send an upload; after an HTTP 500 send it once more, and if that fails too say what else to try.

    An upload bills nothing and a 500 means the server refused it, so one more try is safe. A 500
    that comes back for the same files is rarely a passing outage (those answer 502/503/504): the
    person gets other ways to get the file in, not "try again in a few minutes".
    """
    try:
        return send()
    except ServerError as first:
        if first.params.get("status") != 500:
            raise
    events.notice("media/upload_retry", names=", ".join(names))
    try:
        return send()
    except ServerError as again:
        if again.params.get("status") != 500:
            raise
        raise MediaError("errors/upload_failed_twice", names=", ".join(names), kind=kind,
                         status=500) from None


def _post_files(client: NemoClient, events: Events, paths: Sequence[Path]) -> list[dict[str, Any]]:
    total = sum(path.stat().st_size for path in paths)
    meter = UploadMeter(events, total, paths[0].name, count=len(paths))
    handles = [path.open("rb") for path in paths]
    try:
        parts = [("files", (path.name, ProgressReader(handle, meter), _mime(path)))
                 for path, handle in zip(paths, handles)]
        data = client.request("POST", UPLOAD_PATH, files=parts)
    finally:
        for handle in handles:
            handle.close()
    return accepted_files(data, [p.name for p in paths])


def upload_urls(client: NemoClient, urls: Sequence[str], events: Events | None = None) -> list[dict[str, Any]]:
    names = [UrlSource(u).name for u in urls]

    def send() -> list[dict[str, Any]]:
        data = client.request("POST", UPLOAD_PATH, json={"urls": list(urls), "source_type": "url"})
        return accepted_files(data, names)

    return _once_more_on_500(send, events or NullEvents(), names, "url")


def form_name(name: str) -> str:
    """``name`` as httpx writes it into a multipart header: UTF-8 as is, with the HTML5 form
    encoding RFC 7578 §4.2 allows (``"`` → %22, control characters → %XX; never ``filename*``)."""
    return "".join("%22" if c == '"' else f"%{ord(c):02X}" if ord(c) < 0x20 and c != "\x1b" else c
                   for c in name)


def accepted_files(data: Any, names: list[str]) -> list[dict[str, Any]]:
    """The backend's ``files`` list in plain fields (name, type, duration, resolution)."""
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        raise BadResponse("errors/bad_response", status=200, kind="missing_field")
    out = []
    # A server that keeps the name as sent shows a quote as %22: show the person their own name.
    sent = {form_name(name): name for name in names}
    for index, item in enumerate(f for f in files if isinstance(f, dict)):
        fallback = names[index] if index < len(names) else "?"
        name = str(item.get("filename") or item.get("name") or fallback)
        out.append({
            "name": sent.get(name, name),
            "type": str(item.get("file_type") or item.get("type") or ""),
            "duration": _number(item.get("duration")),
            "width": _number(item.get("width")),
            "height": _number(item.get("height")),
        })
    return out


def _mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return round(value, 1) if isinstance(value, float) else value
