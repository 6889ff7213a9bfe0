"""The emulated NemoVideo HTTP API (Starlette), speaking the real wire shapes.

Every route goes through :func:`endpoint`: log the call, apply a pending fault, then check the
bearer token; the attribution headers are checked and a missing one recorded on every call.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.emulator.faults import apply_fault, envelope_error, truncated_bytes
from tests.emulator.media import probe, tiny_mp4
from tests.emulator.sse import run_sse
from tests.emulator.state import SKILL_HEADERS, Call, EmulatorState, Render, Token
from tests.emulator.upload import upload

Handler = Callable[[Request, EmulatorState], Awaitable[Response]]


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _json_body(request: Request) -> Any:
    if "json" not in request.headers.get("content-type", ""):
        return None
    raw = await request.body()  # Starlette caches it, so handlers can read it again
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def endpoint(route: str, handler: Handler, *, auth: bool = True, attributed: bool = True
             ) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with the call log, fault injection and the bearer check."""

    async def run(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        headers = {k.lower(): v for k, v in request.headers.items()}
        missing = [h for h in SKILL_HEADERS if not headers.get(h, "").strip()] if attributed else []
        state.record(Call(route, request.method, request.url.path, headers, await _json_body(request),
                          dict(request.query_params), missing))
        request.state.missing_headers = missing
        request.state.truncate = False
        fault = state.take_fault(route)
        if fault is not None:
            if fault.kind == "truncated" and route == "file":
                request.state.truncate = True  # cut the media itself, not a JSON body
            else:
                response = await apply_fault(fault, request, lambda: state.expire_token(bearer(request) or ""))
                if response is not None:
                    return response
        if auth:
            token = state.token(bearer(request))
            if token is None:
                return envelope_error(1001)
            request.state.token = token
        return await handler(request, state)

    return run


# -- auth and session --------------------------------------------------------------------------------
async def anonymous_token(request: Request, state: EmulatorState) -> Response:
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id:
        return envelope_error(400)
    token = state.anonymous_token(client_id)
    expires = datetime.fromtimestamp(token.expires_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ok({"token": token.value, "credits": state.credits["available"], "user_id": token.user_id,
               "expires_at": expires})


async def claim_token(request: Request, state: EmulatorState) -> Response:
    body = await _json_body(request) or {}
    session_id = str(body.get("session_id", "")) if isinstance(body, dict) else ""
    if session_id not in state.sessions:
        return envelope_error(1002)
    claim = "clm_" + secrets.token_hex(16)
    state.claim_tokens[claim] = (str(body.get("task_id", "")), session_id)
    return ok({"claim_token": claim, "expires_in": 604800})


async def create_session(request: Request, state: EmulatorState) -> Response:
    body = await _json_body(request)
    body = body if isinstance(body, dict) else {}
    session = state.create_session(body.get("language"), str(body.get("task_name") or "project"))
    return ok({"task_id": session.task_id, "session_id": session.session_id})


async def credits(request: Request, state: EmulatorState) -> Response:
    return ok(dict(state.credits))


async def session_state(request: Request, state: EmulatorState) -> Response:
    session = state.sessions.get(request.path_params["sid"])
    if session is None:
        return envelope_error(1002)
    return ok({"session_id": session.session_id, "task_id": session.task_id, "task_name": session.task_name,
               "state": session.state})


# -- render ------------------------------------------------------------------------------------------
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
        if status == "completed":
            data.update(outputUrl=url, completedAt=int((render.completed_at or time.time()) * 1000))
        if status == "failed":
            data["error"] = "Render failed"
        return JSONResponse({"success": True, "data": data})
    body: dict[str, Any] = {"taskId": render.render_id, "status": status, "progress": progress}
    if status == "completed":
        output = _render_output(state)
        body["output"] = {"url": url, "duration": probe_bytes_duration(output), "size": len(output)}
    if status == "failed":
        body["error"] = "Render failed"
    return JSONResponse(body)


def probe_bytes_duration(content: bytes) -> float | None:
    return probe(io.BytesIO(content))["duration"]


async def render_submit(request: Request, state: EmulatorState) -> Response:
    token: Token = request.state.token
    if request.state.missing_headers or (state.block_anonymous_export and not token.registered):
        return envelope_error(402)
    body = await _json_body(request)
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


def with_transport(app: ASGIApp) -> ASGIApp:
    """Expose uvicorn's connection transport in the scope, so faults can drop the connection."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        cycle = getattr(send, "__self__", None)
        scope["emulator.transport"] = getattr(cycle, "transport", None)
        await app(scope, receive, send)

    return wrapped


def build_app(state: EmulatorState) -> ASGIApp:
    routes = [
        Route("/api/auth/anonymous-token", endpoint("anonymous-token", anonymous_token, auth=False),
              methods=["POST"]),
        Route("/api/auth/claim-token", endpoint("claim-token", claim_token), methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", endpoint("session", create_session), methods=["POST"]),
        Route("/api/credits/balance/simple", endpoint("credits", credits), methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", endpoint("state", session_state), methods=["GET"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", endpoint("upload", upload), methods=["POST"]),
        Route("/api/render/proxy/lambda", endpoint("render-submit", render_submit), methods=["POST"]),
        Route("/api/render/proxy/lambda/{rid}", endpoint("render-status", render_status), methods=["GET"]),
        Route("/api/render/proxy/{rid}/download", endpoint("render-download", render_download), methods=["GET"]),
        Route("/run_sse", endpoint("run_sse", run_sse), methods=["POST"]),
        Route("/files/{name:path}", endpoint("file", serve_file, auth=False, attributed=False), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.router.redirect_slashes = False  # the real API answers a stray slash with 404, not a redirect
    app.state.emulator = state
    return with_transport(app)
