"""A loopback fal.ai: queue (submit/status/result/cancel), CDN v3 upload (single and multipart),
the legacy storage "initiate" upload, and public file downloads — with fal's exact envelopes.

Each submitted request walks ``state.plan`` one step per status read (``"IN_QUEUE:3"`` means
queued at position 3). Faults are queued per route: ``state.inject("status", "http:503")``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.emulator.app import with_transport
from tests.emulator.faults import drop_connection
from tests.emulator.media import tiny_mp4

KEY = "fal-test-key-0123456789"
CDN_TOKEN = "cdn-token-abcdef0123456789"
_REQUEST = re.compile(r"^/(?P<app>[^/]+/[^/]+)/requests/(?P<id>[^/]+)(?P<tail>/status|/cancel)?$")
_PART = re.compile(r"^/cdn/files/(?P<file>.+)/multipart/(?P<upload>[^/]+)/(?P<part>\d+|complete)$")


@dataclass
class FalJob:
    id: str
    model: str
    body: dict[str, Any]
    plan: list[str]
    step: int = 0
    cancelled: bool = False


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class FalState:
    url: str = ""
    plan: list[str] = field(default_factory=lambda: ["IN_QUEUE:2", "IN_QUEUE:1", "IN_PROGRESS", "COMPLETED"])
    completion_error: tuple[str, str] | None = None  # (error, error_type) reported with COMPLETED
    result_fault: tuple[int, Any, dict[str, str]] | None = None  # (status, body, headers) of the result GET
    cdn_v3_down: bool = False
    log_window: int | None = None  # fal shows only the newest N of its cumulative log lines
    jobs: dict[str, FalJob] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # "<folder>/<name as sent>" → bytes
    names: dict[str, str] = field(default_factory=dict)  # the same keys → the file name the client sent
    parts: dict[str, dict[int, bytes]] = field(default_factory=dict)
    log: list[Call] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)

    def inject(self, route: str, fault: str, times: int = 1) -> None:
        self.faults.setdefault(route, []).extend([fault] * times)

    def calls(self, contains: str = "", method: str | None = None) -> list[Call]:
        return [c for c in self.log if contains in c.path and (method is None or c.method == method)]

    def reset(self) -> None:
        url = self.url
        self.__init__()  # type: ignore[misc]
        self.url = url


# Faults that let the handler act first (the job exists), then spoil the answer.
AFTER_HANDLER = ("drop", "garble")
GARBLED = b'{"request_id": "'  # a 200 whose JSON stops short


def _take(state: FalState, route: str, kind: str) -> bool:
    """Take the route's next fault if it is ``kind`` (a fault that needs the handler to act first)."""
    queue = state.faults.get(route)
    if queue and queue[0] == kind:
        queue.pop(0)
        return True
    return False


def _fault(state: FalState, route: str) -> Response | None:
    queue = state.faults.get(route)
    if not queue or queue[0] in AFTER_HANDLER:
        return None
    kind, _, arg = queue.pop(0).partition(":")
    if kind == "reset":  # the request never reaches the handler: the connection is reset
        return RESET
    if kind == "http":
        status = int(arg)
        detail = {"detail": "Runner disconnected", "error_type": "runner_disconnected"} if status >= 500 else \
            {"detail": "Too many requests"}
        return JSONResponse(detail, status, headers={"X-Fal-Error-Type": str(detail.get("error_type", ""))})
    if kind == "html":
        return Response("<html><body>nginx 502 Bad Gateway</body></html>", int(arg), media_type="text/html")
    raise ValueError(f"unknown fault {kind}")


class _Reset(Response):
    """Marks a fault answered by resetting the connection (see ``dispatch``)."""


RESET = _Reset(status_code=599)


