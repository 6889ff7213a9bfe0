"""Shared helpers for conversation tests: an App wired to the emulator, and reply checks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from skill.app import App
from skill.config import Settings
from skill.console import RecordingEvents
from skill.nemo.sse import EventParser, StreamEvent
from skill.replies import Reply

# Anything that looks like a JSON object, a tool payload or a token must never reach a person.
_LEAKS = re.compile(r'\{\s*"|"args"|functionCall|function_call|functionResponse|nmv_usr_|clm_|Bearer |'
                    r"adk-|evt-\d|invocationId|signature=|run_shell|rm -rf")


def make_app(lang: str = "en") -> App:
    return App(Settings.from_env(), RecordingEvents(lang), lang=lang)


def assert_clean(reply: Reply, lang: str = "en") -> str:
    """The reply's text and JSON hold no raw JSON, tool payload or token; returns the text."""
    text = reply.text(lang)
    blob = json.dumps(reply.as_json(lang), ensure_ascii=False)
    for where in (text, blob.replace('{"', "", 1)):
        match = _LEAKS.search(where)
        assert match is None, f"leak {match.group(0)!r} in {where!r}"
    return text


# The header above the backend's quoted words (prompts/<lang>/edit/_quoted.j2).
QUOTE_HEADERS = ("NemoVideo replied (its own words, quoted):", "NemoVideo 的回复（原话引用）：")


def unquoted(text: str) -> str:
    """``text`` with the quote header dropped and each quoted line ("> …") given back as it was."""
    lines = [line for line in text.splitlines() if line not in QUOTE_HEADERS]
    return "\n".join(line[2:] if line.startswith("> ") else "" if line == ">" else line for line in lines)


def events_of(app: App) -> list[str]:
    return list(app.events.lines)  # type: ignore[attr-defined]


def parse_stream(data: Iterable[str]) -> Iterator[StreamEvent]:
    """Every event of a whole stream of ``data`` strings (a generator: nothing is kept)."""
    parser = EventParser()
    for item in data:
        yield from parser.feed(item)
    yield from parser.finish()
