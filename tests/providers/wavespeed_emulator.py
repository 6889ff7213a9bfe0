"""A loopback WaveSpeed API v3: the ``{code, message, data}`` envelope (errors inside HTTP 200
too), the ticket and legacy binary uploads, ``bytedance/lipsync/audio-to-video`` and its result.

Each task walks ``state.plan`` one step per result read; faults are queued per route:
``state.inject("result", "code:500")`` (HTTP 200, code 500) or ``"http:503"``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.emulator.app import with_transport
from tests.emulator.faults import drop_connection
from tests.emulator.media import tiny_mp4

KEY = "ws-test-key-0123456789"


@dataclass
class WaveSpeedState:
    url: str = ""
    plan: list[str] = field(default_factory=lambda: ["created", "processing", "completed"])
    failure: str = "Face not detected in video"
    failure_code: int | None = None  # the failed task's ``code`` (5004: it timed out on WaveSpeed's side)
    ticket_upload: bool = True  # False: the current upload route answers 404 (an old deployment)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # "<folder>/<name as sent>" → bytes
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)

    def inject(self, route: str, fault: str, times: int = 1) -> None:
        self.faults.setdefault(route, []).extend([fault] * times)

    def calls(self, contains: str = "", method: str | None = None) -> list[tuple[str, str, dict[str, str]]]:
        return [c for c in self.log if contains in c[1] and (method is None or c[0] == method)]

    def reset(self) -> None:
        url = self.url
        self.__init__()  # type: ignore[misc]
        self.url = url


def envelope(data: Any, code: int = 200, message: str = "success") -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": data})


def _fault(state: WaveSpeedState, route: str) -> Response | None:
    queue = state.faults.get(route)
    if not queue or queue[0] in ("drop", "garble"):  # these let the handler act first
        return None
    kind, _, arg = queue.pop(0).partition(":")
    if kind == "reset":  # the request never reaches the handler: the connection is reset
        return RESET
    if kind == "code":  # an application error inside HTTP 200
        return JSONResponse({"code": int(arg), "message": "Internal error, please retry"})
    return JSONResponse({"code": int(arg), "message": "Service Unavailable"}, int(arg))


class _Reset(Response):
    """Marks a fault answered by resetting the connection (see ``dispatch``)."""


RESET = _Reset(status_code=599)


def build_app(state: WaveSpeedState) -> Starlette:
    async def answer(request: Request) -> Response:
        path, method = request.url.path, request.method
        state.log.append((method, path, dict(request.headers)))
        auth = request.headers.get("authorization", "")
        if path.startswith("/storage/") and method == "PUT":
            if auth:
                return Response("signed URL must not carry credentials", 400)
            state.files[path.removeprefix("/storage/")] = await request.body()
            return Response(status_code=200)
        if path.startswith("/files/") and method == "GET":
            return Response(tiny_mp4(), media_type="video/mp4")
        if auth != f"Bearer {KEY}":
            return JSONResponse({"code": 401, "message": "Unauthorized: invalid API key"}, 401)
        if path == "/api/v3/media/uploads" and method == "POST":
            if not state.ticket_upload:
                return JSONResponse({"detail": "Not Found"}, 404)
            ticket = json.loads(await request.body())
            folder = uuid.uuid4().hex  # URLs carry the name percent-encoded, as a real store's do
            name = f"{folder}/{quote(ticket['filename'], safe='')}"
            return envelope({"type": "video", "download_url": f"{state.url}/files/{name}",
                             "filename": ticket["filename"], "size": ticket["size"],
                             "upload": {"method": "PUT", "url": f"{state.url}/storage/{name}",
                                        "headers": {"Content-Type": ticket.get("content_type", "")}}})
        if path == "/api/v3/media/upload/binary" and method == "POST":
            form = await request.form()
            upload = form["file"]
            folder, filename = uuid.uuid4().hex, str(upload.filename)  # type: ignore[union-attr]
            state.files[f"{folder}/{filename}"] = await upload.read()  # type: ignore[union-attr]
            return envelope({"download_url": f"{state.url}/files/{folder}/{quote(filename, safe='')}"})
        if path == "/api/v3/bytedance/lipsync/audio-to-video" and method == "POST":
            fault = _fault(state, "submit")
            if fault is not None:
                return fault
            body = json.loads(await request.body())
            if not body.get("audio") or not body.get("video"):
                return JSONResponse({"code": 400, "message": "audio and video are required"})
            task_id = uuid.uuid4().hex
            state.tasks[task_id] = {"step": 0, "body": body}
            queue = state.faults.get("submit")
            if queue and queue[0] == "drop":  # the task exists, but its answer never arrives
                queue.pop(0)
                return await drop_connection(request)
            if queue and queue[0] == "garble":  # the task exists, but its answer cannot be read
                queue.pop(0)
                return Response(b'{"code": 200, "data": {"id": "', 200, media_type="application/json")
            return envelope(_data(state, task_id, "created"))
        if path.startswith("/api/v3/predictions/") and path.endswith("/result") and method == "GET":
            fault = _fault(state, "result")
            if fault is not None:
                return fault
            task_id = path.split("/")[4]
            task = state.tasks.get(task_id)
            if task is None:
                return JSONResponse({"code": 404, "message": "Prediction not found"}, 404)
            status = state.plan[min(task["step"], len(state.plan) - 1)]
            task["step"] += 1
            return envelope(_data(state, task_id, status))
        return JSONResponse({"code": 404, "message": "Not Found"}, 404)

    async def dispatch(request: Request) -> Response:
        response = await answer(request)
        return await drop_connection(request) if response is RESET else response

    return with_transport(Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST", "PUT"])]))


def _data(state: WaveSpeedState, task_id: str, status: str) -> dict[str, Any]:
    return {"id": task_id, "model": "bytedance/lipsync/audio-to-video", "status": status,
            "outputs": [f"{state.url}/files/out/{task_id}.mp4"] if status == "completed" else [],
            "urls": {"get": f"{state.url}/api/v3/predictions/{task_id}/result"}, "has_nsfw_contents": [],
            "created_at": "2026-01-01T00:00:00.000Z", "error": state.failure if status == "failed" else "",
            "timings": {"inference": 1200 if status == "completed" else 0},
            **({"code": state.failure_code} if status == "failed" and state.failure_code is not None else {})}
