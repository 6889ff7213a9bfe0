"""Cloud renders: submit ``/api/render/proxy/lambda``, poll it, and resume it after a crash.

The render id is ours (``render_<ms>``), so it is written to a ledger *before* the submit goes
out. A run that is killed at any point and started again first asks about that id: a render the
backend knows is polled to the end instead of being submitted twice; one it never received (or
that failed, or belongs to an older draft) is submitted afresh. Export itself costs no credits,
but a second render still wastes minutes of the person's time.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from skill.config import Settings
from skill.console import Events
from skill.errors import ApiError, ApiStatusError, AuthExpired, JobFailed, NoCredits, PlanRequired
from skill.nemo.endpoints import RENDER_PATH
from skill.nemo.envelope import object_field
from skill.store import Store

TRANSIENT_POLL_ERRORS = 3  # consecutive retryable failures tolerated while polling
_FINAL_ERRORS = (PlanRequired, AuthExpired, NoCredits)  # retrying these with a new id cannot help


class Ledger(Protocol):
    """Where the pending render is remembered between runs (the store, or the batch journal)."""

    def load(self) -> dict[str, Any] | None: ...

    def save(self, record: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...


class StoreLedger:
    """The pending render of one editing session, in the 0600 store."""

    RECORD = "render_pending"

    def __init__(self, store: Store, session_id: str) -> None:
        self.store, self.session_id = store, session_id

    def load(self) -> dict[str, Any] | None:
        record = self.store.read_json(self.RECORD)
        if isinstance(record, dict) and record.get("session_id") == self.session_id:
            return record
        return None

    def save(self, record: dict[str, Any]) -> None:
        self.store.write_json(self.RECORD, {**record, "session_id": self.session_id})

    def clear(self) -> None:
        self.store.delete(self.RECORD)


@dataclass(frozen=True)
class RenderStatus:
    state: str  # pending | processing | completed | failed
    progress: float | None = None  # 0..1
    url: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class RenderResult:
    render_id: str
    url: str
    resumed: bool


class ApiRequester(Protocol):
    def request(self, method: str, path: str, *, json: Any = None) -> Any: ...


_id_lock = threading.Lock()
_last_ms = 0


def new_render_id() -> str:
    """``render_<ms>``, unique within the process even when batch pairs submit in the same millisecond."""
    global _last_ms
    with _id_lock:
        _last_ms = max(_last_ms + 1, time.time_ns() // 1_000_000)
        return f"render_{_last_ms}"


def draft_fingerprint(draft: Any) -> str:
    return hashlib.sha256(json.dumps(draft, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def parse_status(body: Any) -> RenderStatus:
    """Both documented shapes: top-level ``status``/``output.url``, or ``data.status``/``data.outputUrl``."""
    if not isinstance(body, dict):
        return RenderStatus("pending")
    inner = object_field(body, "data") or body
    output = object_field(inner, "output")
    url = inner.get("outputUrl") or output.get("url") or body.get("outputUrl")
    progress = inner.get("progress")
    fraction = max(0.0, min(1.0, float(progress) / 100)) if isinstance(progress, (int, float)) else None
    error = inner.get("error") or inner.get("message")
    return RenderStatus(str(inner.get("status") or "pending").lower(), fraction, str(url) if url else None,
                        str(error) if error else None)


def render_draft(client: ApiRequester, session_id: str, draft: dict[str, Any], ledger: Ledger, events: Events,
           poll_seconds: float, sleep: Callable[[float], None] = time.sleep, *,
           timeout_seconds: float = Settings.render_timeout_seconds,
           clock: Callable[[], float] = time.monotonic) -> RenderResult:
    """Resume the ledger's render if it is still good for this draft, else submit one; wait for its URL.

    The wait is bounded in time (``timeout_seconds``), not in polls: a shorter poll interval gives
    faster progress lines, never less patience. A render still running then is left in the ledger.
    """
    deadline = clock() + timeout_seconds

    def wait(render_id: str, status: RenderStatus) -> str:
        return _wait(client, render_id, status, events, poll_seconds, sleep, clock, deadline)

    fingerprint = draft_fingerprint(draft)
    record = ledger.load()
    if record and record.get("draft") == fingerprint and record.get("render_id"):
        status = _probe(client, str(record["render_id"]))
        if status is not None and status.state != "failed":
            events.notice("export/resuming", render_id=record["render_id"])
            return RenderResult(str(record["render_id"]), wait(str(record["render_id"]), status), resumed=True)
    render_id, status = _submit(client, session_id, draft, ledger, fingerprint)
    return RenderResult(render_id, wait(render_id, status), resumed=False)


def _probe(client: ApiRequester, render_id: str) -> RenderStatus | None:
    """The status of a remembered render, or None if the backend does not know it."""
    try:
        return parse_status(client.request("GET", f"{RENDER_PATH}/{render_id}"))
    except _FINAL_ERRORS:
        raise
    except ApiStatusError:
        return None  # never accepted (killed mid-submit) or expired: submit afresh


def _submit(client: ApiRequester, session_id: str, draft: dict[str, Any], ledger: Ledger,
            fingerprint: str) -> tuple[str, RenderStatus]:
    """Submit; on failure retry once (NemoVideo's rule for renders: one retry, then report).

    A refused submit (an error answer, a failed render) is retried with a new id. One whose outcome
    is unknown (timed out, cut off, connection lost) may be rendering already, so it is sent again
    under the *same* id: the backend keeps one render per id, so that cannot render twice.
    """
    failure: Exception | None = None
    render_id = new_render_id()
    for _ in range(2):
        ledger.save({"render_id": render_id, "draft": fingerprint, "submitted_at": time.time()})
        body = {"id": render_id, "sessionId": session_id, "draft": draft,
                "output": {"format": "mp4", "quality": "high"}}
        try:
            status = parse_status(client.request("POST", RENDER_PATH, json=body))
        except _FINAL_ERRORS:
            ledger.clear()
            raise
        except ApiStatusError as error:
            failure, render_id = error, new_render_id()
            continue
        except ApiError as error:  # no answer we can trust: the backend may have accepted it
            failure = error
            continue
        if status.state != "failed":
            return render_id, status
        failure = JobFailed("errors/media_render_failed", render_id=render_id, reason=status.error or "")
        render_id = new_render_id()
    ledger.clear()
    assert failure is not None
    raise failure


def _wait(client: ApiRequester, render_id: str, status: RenderStatus, events: Events, poll_seconds: float,
          sleep: Callable[[float], None], clock: Callable[[], float], deadline: float) -> str:
    transient = 0
    while True:
        events.progress("export/rendering", fraction=status.progress, state=status.state)
        if status.state == "completed":
            return status.url or f"/api/render/proxy/{render_id}/download"
        if status.state == "failed":
            raise JobFailed("errors/media_render_failed", render_id=render_id, reason=status.error or "")
        if clock() + poll_seconds > deadline:
            raise JobFailed("errors/media_render_slow", render_id=render_id)
        sleep(poll_seconds)
        try:
            status = parse_status(client.request("GET", f"{RENDER_PATH}/{render_id}"))
            transient = 0
        except ApiError as error:
            transient += 1
            if not error.retryable or transient > TRANSIENT_POLL_ERRORS:
                raise
