"""One edit turn's stream: send the person's words to ``/run_sse`` once and collect what comes back.

* The message is sent **once**. A turn that times out or drops may still be running (and charged) on
  the backend, so it is never re-sent; the caller reads the session state and reports what the draft holds.
* The stream is read on a helper thread so this loop keeps its own monotonic clock: "still working"
  every ``progress_seconds`` without text, a hard cap at ``sse_timeout_seconds``, and a stream that
  only sends keep-alives for ``silence_seconds`` counts as timed out.

``skill.handlers.edit.run_turn`` turns the collected :class:`Turn` into a reply.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import httpx
from httpx_sse import EventSource

from skill.errors import ApiError, ConnectionLost, RequestTimeout
from skill.nemo.endpoints import RUN_SSE_PATH, SESSION_PLACEHOLDER
from skill.nemo.sse import EventParser, StreamEvent, activity
from skill.redact import redact

if TYPE_CHECKING:
    from skill.config import Settings
    from skill.console import Events
    from skill.nemo.client import NemoClient

log = logging.getLogger("skill.edit")

Ending = Literal["complete", "timeout", "silence", "dropped"]
_END = object()


@dataclass
class Turn:
    """What one stream delivered. ``errors`` are backend messages for the debug log only."""

    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ending: Ending = "complete"


class _Pump:
    """Reads SSE ``data`` on a daemon thread into a queue, so the turn loop can wake on its own clock.

    A read timeout inside httpx closes the stream for good, so it cannot serve as a periodic tick;
    the queue's ``get(timeout=…)`` can. The thread ends when the stream ends or is closed.
    """

    def __init__(self, response: httpx.Response) -> None:
        self.items: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._response = response
        threading.Thread(target=self._run, name="run_sse-reader", daemon=True).start()

    def _run(self) -> None:
        try:
            for event in EventSource(self._response).iter_sse():
                self.items.put(event.data)
            self.items.put(_END)
        except Exception as exc:  # any transport failure (reset, truncated chunk, closed) ends the turn
            self.items.put(exc)


def _read_turn(settings: Settings, reporter: Events, response: httpx.Response) -> Turn:
    clock = time.monotonic
    started = clock()
    deadline = started + settings.sse_timeout_seconds
    last_signal = started  # any real event; keep-alives do not count
    last_spoken = started  # the last time the person heard something (text or a progress line)
    turn = Turn()
    parser = EventParser()
    pump = _Pump(response)

    def handle(events: list[StreamEvent], now: float) -> None:
        nonlocal last_signal, last_spoken
        for event in events:
            if event.kind == "heartbeat":
                continue
            last_signal = now
            if event.kind in ("text", "partial"):
                last_spoken = now
                if event.kind == "text":
                    turn.texts.append(event.text)
            elif event.kind == "tool_call":
                reporter.progress("edit/activity", activity=activity(event.tool))
                last_spoken = now
            elif event.kind == "error":
                log.debug("backend error event: %s", redact(event.error))
                turn.errors.append(event.error)

    while True:
        now = clock()
        if now >= deadline or now - last_signal >= settings.silence_seconds:
            handle(parser.finish(), now)  # text streamed so far is still worth showing
            turn.ending = "timeout" if now >= deadline else "silence"
            return turn
        if now - last_spoken >= settings.progress_seconds:
            # The elapsed time keeps each line distinct: consoles drop a progress line that repeats.
            reporter.progress("edit/still_working", elapsed=round(now - started))
            last_spoken = now
        wait = min(deadline, last_signal + settings.silence_seconds, last_spoken + settings.progress_seconds) - now
        try:
            item = pump.items.get(timeout=max(wait, 0.005))
        except queue.Empty:
            continue
        if isinstance(item, str):
            handle(parser.feed(item), clock())
            continue
        handle(parser.finish(), clock())
        if isinstance(item, Exception):
            log.debug("stream ended early: %s", type(item).__name__)
            # the read timeout is the silence window: nothing arrived for it, so it is a stall, not a drop
            turn.ending = "silence" if isinstance(item, httpx.ReadTimeout) else "dropped"
        return turn


def stream(client: NemoClient, settings: Settings, events: Events, text: str) -> Turn:
    """Post ``text`` to ``/run_sse`` once and read the stream until it ends, stalls or times out."""
    # The placeholder is filled per attempt, so a 1002 answered before the stream starts is
    # recovered on a new session (the message was never accepted, so that is not a re-send).
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": SESSION_PLACEHOLDER,
            "new_message": {"role": "user", "parts": [{"text": text}]}}
    # A socket that delivers nothing at all for the silence window is as dead as one sending only
    # keep-alives; the turn loop's own clock handles everything shorter.
    read_timeout = max(0.05, min(settings.silence_seconds, settings.sse_timeout_seconds))
    try:
        with client.stream("POST", RUN_SSE_PATH, json=body, timeout=read_timeout) as response:
            return _read_turn(settings, events, response)
    except RequestTimeout:
        # The request went out and the backend may be working on it: report, never re-send.
        return Turn(ending="timeout")
    except ConnectionLost:
        return Turn(ending="dropped")  # likewise: it may have been accepted before the reset


def read_draft(client: NemoClient) -> dict[str, Any] | None:
    """The session's current draft (``{}`` when it has none), or None when the state cannot be read."""
    try:
        draft = client.state().get("draft")
    except ApiError:
        log.debug("state read failed", exc_info=True)
        return None
    return draft if isinstance(draft, dict) else {}
