"""The emulated NemoVideo HTTP API (Starlette), speaking the real wire shapes.

Every route goes through :func:`endpoint`: log the call, apply a pending fault, then check the
bearer token; the attribution headers are checked and a missing one recorded on every call.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.emulator.faults import apply_fault
from tests.emulator.render import render_download, render_status, render_submit, serve_file
from tests.emulator.sse import run_sse
from tests.emulator.state import SKILL_HEADERS, Call, EmulatorState
from tests.emulator.upload import upload
from tests.emulator.wire import bearer, envelope_error, json_body, ok

Handler = Callable[[Request, EmulatorState], Awaitable[Response]]


def endpoint(route: str, handler: Handler, *, auth: bool = True, attributed: bool = True
             ) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with the call log, fault injection and the bearer check."""

    async def run(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        headers = {k.lower(): v for k, v in request.headers.items()}
        missing = [h for h in SKILL_HEADERS if not headers.get(h, "").strip()] if attributed else []
        state.record(Call(route, request.method, request.url.path, headers, await json_body(request),
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
    body = await json_body(request) or {}
    session_id = str(body.get("session_id", "")) if isinstance(body, dict) else ""
    if session_id not in state.sessions:
        return envelope_error(1002)
    claim = "clm_" + secrets.token_hex(16)
    state.claim_tokens[claim] = (str(body.get("task_id", "")), session_id)
    return ok({"claim_token": claim, "expires_in": 604800})


async def create_session(request: Request, state: EmulatorState) -> Response:
    body = await json_body(request)
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
