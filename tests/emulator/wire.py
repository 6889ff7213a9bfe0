"""The backend's JSON envelopes, and reading what a client sent."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

CODE_MESSAGES = {
    400: "X-Client-Id header is required",
    402: "Free plan export blocked. Upgrade your plan to export.",
    429: "Too many requests, please retry later",
    1001: "Invalid or expired token",
    1002: "Session not found",
    2001: "Insufficient credits",
    4001: "Unsupported file type",
    4002: "File too large",
}
# codes the real backend also sends with the same HTTP status; the others ride on HTTP 200
HTTP_STATUS_CODES = {400, 402, 429}


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def json_body(request: Request) -> Any:
    if "json" not in request.headers.get("content-type", ""):
        return None
    raw = await request.body()  # Starlette caches it, so handlers can read it again
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def envelope_error(code: int, message: str | None = None) -> JSONResponse:
    """``{"code":n,"message":…}`` with HTTP 200, or with HTTP n for 400/402/429."""
    body = {"code": code, "message": message or CODE_MESSAGES.get(code, "error"), "data": None}
    return JSONResponse(body, status_code=code if code in HTTP_STATUS_CODES else 200)
