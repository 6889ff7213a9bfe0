"""Every NemoVideo route the skill calls, and the ``{session_id}`` placeholder rules.

A path or a JSON body may carry the placeholder; :class:`skill.nemo.client.NemoClient` fills it at
each attempt, so a request recovered on a new session (after a 1002) goes to that session.
"""

from __future__ import annotations

from typing import Any

ANONYMOUS_TOKEN_PATH = "/api/auth/anonymous-token"
CLAIM_TOKEN_PATH = "/api/auth/claim-token"
SESSION_PATH = "/api/tasks/me/with-session/nemo_agent"
CREDITS_PATH = "/api/credits/balance/simple"
STATE_PATH = "/api/state/nemo_agent/me/{session_id}/latest"
UPLOAD_PATH = "/api/upload-video/nemo_agent/me/{session_id}"
RENDER_PATH = "/api/render/proxy/lambda"
RUN_SSE_PATH = "/run_sse"
SESSION_PLACEHOLDER = "{session_id}"


def uses_session(path: str, json: Any) -> bool:
    """Whether the request names the session (in its path or as a JSON value)."""
    return SESSION_PLACEHOLDER in path or fill_session(json, "") != json


def fill_session(value: Any, session_id: str) -> Any:
    """``value`` with every string that *is* ``"{session_id}"`` replaced (free text is never touched)."""
    if value == SESSION_PLACEHOLDER:
        return session_id
    if isinstance(value, dict):
        return {key: fill_session(item, session_id) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_session(item, session_id) for item in value]
    return value
