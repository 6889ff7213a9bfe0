"""Everything the emulated NemoVideo backend remembers, shared between the server thread and tests.

Tests read and change this object from the test thread while the server runs in its own thread,
so every mutation that spans more than one attribute takes ``lock``.
"""

from __future__ import annotations

import copy
import json
import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STATE_FIXTURES = FIXTURES / "state"
SSE_FIXTURES = FIXTURES / "sse"

ROUTES = ("anonymous-token", "claim-token", "session", "upload", "credits", "state", "render-submit",
          "render-status", "render-download", "run_sse", "file")
FAULT_KINDS = ("code", "http", "html", "slow", "reset", "truncated", "expire-token")
SKILL_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")
TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600


@dataclass
class Call:
    """One request as the emulator received it (header names lower-cased)."""

    route: str
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    query: dict[str, str] = field(default_factory=dict)
    missing_headers: list[str] = field(default_factory=list)


@dataclass
class Fault:
    route: str  # a route name or "*"
    kind: str
    arg: str
    remaining: int


@dataclass
class Token:
    value: str
    registered: bool
    user_id: str
    client_id: str | None = None
    expires_at: float = 0.0
    revoked: bool = False

    def valid(self) -> bool:
        return not self.revoked and self.expires_at > time.time()


@dataclass
class Session:
    session_id: str
    task_id: str
    language: str | None
    task_name: str
    state: dict[str, Any]


@dataclass
class Render:
    render_id: str
    session_id: str
    draft: Any
    output: Any
    polls: int = 0
    created_at: float = field(default_factory=time.time)
    completed_at: float | None = None


@dataclass
class Upload:
    """One received upload request: what arrived and how (tests check streaming and sizes)."""

    session_id: str
    source: str  # "multipart" or "url"
    filenames: list[str]
    bytes_received: int  # body bytes read off the wire
    file_bytes: dict[str, int]  # filename → payload bytes
    chunks: int  # body chunks the server read (TCP-dependent: says nothing about the client's memory)
    chunked_encoding: bool
    content_length: int | None
    result_code: int = 0


def load_state_fixture(name: str) -> dict[str, Any]:
    """The ``data.state`` object of ``fixtures/state/<name>.json`` (a fresh copy each call)."""
    return json.loads((STATE_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _token_value(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


class EmulatorState:
    """Sessions, tokens, drafts, renders, uploads, the SSE queue, faults and the call log."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.files_dir = Path(tempfile.mkdtemp(prefix="nemo-emulator-"))
        self.reset()

    def reset(self) -> None:
        """Back to a fresh backend: no tokens, no sessions, no files, no faults, default knobs."""
        with self.lock:
            for stored in self.files_dir.iterdir():
                stored.unlink()
            self.tokens: dict[str, Token] = {}
            self.client_tokens: dict[str, str] = {}  # client id → its current anonymous token
            self.sessions: dict[str, Session] = {}
            self.renders: dict[str, Render] = {}
            self.render_submits: Counter[str] = Counter()
            self.uploads: list[Upload] = []
            self.uploaded_files: dict[str, Path] = {}  # served name → file on disk
            self.messages: dict[str, list[str]] = {}  # session id → texts received on /run_sse
            self.sse_queue: list[str] = []  # script names or raw script text
            self.faults: list[Fault] = []
            self.call_log: list[Call] = []
            self.claim_tokens: dict[str, tuple[str, str]] = {}
            # knobs tests turn
            self.credits: dict[str, int] = {"available": 100, "frozen": 0, "total": 100}
            self.state_fixture = "default"  # data.state of every new session
            self.max_upload_bytes = 500 * 1024 * 1024
            self.render_shape = "top"  # "top" or "data"
            self.render_polls = 2  # status polls until completed
            self.render_fail = False
            self.render_url = True  # False: a completed render names no URL (use the download route)
            self.render_output: bytes | None = None  # None: a tiny valid mp4 made with PyAV
            self.block_anonymous_export = False  # anonymous tokens lack the render scope

    def close(self) -> None:
        shutil.rmtree(self.files_dir, ignore_errors=True)

    # -- tokens -------------------------------------------------------------------------------
    def add_token(self, value: str | None = None, *, registered: bool = False,
                  client_id: str | None = None) -> str:
        """Register a token the backend accepts (tests use this for NEMO_TOKEN); returns it."""
        value = value or _token_value("nmv_usr_")
        with self.lock:
            self.tokens[value] = Token(value, registered, f"{'usr' if registered else 'anon'}_{secrets.token_hex(6)}",
                                       client_id, time.time() + TOKEN_LIFETIME_SECONDS)
        return value

    def anonymous_token(self, client_id: str) -> Token:
        """The client's current token, or a new one if it has none that is still valid."""
        with self.lock:
            current = self.tokens.get(self.client_tokens.get(client_id, ""))
            if current is None or not current.valid():
                current = self.tokens[self.add_token(client_id=client_id)]
                self.client_tokens[client_id] = current.value
            return current

    def token(self, value: str | None) -> Token | None:
        """The token if known and still valid."""
        token = self.tokens.get(value or "")
        return token if token is not None and token.valid() else None

    def expire_token(self, value: str) -> None:
        with self.lock:
            if value in self.tokens:
                self.tokens[value].revoked = True

    # -- sessions -------------------------------------------------------------------------------
    def create_session(self, language: str | None, task_name: str = "project") -> Session:
        sid = str(secrets.randbelow(9 * 10**18) + 10**18)  # the real ids are 19-digit numbers
        session = Session(sid, secrets.token_hex(12), language, task_name, load_state_fixture(self.state_fixture))
        with self.lock:
            self.sessions[sid] = session
        return session

    def use_fixture(self, name: str) -> None:
        """New sessions start from ``fixtures/state/<name>.json``; existing ones switch to it now."""
        with self.lock:
            self.state_fixture = name
            for session in self.sessions.values():
                session.state = load_state_fixture(name)

    def apply_draft(self, session_id: str, fixture: str) -> None:
        """Replace one session's draft with a fixture's draft, as an edit on the backend would."""
        draft = load_state_fixture(fixture)["draft"]
        with self.lock:
            session = self.sessions.get(session_id)
            if session is not None:  # a stream still playing after a reset has no session left to edit
                session.state["draft"] = draft

    def forget_sessions(self) -> None:
        """Every session expires (the next call naming one gets 1002)."""
        with self.lock:
            self.sessions.clear()

    @property
    def session(self) -> Session | None:
        """The most recently created session, the one a single-session test cares about."""
        with self.lock:
            return next(reversed(self.sessions.values()), None)

    # -- faults and calls -----------------------------------------------------------------------
    def inject(self, route: str, fault: str, times: int = 1) -> None:
        if route != "*" and route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; one of {', '.join(ROUTES)} or '*'")
        kind, _, arg = fault.partition(":")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {fault!r}; kinds: {', '.join(FAULT_KINDS)}")
        if kind in ("code", "http", "html", "slow") and not arg:
            raise ValueError(f"fault {fault!r} needs a value, e.g. {kind}:500")
        with self.lock:
            self.faults.append(Fault(route, kind, arg, times))

    def take_fault(self, route: str) -> Fault | None:
        """The first pending fault for this route (or "*"), consumed once."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.route in (route, "*"):
                    fault.remaining -= 1
                    return copy.copy(fault)
        return None

    def record(self, call: Call) -> None:
        with self.lock:
            self.call_log.append(call)

    def calls(self, route: str | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.call_log if route is None or c.route == route]

    def next_script(self) -> str | None:
        with self.lock:
            return self.sse_queue.pop(0) if self.sse_queue else None
