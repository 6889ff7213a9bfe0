"""What the reliability suites share: a warmed-up account, fresh-process redaction, and the leak check.

Runs happen in this process (the ``cli`` fixture) for speed. A real process starts with an empty
redactor, so :func:`fresh_redactor` empties its registry before every run: a token is then masked
only if *that* run registered it, exactly as in a new process, never thanks to an earlier test.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from skill import redact
from skill.config import Settings
from skill.console import NullEvents
from skill.nemo.client import NemoClient
from skill.store import Store
from tests.emulator import Emulator

FRAGMENT = 8  # the shortest piece of a token that must never appear anywhere
CREDENTIAL_FILE = "auth.json"


def warm_account(emulator: Emulator) -> None:
    """A token and an editing session in the store, as an earlier run leaves them.

    The real client does it; only its transport skips loading the CA bundle (40 ms a time, and the
    emulator speaks plain HTTP), which keeps the few hundred runs of the matrix inside the budget.
    """
    settings = Settings.from_env()
    client = NemoClient(settings, Store.open(settings), NullEvents(), transport=httpx.HTTPTransport(verify=False))
    try:
        client.ensure_session()
    finally:
        client.close()
    assert emulator.state.session is not None


def fresh_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The redactor as a new process has it: nothing registered, nothing published."""
    monkeypatch.setattr(redact, "_secrets", set())
    monkeypatch.setattr(redact, "_published", set())


def fragments(secret: str, size: int = FRAGMENT) -> set[str]:
    return {secret[i:i + size] for i in range(max(1, len(secret) - size + 1))}


@dataclass
class LeakReport:
    """Every place a run wrote to, and how many were scanned."""

    texts: dict[str, str] = field(default_factory=dict)

    def add(self, where: str, text: str) -> None:
        self.texts[where] = text

    def leaks(self, tokens: Iterable[str]) -> list[str]:
        tokens = set(tokens)
        assert tokens, "the run must know at least one token to look for"
        found = []
        for token in tokens:
            for piece in fragments(token):
                for where, text in self.texts.items():
                    if piece in text:
                        found.append(f"{piece!r} of a token in {where}")
        return found


def scan_store(store: Path, report: LeakReport) -> None:
    """Every file under the store except the credential file goes into ``report``; that one must be 0600."""
    if not store.exists():
        return
    for path in sorted(store.rglob("*")):
        if not path.is_file():
            continue
        if path.name == CREDENTIAL_FILE:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            assert mode == 0o600, f"{path} has mode {oct(mode)}, not 0600"
            continue
        report.add(str(path), path.read_bytes().decode("utf-8", "replace"))


def known_tokens(emulator: Emulator) -> set[str]:
    """Every API token the emulator knows: issued anonymous ones and registered NEMO_TOKENs."""
    return set(emulator.state.tokens)


def assert_no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text
        assert 'File "' not in text, text
