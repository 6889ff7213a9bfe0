"""No token, nor any 8-character piece of one, ever reaches stdout, stderr or the log file.

Every command of the foundation runs as a real subprocess with ``--verbose`` and a log file, once
per injected fault, both with a person's own ``NEMO_TOKEN`` and with an anonymous token.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.emulator import Emulator

pytestmark = pytest.mark.slow  # seconds per test; `pytest -m "not slow"` skips this module

COMMANDS = (("setup", "--json"), ("credits",), ("state",))
FAULTS = (None, "expire-token", "code:1002", "code:2001", "code:402", "code:429", "code:400", "http:500",
          "html:502", "truncated", "reset")


def _fragments(secret: str, size: int = 8) -> set[str]:
    return {secret[i:i + size] for i in range(len(secret) - size + 1)}


def _assert_no_leak(tokens: set[str], *texts: str) -> None:
    assert tokens, "the test must know at least one token"
    for token in tokens:
        for fragment in _fragments(token):
            for text in texts:
                assert fragment not in text, f"a piece of a token leaked: {fragment!r}"


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("own_token", [True, False], ids=["NEMO_TOKEN", "anonymous"])
def test_no_token_fragment_leaks(emulator: Emulator, run_cli: Callable[..., CliResult], tmp_path: Path,
                                 own_token: bool, fault: str | None) -> None:
    env = {"LIP_SYNC_VIDEO_LOG_FILE": str(tmp_path / "debug.log")}
    if own_token:
        # No recognisable prefix: only the registered-secret path of the redactor can hide it.
        env["NEMO_TOKEN"] = emulator.state.add_token(secrets.token_hex(20), registered=True)
    outputs: list[str] = []
    if not own_token:  # hold an anonymous token before the faults start
        result = run_cli("credits", "--verbose", env=env)
        outputs += [result.out, result.err]
    for command in COMMANDS:
        if fault:
            emulator.inject("*", fault)
        result = run_cli(*command, "--verbose", env=env)  # --verbose: redacted tracebacks on stderr too
        assert result.code in (0, 1)
        outputs += [result.out, result.err]
    log = (tmp_path / "debug.log").read_text(encoding="utf-8")
    assert "GET /api/" in log or "POST /api/" in log or "failed" in log  # the log really was written
    _assert_no_leak(set(emulator.state.tokens), *outputs, log)
