"""Where words go: stdout for the reply, stderr for notices and progress, all redacted.

Library code never prints. It receives an :class:`Events` sink and calls ``notice`` (a one-line
message such as "Connecting...") or ``progress`` (a long wait). The CLI passes a :class:`Console`;
the tool runner and the MCP server pass their own sinks.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Protocol, TextIO

from skill.redact import redact, redact_obj
from skill.replies import Reply, render


class Events(Protocol):
    lang: str

    def notice(self, key: str, /, **params: Any) -> None: ...

    def progress(self, key: str, /, fraction: float | None = None, **params: Any) -> None: ...


class NullEvents:
    """An Events sink that drops everything (for library use and tests)."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def notice(self, key: str, /, **params: Any) -> None:
        pass

    def progress(self, key: str, /, fraction: float | None = None, **params: Any) -> None:
        pass


class RecordingEvents(NullEvents):
    """Keeps rendered notices and progress lines, for tool results and tests."""

    def __init__(self, lang: str = "en") -> None:
        super().__init__(lang)
        self.lines: list[str] = []

    def notice(self, key: str, /, **params: Any) -> None:
        self.lines.append(redact(render(key, self.lang, **params)))

    def progress(self, key: str, /, fraction: float | None = None, **params: Any) -> None:
        self.lines.append(redact(render(key, self.lang, fraction=fraction, **params)))


class Console:
    """The terminal. In ``--json`` mode stdout carries exactly one JSON object."""

    def __init__(self, lang: str = "en", *, json_mode: bool = False, stdout: TextIO | None = None,
                 stderr: TextIO | None = None) -> None:
        self.lang = lang
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._last_progress: str | None = None
        self._bar_open = False

    # -- Events ---------------------------------------------------------------------------
    def notice(self, key: str, /, **params: Any) -> None:
        self._err(render(key, self.lang, **params))

    def progress(self, key: str, /, fraction: float | None = None, **params: Any) -> None:
        line = render(key, self.lang, fraction=fraction, **params)
        if line != self._last_progress:  # a progress line that did not change is noise
            self._last_progress = line
            if fraction is not None and fraction < 1 and self._tty():
                # On a terminal a bar redraws in place; logs and pipes get one line per step.
                self.stderr.write("\r" + redact(line) + "\x1b[K")
                self.stderr.flush()
                self._bar_open = True
            else:
                self._err(line)

    # -- Replies --------------------------------------------------------------------------
    def reply(self, reply: Reply) -> None:
        if self.json_mode:
            self.json(reply.as_json(self.lang))
            return
        text = reply.text(self.lang)
        if text:
            self._out(text)
        for path in reply.media:
            # OpenClaw attaches files named on a line of their own, by absolute path.
            self._out(f"MEDIA:{os.path.abspath(path)}")

    def json(self, obj: Any) -> None:
        self._out(json.dumps(redact_obj(obj, published=True), ensure_ascii=False, indent=None))

    def error(self, text: str, key: str = "errors/internal") -> None:
        """A handled failure: one line on stderr; in ``--json`` mode also the JSON object."""
        if self.json_mode:
            self.json({"ok": False, "error": key, "reply": text})
        self._err(text)

    # -- Plumbing -------------------------------------------------------------------------
    def _out(self, text: str) -> None:
        # stdout is the reply to the person: published links (claim links) stay readable.
        self.stdout.write(redact(text, published=True) + "\n")
        self.stdout.flush()

    def _tty(self) -> bool:
        return bool(getattr(self.stderr, "isatty", lambda: False)())

    def _err(self, text: str) -> None:
        if self._bar_open:  # finish the bar's line so this text starts on its own
            self._bar_open = False
            self.stderr.write("\r" if text == self._last_progress else "\n")
        self.stderr.write(redact(text) + "\n")
        self.stderr.flush()
