"""One job model for every lip-sync provider, and the patient loop that waits on it.

A provider turns a :class:`JobRequest` into a :class:`JobHandle` (``submit``) and reports a
:class:`JobState` for it (``poll``). Four states cover every service we speak to: *queued*
(with a queue position when known), *running* (with log lines), *succeeded* (output URLs plus
the model's own output JSON) and *failed* (a message and whether trying again could help).

Submits are never retried: a second POST after a lost answer would pay twice for one video.
Polls are read-only, so transient failures while polling are retried with capped backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from skill.console import Events
from skill.errors import ConnectionFailed, LipSyncError, ProviderError, RequestTimeout, UsageError

Mode = Literal["talk", "motion", "dub"]
Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})

# Backoff for polls that hit a transient error: doubles from the poll interval up to this cap.
MAX_BACKOFF_SECONDS = 30.0
MAX_POLL_FAILURES = 6


@dataclass
class JobRequest:
    """What the person asked for, before any upload: inputs are local paths or http(s) URLs."""

    mode: Mode
    inputs: dict[str, str]  # role ("image" | "audio" | "video") → path or URL
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobHandle:
    """Everything needed to find a job again from another process: id, provider, server URLs."""

    id: str
    provider: str
    model: str
    mode: str
    urls: dict[str, str] = field(default_factory=dict)  # status / result / cancel, as the server sent them
    created_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobHandle:
        """Strict: a record missing its URLs is unusable, and the caller falls back to the flags."""
        urls = data["urls"]
        if not isinstance(urls, dict) or not urls or not all(isinstance(v, str) for v in urls.values()):
            raise ValueError("job handle without URLs")
        return cls(id=str(data["id"]), provider=str(data["provider"]), model=str(data["model"]),
                   mode=str(data["mode"]), urls=dict(urls), created_at=float(data.get("created_at") or 0.0))


@dataclass
class JobState:
    status: Status
    position: int | None = None
    logs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)  # the model's own output JSON (e.g. {"video": {...}})
    message: str = ""
    retryable: bool = False
    log_ids: list[str] = field(default_factory=list)  # one identity per log line; empty: by position

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def identified_logs(self) -> list[tuple[str, str]]:
        """(identity, line) pairs: the service's identity when it gives one, else the line's position."""
        if len(self.log_ids) == len(self.logs):
            return list(zip(self.log_ids, self.logs))
        return [(f"#{index}", line) for index, line in enumerate(self.logs)]


class Provider(Protocol):
    """A queue-style service. ``upload`` turns a local file into a URL the service can fetch."""

    name: str

    def default_model(self, mode: str) -> str: ...

    def check(self, request: JobRequest) -> float | None:
        """Refuse inputs the service would reject; return the estimated cost in USD if known."""
        ...

    def upload(self, path: str) -> str: ...

    def submit(self, request: JobRequest) -> JobHandle: ...

    def poll(self, handle: JobHandle, logs: bool = False) -> JobState: ...

    def cancel(self, handle: JobHandle) -> str:
        """``"requested"`` or ``"already_completed"``; raises ProviderError otherwise."""
        ...

    def handle_for(self, job_id: str, model: str) -> JobHandle:
        """Rebuild a handle for a job this machine did not submit (ids from another tool)."""
        ...

    def close(self) -> None: ...


def require_inputs(request: JobRequest, roles: tuple[str, ...]) -> None:
    """Refuse a request missing one of the inputs its mode needs, naming the first missing role."""
    for role in roles:
        if not request.inputs.get(role):
            raise UsageError("errors/provider_input_missing", role=role, mode=request.mode)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (ConnectionFailed, RequestTimeout)) or (
        isinstance(exc, LipSyncError) and bool(getattr(exc, "retryable", False)))


def poll_once(provider: Provider, handle: JobHandle, logs: bool, sleep: Callable[[float], None],
              base_delay: float) -> JobState:
    """One status read, retried with doubling delays while the failure is transient."""
    delay = max(base_delay, 0.01)
    for attempt in range(MAX_POLL_FAILURES):
        try:
            return provider.poll(handle, logs=logs)
        except LipSyncError as exc:
            if not is_transient(exc) or attempt == MAX_POLL_FAILURES - 1:
                raise
            sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
    raise AssertionError("unreachable")  # the loop either returns or raises


def wait(provider: Provider, handle: JobHandle, events: Events, *, poll_interval: float, timeout: float,
         logs: bool = False, clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> JobState:
    """Poll until the job ends or ``timeout`` passes.

    On timeout the job is *not* cancelled: it keeps running and costing, so the person gets its id
    to fetch the result later (``--result ID``) instead of losing paid work.
    """
    if poll_interval < 0 or timeout <= 0:
        raise UsageError("errors/provider_bad_wait")
    started = clock()
    deadline = started + timeout
    seen_logs: set[str] = set()
    while True:
        state = poll_once(provider, handle, logs, sleep, poll_interval)
        if logs:
            for identity, line in state.identified_logs():
                if identity not in seen_logs:
                    seen_logs.add(identity)
                    events.notice("jobs/log", line=line)
        if state.done:
            return state
        if state.status == "queued":
            events.progress("jobs/queued", position=state.position, id=handle.id)
        else:
            events.progress("jobs/running", seconds=int(clock() - started), id=handle.id)
        if clock() + poll_interval > deadline:
            # Not retryable: the job goes on (and is billed); a caller that submitted it again
            # would pay twice. The message names the id to fetch or cancel it with.
            raise ProviderError("errors/provider_timeout", retryable=False, provider=handle.provider,
                                id=handle.id, seconds=int(timeout))
        sleep(poll_interval)
