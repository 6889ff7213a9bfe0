"""Shared test fixtures: an isolated environment, the NemoVideo emulator, and two ways to run the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from skill import env
from tests.emulator import Emulator

pytest_plugins = ("tests.providers.fal_fixtures",)  # the fal.ai emulator, for tests/providers and tests/agent

REPO = Path(__file__).resolve().parents[1]
SHORT_WAITS = {
    "LIP_SYNC_VIDEO_RETRY_SECONDS": "0.01",
    "LIP_SYNC_VIDEO_POLL_SECONDS": "0.01",
    "LIP_SYNC_VIDEO_PROGRESS_SECONDS": "0.2",
    "LIP_SYNC_VIDEO_SSE_TIMEOUT_SECONDS": "10",
    "LIP_SYNC_VIDEO_SILENCE_SECONDS": "2",
    "LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS": "5",
}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME, store and working directory, no real keys, and every wait shrunk to test size.

    The working directory matters: an export without ``--output`` writes ``<source>.lipsync.mp4``
    there, so a test that forgets ``-o`` must not leave files in the checkout.
    """
    for var in env.REGISTRY:  # every variable the skill reads: no real key, folder or wait gets in
        monkeypatch.delenv(var.name, raising=False)
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    store = tmp_path / "store"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv(env.HOME.name, str(store))
    for name, value in SHORT_WAITS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    # The provider and export tests send faceless 32 px clips, which the automatic face check
    # would rightly refuse; tests/local/facecheck turns it back on where it is the subject.
    monkeypatch.setenv(env.FACE_CHECK.name, "off")
    return store


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """One emulator per test session: starting it once keeps the suite fast."""
    server = Emulator().start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The emulator, reset for this test, with NEMO_API_BASE pointing at it."""
    emulator_server.reset()
    monkeypatch.setenv("NEMO_API_BASE", emulator_server.url)
    return emulator_server


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Run ``skill.cli.main`` in this process; stdout and stderr captured, log handlers restored."""

    def run(*args: str, input: str | None = None) -> CliResult:
        from skill.cli import main

        logger = logging.getLogger("skill")
        handlers, level = list(logger.handlers), logger.level
        out, err = io.StringIO(), io.StringIO()
        stdin = io.StringIO(input or "")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                    _swap_stdin(stdin):
                try:
                    code = main([str(a) for a in args])
                except SystemExit as exc:  # argparse usage errors and --help
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        finally:
            for handler in logger.handlers[:]:
                if handler not in handlers:
                    logger.removeHandler(handler)
                    handler.close()
            logger.setLevel(level)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@contextlib.contextmanager
def _swap_stdin(stream: io.StringIO) -> Iterator[None]:
    saved, sys.stdin = sys.stdin, stream
    try:
        yield
    finally:
        sys.stdin = saved


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``python -m skill`` as a real subprocess with this test's environment."""

    def run(*args: str, timeout: float = 60, env: dict[str, str] | None = None,
            input: str | None = None) -> CliResult:
        full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
        done = subprocess.run([sys.executable, "-m", "skill", *map(str, args)], cwd=tmp_path, env=full_env,
                              input=input or "", capture_output=True, text=True, encoding="utf-8",
                              timeout=timeout, check=False)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
