"""POST /api/upload-video/nemo_agent/me/{sid}: multipart files (stream-parsed) or a JSON list of URLs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.emulator.media import file_type, probe
from tests.emulator.state import EmulatorState, Upload
from tests.emulator.wire import CODE_MESSAGES, envelope_error


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    size: int = 0
    sha256: Any = field(default_factory=hashlib.sha256)
    sink: IO[bytes] | None = None
    path: Path | None = None


class _MultipartReceiver:
    """Feeds body chunks to python-multipart and writes each ``files`` part to disk as it arrives."""

    def __init__(self, boundary: bytes, files_dir: Path, max_bytes: int) -> None:
        self.files_dir = files_dir
        self.max_bytes = max_bytes
        self.parts: list[_Part] = []
        self.unsupported: list[str] = []
        self.too_large: list[str] = []
        self._field = b""
        self._value = b""
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done, "on_part_data": self._data, "on_part_end": self._end,
        })

    @property
    def part(self) -> _Part:
        return self.parts[-1]

    def _begin(self) -> None:
        self.parts.append(_Part())

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        # Kept as latin-1 so the header's raw bytes survive to the parameter parser (the WSGI/ASGI
        # convention); the file name inside is UTF-8, as RFC 7578 §4.2 and browsers send it.
        self.part.headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field = self._value = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self.part.headers.get("content-disposition", ""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None or self.part.name != "files":
            return
        # Like Starlette: the name as sent (UTF-8), quotes arrive as %22 (HTML5 form encoding) and stay so.
        self.part.filename = PurePosixPath(filename.decode("utf-8", "replace").replace("\\", "/")).name
        if file_type(self.part.filename) is None:
            self.unsupported.append(self.part.filename)
            return
        self.part.path = self.files_dir / f"incoming-{len(self.parts)}-{id(self)}"
        self.part.sink = self.part.path.open("wb")

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        part.size += end - start
        if part.sink is None:
            return
        if part.size > self.max_bytes:  # keep draining the body, but stop storing it
            self.too_large.append(part.filename or "")
            self._discard(part)
            return
        part.sink.write(data[start:end])
        part.sha256.update(data[start:end])

    def _end(self) -> None:
        if self.part.sink is not None:
            self.part.sink.close()
            self.part.sink = None

    @staticmethod
    def _discard(part: _Part) -> None:
        if part.sink is not None:
            part.sink.close()
            part.sink = None
        if part.path is not None:
            part.path.unlink(missing_ok=True)
            part.path = None

    def discard_all(self) -> None:
        for part in self.parts:
            self._discard(part)


def _file_entry(filename: str, cdn_url: str, info: dict[str, Any], digest: str) -> dict[str, Any]:
    return {"filename": filename, "file_type": file_type(filename), "cdn_url": cdn_url, **info, "hash": digest}


async def _multipart(request: Request, state: EmulatorState, sid: str) -> Response:
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        return JSONResponse({"code": 400, "message": "multipart boundary missing"}, status_code=400)
    receiver = _MultipartReceiver(boundary, state.files_dir, state.max_upload_bytes)
    received = chunks = 0
    async for chunk in request.stream():
        if chunk:
            received += len(chunk)
            chunks += 1
            receiver.parser.write(chunk)
    receiver.parser.finalize()
    files = [p for p in receiver.parts if p.filename is not None]
    content_length = request.headers.get("content-length")
    record = Upload(sid, "multipart", [p.filename or "" for p in files], received,
                    {p.filename or "": p.size for p in files}, chunks,
                    "chunked" in request.headers.get("transfer-encoding", ""),
                    int(content_length) if content_length else None)
    error = 4001 if receiver.unsupported or not files else 4002 if receiver.too_large else 0
    if error:
        receiver.discard_all()
        record.result_code = error
        state.uploads.append(record)
        names = receiver.unsupported or receiver.too_large
        message = f"{CODE_MESSAGES[error]}: {', '.join(names)}" if names else "No file in the 'files' field"
        return envelope_error(error, message)
    base = str(request.base_url).rstrip("/")
    entries = []
    for part in files:
        digest = part.sha256.hexdigest()
        served = f"{digest[:16]}{PurePosixPath(part.filename or '').suffix.lower()}"
        stored = state.files_dir / served
        part.path.replace(stored)  # type: ignore[union-attr]
        state.uploaded_files[served] = stored
        entries.append(_file_entry(part.filename or "", f"{base}/files/{served}", probe(stored), digest))
    state.uploads.append(record)
    return _applied(state, sid, entries)


async def _urls(request: Request, state: EmulatorState, sid: str) -> Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    urls = body.get("urls") if isinstance(body, dict) else None
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        return JSONResponse({"code": 400, "message": "urls must be a non-empty list"}, status_code=400)
    names = [PurePosixPath(unquote(urlsplit(u).path)).name or "media" for u in urls]
    record = Upload(sid, "url", names, 0, {}, 0, False, None)
    unsupported = [n for n in names if file_type(n) is None]
    if unsupported:
        record.result_code = 4001
        state.uploads.append(record)
        return envelope_error(4001, f"Unsupported file type: {', '.join(unsupported)}")
    state.uploads.append(record)
    nulls = {"duration": None, "width": None, "height": None, "fps": None}
    entries = [_file_entry(name, url, nulls, hashlib.sha256(url.encode()).hexdigest())
               for name, url in zip(names, urls)]
    return _applied(state, sid, entries)


def _applied(state: EmulatorState, sid: str, entries: list[dict[str, Any]]) -> Response:
    with state.lock:
        session = state.sessions.get(sid)
        if session is not None:
            session.state.setdefault("video_infos", []).extend(entries)
    return JSONResponse({"code": 0, "message": "success", "data": {"files": entries, "session_state_applied": True}})


async def upload(request: Request, state: EmulatorState) -> Response:
    sid = request.path_params["sid"]
    if sid not in state.sessions:
        return envelope_error(1002)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _multipart(request, state, sid)
    return await _urls(request, state, sid)
