"""Render routes (submit, status polls in either documented shape, download fallback) and the file host."""

from __future__ import annotations

import io
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from tests.emulator.faults import truncated_bytes
from tests.emulator.media import probe, tiny_mp4
from tests.emulator.state import EmulatorState, Render, Token
from tests.emulator.wire import envelope_error, json_body


def _render_output(state: EmulatorState) -> bytes:
    return state.render_output if state.render_output is not None else tiny_mp4()


def _render_status(render: Render, state: EmulatorState) -> str:
    if render.polls == 0:
        return "pending"
    if render.polls < state.render_polls:
        return "processing"
    return "failed" if state.render_fail else "completed"


def _render_reply(render: Render, status: str, state: EmulatorState, request: Request) -> Response:
    progress = {"pending": 5, "processing": 50, "completed": 100, "failed": 0}[status]
    url = f"{str(request.base_url).rstrip('/')}/files/{render.render_id}.mp4"
    if status == "completed" and render.completed_at is None:
        render.completed_at = time.time()
    if state.render_shape == "data":
        data: dict[str, Any] = {"id": render.render_id, "status": status, "progress": progress,
                                "createdAt": int(render.created_at * 1000)}
        if status == "completed" and state.render_url:
            data.update(outputUrl=url, completedAt=int((render.completed_at or time.time()) * 1000))
        if status == "failed":
            data["error"] = "Render failed"
        return JSONResponse({"success": True, "data": data})
    body: dict[str, Any] = {"taskId": render.render_id, "status": status, "progress": progress}
    if status == "completed":
        output = _render_output(state)
        body["output"] = {"url": url if state.render_url else None, "duration": probe_bytes_duration(output),
                          "size": len(output)}
    if status == "failed":
        body["error"] = "Render failed"
    return JSONResponse(body)


def probe_bytes_duration(content: bytes) -> float | None:
    return probe(io.BytesIO(content))["duration"]


async def render_submit(request: Request, state: EmulatorState) -> Response:
    token: Token = request.state.token
    if request.state.missing_headers or (state.block_anonymous_export and not token.registered):
        return envelope_error(402)
    body = await json_body(request)
    if not isinstance(body, dict) or not body.get("id"):
        return JSONResponse({"success": False, "error": "id is required"}, status_code=422)
    render_id = str(body["id"])
    session_id = str(body.get("sessionId", ""))
    if session_id not in state.sessions:
        return envelope_error(1002)
    with state.lock:
        state.render_submits[render_id] += 1
        render = state.renders.get(render_id)
        if render is None:
            render = state.renders[render_id] = Render(render_id, session_id, body.get("draft"), body.get("output"))
    return _render_reply(render, _render_status(render, state), state, request)


async def render_status(request: Request, state: EmulatorState) -> Response:
    render = state.renders.get(request.path_params["rid"])
    if render is None:
        return JSONResponse({"success": False, "error": "render not found"}, status_code=404)
    with state.lock:
        render.polls += 1
    return _render_reply(render, _render_status(render, state), state, request)


async def render_download(request: Request, state: EmulatorState) -> Response:
    render = state.renders.get(request.path_params["rid"])
    if render is None or _render_status(render, state) != "completed":
        return JSONResponse({"success": False, "error": "render not ready"}, status_code=404)
    return Response(_render_output(state), media_type="video/mp4")


async def serve_file(request: Request, state: EmulatorState) -> Response:
    name = request.path_params["name"]
    if name in state.uploaded_files:
        path = state.uploaded_files[name]
        if request.state.truncate:
            return truncated_bytes(path.read_bytes(), "application/octet-stream")
        return FileResponse(path)
    render_id = name.removesuffix(".mp4")
    if render_id not in state.renders:
        return JSONResponse({"success": False, "error": "not found"}, status_code=404)
    content = _render_output(state)
    if request.state.truncate:
        return truncated_bytes(content, "video/mp4")
    return Response(content, media_type="video/mp4")