def build_app(state: FalState) -> Starlette:
    async def answer(request: Request) -> Response:
        path, method = request.url.path, request.method
        body = await request.body()
        state.log.append(Call(method, path, dict(request.query_params), dict(request.headers), body))
        auth = request.headers.get("authorization", "")
        if path.startswith("/gcs/"):
            if auth:
                return JSONResponse({"detail": "signed URL must not carry credentials"}, 400)
            state.files[path.removeprefix("/gcs/")] = body
            return Response(status_code=200)
        if path.startswith("/cdn/"):
            return _cdn(state, request, path, method, body, auth)
        if auth != f"Key {KEY}":
            return JSONResponse({"detail": "Unauthorized"}, 401)
        if path == "/storage/auth/token" and method == "POST":
            fault = _fault(state, "token")
            if fault is not None:
                return fault
            if state.cdn_v3_down:
                return JSONResponse({"detail": "Service unavailable"}, 503)
            return JSONResponse({"token": CDN_TOKEN, "token_type": "Bearer", "base_url": f"{state.url}/cdn",
                                 "expires_at": "2999-01-01T00:00:00+00:00"})
        if path == "/storage/upload/initiate" and method == "POST":
            fault = _fault(state, "storage")
            if fault is not None:
                return fault
            ticket = json.loads(body)
            # Stored under the real name; URLs carry it percent-encoded, as any real store's do.
            key, url_key = _keys(ticket["file_name"])
            state.names[key] = ticket["file_name"]
            return JSONResponse({"upload_url": f"{state.url}/gcs/{url_key}",
                                 "file_url": f"{state.url}/cdn/files/{url_key}"})
        match = _REQUEST.match(path)
        if match:
            return _queue(state, request, match, method)
        if method == "POST":
            response = _submit(state, path.strip("/"), body)
            if _take(state, "submit", "drop"):  # the job exists, but its answer never arrives
                return await drop_connection(request)
            if _take(state, "submit", "garble"):  # the job exists, but its answer cannot be read
                return Response(GARBLED, 200, media_type="application/json")
            return response
        return JSONResponse({"detail": "Not Found"}, 404)

    async def dispatch(request: Request) -> Response:
        response = await answer(request)
        return await drop_connection(request) if response is RESET else response

    return with_transport(Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST", "PUT"])]))


def _keys(name: str) -> tuple[str, str]:
    folder = uuid.uuid4().hex
    return f"{folder}/{name}", f"{folder}/{quote(name, safe='')}"


def _submit(state: FalState, model: str, body: bytes) -> Response:
    fault = _fault(state, "submit")
    if fault is not None:
        return fault
    payload = json.loads(body or b"{}")
    if not payload.get("audio_url") and "omnihuman" in model:
        return JSONResponse({"detail": [{"loc": ["body", "audio_url"], "msg": "field required",
                                         "type": "value_error.missing"}]}, 422, headers={"X-Fal-Retryable": "false"})
    job = FalJob(uuid.uuid4().hex, model, payload, list(state.plan))
    state.jobs[job.id] = job
    base = f"{state.url}/{'/'.join(model.split('/')[:2])}/requests/{job.id}"
    return JSONResponse({"request_id": job.id, "response_url": base, "status_url": f"{base}/status",
                         "cancel_url": f"{base}/cancel", "status": "IN_QUEUE", "queue_position": 0})


def _current(job: FalJob) -> str:
    return "COMPLETED" if job.cancelled else job.plan[min(job.step, len(job.plan) - 1)]


def _queue(state: FalState, request: Request, match: re.Match[str], method: str) -> Response:
    job = state.jobs.get(match["id"])
    tail = match["tail"] or ""
    if job is None or not job.model.startswith(match["app"]):
        return JSONResponse({"detail": "Request not found"}, 404)
    if tail == "/status" and method == "GET":
        fault = _fault(state, "status")
        if fault is not None:
            return fault
        step = _current(job)
        job.step += 1
        with_logs = request.query_params.get("logs", "0") in ("1", "true", "True")
        logs = [{"timestamp": f"2026-01-01T00:00:{i:02d}Z", "level": "INFO", "source": "user",
                 "message": f"step {i}"} for i in range(job.step)] if with_logs else None
        if logs and state.log_window:
            logs = logs[-state.log_window:]
        if step.startswith("IN_QUEUE"):
            return JSONResponse({"status": "IN_QUEUE", "queue_position": int(step.partition(":")[2] or 0),
                                 "response_url": f"{request.url}".rsplit("/status", 1)[0]}, 202)
        if step == "IN_PROGRESS":
            return JSONResponse({"status": "IN_PROGRESS", "logs": logs}, 202)
        out: dict[str, Any] = {"status": "COMPLETED", "logs": logs, "metrics": {"inference_time": 1.5}}
        if job.cancelled:
            out.update(error="Request cancelled", error_type="client_cancelled")
        elif state.completion_error:
            out.update(error=state.completion_error[0], error_type=state.completion_error[1])
        return JSONResponse(out)
    if tail == "/cancel" and method == "PUT":
        if _current(job) == "COMPLETED":
            return JSONResponse({"status": "ALREADY_COMPLETED"}, 400)
        job.cancelled = True
        return JSONResponse({"status": "CANCELLATION_REQUESTED"}, 202)
    if not tail and method == "GET":
        fault = _fault(state, "result")
        if fault is not None:
            return fault
        if state.result_fault:
            status, body, headers = state.result_fault
            return JSONResponse(body, status, headers=headers)
        if _current(job) != "COMPLETED":
            return JSONResponse({"detail": "Request is still in progress"}, 400)
        return JSONResponse({"video": {"url": f"{state.url}/cdn/files/out/result.mp4", "content_type": "video/mp4",
                                       "file_name": "result.mp4"}, "duration": 1.0})
    return JSONResponse({"detail": "Method not allowed"}, 405)


def _cdn(state: FalState, request: Request, path: str, method: str, body: bytes, auth: str) -> Response:
    if method == "GET" and path.startswith("/cdn/files/"):
        if path == "/cdn/files/out/result.mp4":  # (request.url.path is already percent-decoded)
            return Response(tiny_mp4(), media_type="video/mp4")
        data = state.files.get(path.removeprefix("/cdn/files/"))
        return Response(data, media_type="application/octet-stream") if data is not None else Response(status_code=404)
    if auth != f"Bearer {CDN_TOKEN}":
        return JSONResponse({"detail": "bad CDN token"}, 401)
    # Header values are ASCII: a client sends other names percent-encoded (RFC 3986).
    raw_name = request.headers.get("x-fal-file-name", "file.bin")
    try:
        raw_name.encode("ascii")
    except UnicodeEncodeError:
        return JSONResponse({"detail": "X-Fal-File-Name must be ASCII"}, 400)
    name = unquote(raw_name)
    if path == "/cdn/files/upload" and method == "POST":
        fault = _fault(state, "upload")
        if fault is not None:
            return fault
        key, url_key = _keys(name)
        state.files[key] = body
        state.names[key] = name
        return JSONResponse({"access_url": f"{state.url}/cdn/files/{url_key}"})
    if path == "/cdn/files/upload/multipart" and method == "POST":
        fault = _fault(state, "multipart")
        if fault is not None:
            return fault
        (key, url_key), upload_id = _keys(name), uuid.uuid4().hex
        state.parts[upload_id] = {}
        state.names[key] = name
        return JSONResponse({"access_url": f"{state.url}/cdn/files/{url_key}", "uploadId": upload_id})
    match = _PART.match(path)
    if match and match["upload"] in state.parts:
        parts = state.parts[match["upload"]]
        if match["part"] != "complete" and method == "PUT":
            fault = _fault(state, "part")
            if fault is not None:
                return fault
            parts[int(match["part"])] = body
            return Response(status_code=200, headers={"ETag": f'"etag-{match["part"]}"'})
        if match["part"] == "complete" and method == "POST":
            listed = json.loads(body)["parts"]
            if [p["etag"] for p in listed] != [f'"etag-{n}"' for n in sorted(parts)]:
                return JSONResponse({"detail": "parts do not match"}, 400)
            state.files[match["file"]] = b"".join(parts[n] for n in sorted(parts))
            return JSONResponse({"access_url": f"{state.url}/cdn/files/{match['file']}"})
    return JSONResponse({"detail": "Not Found"}, 404)
