"""NemoVideo response bodies → data or one of our errors. Pure: no I/O, no retries.

The backend answers in three shapes — ``{"code": 0, "data": …}``, ``{"success": true, "data": …}``
and raw JSON — and signals failure either with a non-zero ``code`` inside an HTTP 200 or with an
HTTP status. Both paths go through one table so a 1001 in a 200 and a bare 401 recover alike.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from skill.errors import ApiStatusError, BadResponse, ServerError, SessionNotFound, UnsupportedFile

# Backend codes and HTTP statuses share one namespace; each error class lists its own codes.
ERRORS: dict[int, type[ApiStatusError]] = {
    code: cls for cls in ApiStatusError.__subclasses__() for code in cls.codes}
_DETAIL_LIMIT = 200
ANONYMOUS_TOKEN_SECONDS = 7 * 24 * 3600  # anonymous tokens live 7 days


def parse_body(status: int, content: bytes, content_type: str = "") -> Any:
    """The decoded JSON body; None for an empty one. Non-JSON bodies become clear errors."""
    if not content.strip():
        if status >= 400:
            raise error_for(None, status, "")
        return None
    try:
        return json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        pass
    if status >= 500:
        raise ServerError(status=status)
    if status >= 400:
        raise error_for(None, status, "")
    if _looks_like_html(content, content_type):
        kind = "html"
    elif content.lstrip()[:1] in (b"{", b"["):
        kind = "truncated"  # JSON that stops early: a dropped connection or a proxy cut it
    else:
        kind = "not_json"
    raise BadResponse("errors/bad_response", status=status, kind=kind)


def unwrap(status: int, body: Any) -> Any:
    """The ``data`` of an envelope, or the raw body; raises the mapped error on failure."""
    if isinstance(body, dict):
        code = body.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            if code != 0 or status >= 400:
                raise error_for(code or None, status, _message(body))
            return body.get("data")
        success = body.get("success")
        if isinstance(success, bool):
            if not success or status >= 400:
                raise error_for(_int(body.get("errorCode")), status, _message(body))
            return body.get("data", body)
    if status >= 400:
        raise error_for(None, status, _message(body) if isinstance(body, dict) else "")
    return body


def error_for(code: int | None, status: int, detail: str) -> ApiStatusError:
    """The error for a backend ``code`` (preferred) or an HTTP ``status``."""
    detail = detail[:_DETAIL_LIMIT]
    if code is not None and code in ERRORS:
        cls = ERRORS[code]
    elif status in ERRORS:
        cls = ERRORS[status]
    elif status == 404 and "session" in detail.lower():  # ADK's /run_sse: 404 "Session not found"
        cls = SessionNotFound
    elif status >= 500 or (code is not None and code >= 500 and code < 600):
        cls = ServerError
    else:
        return ApiStatusError("errors/api_status", status=status, code=code, detail=detail)
    params: dict[str, Any] = {"detail": detail}
    if cls is UnsupportedFile:
        from skill.media.names import SUPPORTED_EXTENSIONS  # the one list preflight checks too

        params["formats"] = ", ".join(SUPPORTED_EXTENSIONS)
    return cls(status=status, code=code, **params)


def object_field(parent: Any, key: str) -> dict[str, Any]:
    """``parent[key]`` when both are JSON objects, else ``{}``: backend shapes vary, a missing or
    mistyped sub-object reads as empty."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def text_field(value: Any) -> str | None:
    """A non-empty field as text (ids arrive as numbers or strings), else None."""
    return str(value) if value not in (None, "") else None


def expiry_seconds(value: Any) -> float:
    """``expires_at`` as epoch seconds (accepts seconds, milliseconds or ISO 8601); 7 days if absent."""
    fallback = time.time() + ANONYMOUS_TOKEN_SECONDS
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return value / 1000 if value > 1e12 else float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return fallback
    return fallback


def _message(body: dict[str, Any]) -> str:
    for key in ("message", "msg", "error", "detail"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return value["message"]
    return ""


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _looks_like_html(content: bytes, content_type: str) -> bool:
    head = content[:200].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<"))
