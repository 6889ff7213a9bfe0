"""The ``/run_sse`` event stream, normalised.

The backend is a Google ADK api_server: each SSE ``data:`` is an ADK ``Event`` as JSON, usually
camelCase but snake_case in some versions (``function_call``, ``error_message``), with ``partial``
chunks when the model streams tokens. An older layer sends ``{"type": "text|tool_call|tool_result|
heartbeat"}`` instead, and both may send ``{"error": …}``. :class:`EventParser` turns any of these
into a few :class:`StreamEvent` kinds; it is pure (strings in, events out) so that it can be tested
and benchmarked without a socket, and it keeps no history, so memory stays flat however long the
turn runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

EventKind = Literal["text", "partial", "tool_call", "tool_result", "heartbeat", "error", "other"]
Activity = Literal["generating_video", "generating_music", "generating_voice", "editing", "watching",
                   "fetching", "rendering", "working"]


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """``text`` is final model text (shown once); ``partial`` is a streaming chunk (activity only);
    ``tool`` names the tool of a call or result (never its payload); ``error`` holds the backend's
    message for the log, not for the person."""

    kind: EventKind
    text: str = ""
    tool: str = ""
    error: str = ""


HEARTBEAT = StreamEvent("heartbeat")
OTHER = StreamEvent("other")

# Tool-name fragments → what the person is told is happening. First match wins, so the expensive,
# long-running generators come before the generic editing words.
_ACTIVITIES: tuple[tuple[re.Pattern[str], Activity], ...] = (
    (re.compile(r"generate_video|seedance|kling|veo|video_gen|img2video|text2video|lipsync|lip_sync"),
     "generating_video"),
    (re.compile(r"generate_music|suno|music|bgm"), "generating_music"),
    (re.compile(r"tts|voice|speech|dub"), "generating_voice"),
    (re.compile(r"edit|draft|multitrack|timeline|track|caption|subtitle"), "editing"),
    (re.compile(r"understand|analy[sz]e|watch|transcri|detect"), "watching"),
    (re.compile(r"upload|download|fetch|import"), "fetching"),
    (re.compile(r"render|export"), "rendering"),
)


def activity(tool_name: str) -> Activity:
    """The short progress label for a tool, from its name alone."""
    name = tool_name.lower()
    for pattern, label in _ACTIVITIES:
        if pattern.search(name):
            return label
    return "working"


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    """A field under either spelling: ADK serialises by alias, but not every version has aliases."""
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def _error_text(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("message") or value.get("detail") or value.get("code") or ""
    return str(value) if value not in (None, "") else "unknown error"


class EventParser:
    """Feed it the ``data`` of each SSE event; it returns what the turn should act on.

    Streaming partials are accumulated and only surface as one final ``text`` event: from the
    accumulated non-partial event ADK sends afterwards, or from :meth:`finish` if the stream ended
    before that event came.
    """

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[str] = []

    def feed(self, data: str) -> list[StreamEvent]:
        if not data or data.isspace():
            return [HEARTBEAT]  # an empty ``data:`` line is a keep-alive
        try:
            obj = json.loads(data)
        except ValueError:
            return [OTHER]  # "[DONE]" sentinels and other non-JSON noise: never shown
        if not isinstance(obj, dict):
            return [OTHER]
        if "error" in obj and len(obj) <= 2:  # ADK's {"error": "..."} (sometimes with a code)
            return [StreamEvent("error", error=_error_text(obj["error"]))]
        kind = obj.get("type")
        if isinstance(kind, str) and not isinstance(obj.get("content"), Mapping):  # ADK content is an object
            return self._legacy(obj, kind)
        return self._adk(obj)

    def finish(self) -> list[StreamEvent]:
        """The stream closed: text still held from partial chunks is the final answer."""
        if not self._pending:
            return []
        text = "".join(self._pending)
        self._pending.clear()
        return [StreamEvent("text", text=text)] if text.strip() else []

    # -- the two wire shapes ----------------------------------------------------------------------

    def _legacy(self, obj: Mapping[str, Any], kind: str) -> list[StreamEvent]:
        if kind == "heartbeat":
            return [HEARTBEAT]
        if kind == "text":
            text = obj.get("content") or obj.get("text") or ""
            return [StreamEvent("text", text=text)] if isinstance(text, str) and text.strip() else [OTHER]
        if kind in ("tool_call", "tool_result"):
            return [StreamEvent("tool_call" if kind == "tool_call" else "tool_result",
                                tool=str(obj.get("name") or obj.get("tool") or ""))]
        if kind == "error":
            return [StreamEvent("error", error=_error_text(obj.get("message") or obj.get("content")))]
        return [OTHER]

    def _adk(self, obj: Mapping[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        code, message = _get(obj, "errorCode", "error_code"), _get(obj, "errorMessage", "error_message")
        if code is not None or message is not None:
            events.append(StreamEvent("error", error=_error_text(message or code)))
        content = obj.get("content")
        parts = content.get("parts") if isinstance(content, Mapping) else None
        if not isinstance(content, Mapping) or not isinstance(parts, list):
            return events or [OTHER]
        from_model = content.get("role") in (None, "model")  # user-role content echoes input or tool results
        partial = bool(obj.get("partial"))
        texts: list[str] = []
        for part in parts:
            if not isinstance(part, Mapping):
                continue
            call = _get(part, "functionCall", "function_call")
            if isinstance(call, Mapping):
                events.append(StreamEvent("tool_call", tool=str(call.get("name") or "")))
                continue
            result = _get(part, "functionResponse", "function_response")
            if isinstance(result, Mapping):
                events.append(StreamEvent("tool_result", tool=str(result.get("name") or "")))
                continue
            text = part.get("text")
            if isinstance(text, str) and from_model and not part.get("thought"):
                texts.append(text)
        if texts:
            events.append(self._text("".join(texts), partial))
        return events or [OTHER]

    def _text(self, text: str, partial: bool) -> StreamEvent:
        if partial:
            self._pending.append(text)
            return StreamEvent("partial", text=text)
        # The accumulated event repeats every partial chunk: it replaces them, never adds to them.
        self._pending.clear()
        return StreamEvent("text", text=text) if text.strip() else OTHER
