"""One edit turn: send the person's words to ``/run_sse`` once, and say what happened.

Rules that come from money and from people:

* The message is sent **once**. A turn that times out or drops may still be running (and charged) on
  the backend, so we never re-send it: we read the session state and report what the draft holds.
* The stream is read on a helper thread so this loop keeps its own monotonic clock: "still working"
  every ``progress_seconds`` without text, a hard cap at ``sse_timeout_seconds``, and a stream that
  only sends keep-alives for ``silence_seconds`` counts as timed out.
* About a third of edits answer with no text. Then the draft before and after tells what changed.
* Backend text is for a web editor; :mod:`skill.guispeak` turns its button talk into our actions.
  Only what the person's request needs is carried out ("click Export" after they asked to export);
  anything else the editor suggests is offered as a question, never sent on its own (issue 14).
* Backend text is data: it is relayed as the editor's quoted words, and a command in it is withheld
  (:mod:`skill.backend_text`), never shown as something to run.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import httpx
from httpx_sse import EventSource

from skill.backend_text import withhold_commands
from skill.endpoints import RUN_SSE_PATH, SESSION_PLACEHOLDER
from skill.errors import ApiError, ConnectionLost, LipSyncError, RequestTimeout, UsageError
from skill.guispeak import Action, translate
from skill.redact import redact
from skill.replies import Reply, render
from skill.sse import EventParser, StreamEvent, activity
from skill.timeline import describe_changes, diff, summarize

if TYPE_CHECKING:
    from skill.app import App

log = logging.getLogger("skill.edit")

Ending = Literal["complete", "timeout", "silence", "dropped"]
# The backend appends this after a real answer when a late tool step hiccups; alone, it is a failure.
_TEMPORARY_ISSUE = re.compile(r"(?i)\bencountered an? (?:temporary|transient) (?:issue|error|problem)"
                              r"|遇到了?(?:一个|一些)?(?:临时|暂时)(?:性)?(?:问题|错误)")
_CODE_FENCE = re.compile(r"```[a-zA-Z]*\n?(.*?)```", re.S)
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


def _read_turn(app: App, response: httpx.Response) -> Turn:
    settings = app.settings
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
                app.events.progress("edit/activity", activity=activity(event.tool))
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
            app.events.progress("edit/still_working", elapsed=round(now - started))
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


def _stream(app: App, text: str) -> Turn:
    client = app.client
    # The placeholder is filled per attempt, so a 1002 answered before the stream starts is
    # recovered on a new session (the message was never accepted, so that is not a re-send).
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": SESSION_PLACEHOLDER,
            "new_message": {"role": "user", "parts": [{"text": text}]}}
    # A socket that delivers nothing at all for the silence window is as dead as one sending only
    # keep-alives; the turn loop's own clock handles everything shorter.
    read_timeout = max(0.05, min(app.settings.silence_seconds, app.settings.sse_timeout_seconds))
    try:
        with client.stream("POST", RUN_SSE_PATH, json=body, timeout=read_timeout) as response:
            return _read_turn(app, response)
    except RequestTimeout:
        # The request went out and the backend may be working on it: report, never re-send.
        return Turn(ending="timeout")
    except ConnectionLost:
        return Turn(ending="dropped")  # likewise: it may have been accepted before the reset


def _draft(app: App) -> dict[str, Any] | None:
    try:
        draft = app.client.state().get("draft")
    except ApiError:
        log.debug("state read failed", exc_info=True)
        return None
    return draft if isinstance(draft, dict) else {}


def _without_json_objects(text: str) -> str:
    """Drop every span that parses as a JSON object, nested ones whole (``raw_decode`` from each ``{``)."""
    decoder = json.JSONDecoder()
    kept: list[str] = []
    position = 0
    while (brace := text.find("{", position)) != -1:
        try:
            _, end = decoder.raw_decode(text, brace)
        except ValueError:
            kept.append(text[position:brace + 1])
            position = brace + 1
            continue
        kept.append(text[position:brace].rstrip(" "))  # the space after the object stays
        position = end
    kept.append(text[position:])
    return "".join(kept)


def _scrub(text: str) -> str:
    """Model text without raw JSON (fenced, inline or whole lines) and without anything secret-shaped."""
    def fence(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        return "" if inner[:1] in "{[" else match.group(0)

    lines = []
    for line in _without_json_objects(_CODE_FENCE.sub(fence, text)).splitlines():
        stripped = line.strip()
        if stripped[:1] == "[":
            try:
                json.loads(stripped)
                continue
            except ValueError:
                pass
        lines.append(line)
    return redact(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())


def _answer(texts: list[str]) -> tuple[str, bool]:
    """The text to show, and whether the backend only said it hit a temporary issue."""
    kept = [t for t in (_scrub(t) for t in texts) if t]
    normal = [t for t in kept if not _TEMPORARY_ISSUE.search(t)]
    if normal:
        # A trailing "temporary issue" after a real answer is noise; drop every such line.
        return "\n\n".join(normal), False
    return "", bool(kept)


def _changes(app: App, before: dict[str, Any] | None) -> tuple[list[str], str | None]:
    """What the draft holds now: the changed lines since ``before`` and the track summary."""
    after = _draft(app)
    if after is None:
        return [], None
    lines = describe_changes(diff(before, after), app.lang) if before is not None else []
    return lines, summarize(after, app.lang)


def _perform(app: App, actions: list[Action], export_asked: bool) -> tuple[list[str], list[str]]:
    """Carry out the GUI-speak actions the request needs; offer the rest. Returns extra lines and media.

    Showing the project stands in for "open the panel" (it changes nothing); an export runs only when
    the person asked for one; a suggested edit ("drag the title to 5 s") is offered as a question.
    """
    extra: list[str] = []
    media: list[str] = []
    for action in actions:
        if action.kind in ("show_timeline", "show_state"):
            after = _draft(app)
            summary = summarize(after, app.lang) if after is not None else render("edit/state_unavailable", app.lang)
            if summary not in extra:
                extra.append(summary)
        elif action.kind == "export" and not export_asked:
            extra.append(render("edit/offer_export", app.lang))
        elif action.kind == "export":
            try:
                from skill.handlers.export import export

                reply = export(app)
                extra.append(reply.text(app.lang))
                media.extend(reply.media)
            except LipSyncError as exc:  # the edit itself succeeded; say why the export did not
                extra.append(exc.render(app.lang))
        elif action.kind == "send_edit":
            extra.append(render("edit/suggestion", app.lang, instruction=action.text))
    return extra, media


def run_turn(app: App, text: str, *, export_asked: bool = False) -> Reply:
    """Send one edit instruction and describe the outcome; the backend's "click Export" is carried out
    only when ``export_asked`` (the request asked for the file), and nothing else is ever sent on."""
    if not text.strip():
        raise UsageError("errors/edit_empty")
    before = _draft(app)
    turn = _stream(app, text)
    answer, temporary_only = _answer(turn.texts)
    answer, withheld = withhold_commands(answer)

    if turn.ending != "complete" or (not answer and (turn.errors or temporary_only)):
        changes, summary = _changes(app, before)
        outcome = turn.ending if turn.ending != "complete" else "backend_error"
        # Button talk is still removed, but nothing is acted on after a turn that did not finish.
        return Reply("edit/interrupted", {"outcome": outcome, "text": translate(answer).text, "changes": changes,
                                          "timeline": summary, "compared": before is not None,
                                          "commands_withheld": withheld, "source": "backend"}, ok=False)
    if not answer:
        changes, summary = _changes(app, before)
        return Reply("edit/silent", {"outcome": "silent", "changes": changes, "timeline": summary,
                                     "compared": before is not None and summary is not None})

    translation = translate(answer)
    extra, media = _perform(app, translation.actions, export_asked)
    # ``text`` is the backend's words (data to show, quoted by the template); ``source`` says so.
    return Reply("edit/answer", {"outcome": "answered", "text": translation.text, "extra": extra,
                                 "actions": [a.kind for a in translation.actions], "source": "backend",
                                 "commands_withheld": withheld}, media=media)
