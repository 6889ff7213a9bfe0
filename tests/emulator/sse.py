"""POST /run_sse: play queued SSE scripts verbatim, acting on the emulator's directive comments.

A script is raw SSE wire text. Lines ``: @sleep <s>``, ``: @drop`` and ``: @apply <state-fixture>``
are directives for the emulator and never reach the client; everything else (events, heartbeats,
ordinary comments) is sent byte for byte.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from tests.emulator.faults import drop_connection
from tests.emulator.state import SSE_FIXTURES, STATE_FIXTURES, EmulatorState

DIRECTIVES = ("sleep", "drop", "apply")
DEFAULT_REPLY = {
    "en": "Got it. Your project is open: tell me what to change, or say export when you are ready.",
    "zh": "好的，项目已打开：告诉我要改什么，准备好了就说导出。",
}


@dataclass(frozen=True)
class Step:
    action: str  # "send" or a directive
    arg: str = ""


def script_text(script: str) -> str:
    """A script given by name (``fixtures/sse/<name>.sse``) or as raw SSE text."""
    if "\n" in script:
        return script
    path = SSE_FIXTURES / f"{script}.sse"
    if not path.is_file():
        raise FileNotFoundError(f"no SSE script {path}")
    return path.read_text(encoding="utf-8")


def parse_script(text: str) -> list[Step]:
    """Split a script into wire text and directives; bad directives fail here, in the test thread."""
    steps: list[Step] = []
    pending: list[str] = []
    for line in text.splitlines(keepends=True):
        if not line.startswith(": @"):
            pending.append(line)
            continue
        name, _, arg = line[3:].strip().partition(" ")
        arg = arg.strip()
        if name not in DIRECTIVES:
            raise ValueError(f"unknown SSE directive {line.strip()!r}")
        if name == "sleep":
            float(arg)
        if name == "apply" and not (STATE_FIXTURES / f"{arg}.json").is_file():
            raise FileNotFoundError(f"no state fixture {arg!r} for {line.strip()!r}")
        if pending:
            steps.append(Step("send", "".join(pending)))
            pending = []
        steps.append(Step(name, arg))
    if pending:
        steps.append(Step("send", "".join(pending)))
    return steps


def adk_text_event(text: str, author: str = "nemo_agent") -> str:
    """One ADK Event carrying model text, serialised like ``model_dump_json(by_alias=True)``."""
    event = {"content": {"parts": [{"text": text}], "role": "model"}, "invocationId": f"e-{uuid.uuid4()}",
             "author": author, "actions": {"stateDelta": {}, "artifactDelta": {}, "requestedAuthConfigs": {}},
             "id": str(uuid.uuid4()), "timestamp": time.time()}
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n"


def default_script(language: str | None) -> str:
    return adk_text_event(DEFAULT_REPLY["zh" if (language or "").lower().startswith("zh") else "en"])


async def _play(steps: list[Step], request: Request, state: EmulatorState, session_id: str) -> AsyncIterator[str]:
    for step in steps:
        if step.action == "send":
            yield step.arg
        elif step.action == "sleep":
            await asyncio.sleep(float(step.arg))
        elif step.action == "apply":
            state.apply_draft(session_id, step.arg)
        elif step.action == "drop":
            await drop_connection(request)
            return


async def run_sse(request: Request, state: EmulatorState) -> Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("new_message", body.get("newMessage")), dict):
        return JSONResponse({"detail": "new_message is required"}, status_code=422)
    session_id = str(body.get("session_id", body.get("sessionId", "")))
    session = state.sessions.get(session_id)
    if session is None:
        return JSONResponse({"detail": "Session not found"}, status_code=404)
    message = body.get("new_message", body.get("newMessage"))
    text = "".join(str(p.get("text", "")) for p in message.get("parts", []) if isinstance(p, dict))
    with state.lock:
        state.messages.setdefault(session_id, []).append(text)
    script = state.next_script()
    steps = parse_script(script_text(script) if script is not None else default_script(session.language))
    return StreamingResponse(_play(steps, request, state, session_id), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})
