"""The fault matrix for the peer services: fal.ai and WaveSpeed, through `lip-sync-video dub`.

Each case injects one fault on one route of the provider's loopback emulator, runs `dub` with local
files (upload, submit, wait, result) once, and asserts what the person gets: the exit code, the
message key and its words, how often the faulted route was asked (a submit never twice), how many
jobs exist on the service afterwards, no traceback, no exception class name, no doubled full stop,
and no 8-character piece of any key or CDN token in stdout, stderr, the debug log or the store.

Reproduce: ``pytest tests/reliability/test_peer_matrix.py -q -s`` (``-s`` prints the case count).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.providers import fal_emulator, wavespeed_emulator
from tests.providers.conftest import files, media_dir, wavespeed, wavespeed_server  # noqa: F401
from tests.reliability.helpers import LeakReport, assert_no_traceback, fresh_redactor, scan_store

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

FAST = ("--poll-interval", "0.01", "--timeout", "10")
CLASS_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception|Timeout)\b")
LOST = ("may already exist", "Do not submit it again yet")


@dataclass(frozen=True)
class Case:
    provider: str  # "fal" | "wavespeed"
    route: str  # the emulator route the fault goes to
    fault: str
    times: int = 1
    code: int = 0
    key: str | None = None
    words: tuple[str, ...] = ()
    calls: int | None = None  # requests the faulted route received
    jobs: int = 1  # jobs on the service afterwards (a submit is never sent twice)
    fallback: int = 0  # files that went through fal's older storage upload
    plan: tuple[str, ...] = ()  # a WaveSpeed task plan instead of the default
    failure_code: int | None = None

    @property
    def id(self) -> str:
        extra = f"x{self.times}" if self.times > 1 else ""
        return f"{self.provider}-{self.route}-{self.fault}{extra}"


def rejected(provider: str, route: str, fault: str, status: str, **kw: Any) -> Case:
    return Case(provider, route, fault, code=1, key="errors/provider_rejected", words=(status,), calls=1, jobs=0, **kw)


def lost(provider: str, route: str, fault: str, jobs: int) -> Case:
    return Case(provider, route, fault, code=1, key="errors/provider_submit_unknown", words=LOST, calls=1, jobs=jobs)


ALL_V3 = 6  # 3 attempts (fal's toolkit) × 2 files
CASES = (
    # fal: the CDN token and the v3 upload are retried, then the older storage upload takes over
    Case("fal", "token", "http:503", calls=2),  # then cached for the second file
    Case("fal", "token", "http:503", times=ALL_V3, calls=ALL_V3, fallback=2),
    Case("fal", "token", "reset", calls=2),
    Case("fal", "upload", "http:503", calls=3),
    Case("fal", "upload", "http:503", times=ALL_V3, calls=ALL_V3, fallback=2),
    Case("fal", "upload", "html:502", times=ALL_V3, calls=ALL_V3, fallback=2),
    Case("fal", "upload", "http:429", times=ALL_V3, calls=ALL_V3, fallback=2),
    Case("fal", "upload", "http:400", times=2, calls=2, fallback=2),
    Case("fal", "upload", "reset", times=ALL_V3, calls=ALL_V3, fallback=2),
    # fal: the submit is sent once, whatever happens to it
    rejected("fal", "submit", "http:503", "HTTP 503"),
    rejected("fal", "submit", "http:429", "HTTP 429"),
    rejected("fal", "submit", "html:502", "HTTP 502"),
    lost("fal", "submit", "drop", jobs=1),  # it landed, the answer was lost
    lost("fal", "submit", "reset", jobs=0),  # indistinguishable from the client's side
    lost("fal", "submit", "garble", jobs=1),  # accepted with a 200 that cannot be read
    # fal: status and result reads are retried
    Case("fal", "status", "http:503", times=2, calls=None),
    Case("fal", "status", "html:502", calls=None),
    Case("fal", "status", "http:429", calls=None),
    Case("fal", "status", "reset", times=2, calls=None),
    Case("fal", "result", "html:502", calls=2),
    Case("fal", "result", "reset", calls=2),
    Case("fal", "result", "http:503", code=1, key="errors/provider_job_failed", words=("temporary",), calls=1),
    # WaveSpeed: envelope errors, HTTP errors and lost answers
    rejected("wavespeed", "submit", "code:500", "HTTP 500"),
    rejected("wavespeed", "submit", "http:503", "HTTP 503"),
    lost("wavespeed", "submit", "drop", jobs=1),
    lost("wavespeed", "submit", "reset", jobs=0),
    lost("wavespeed", "submit", "garble", jobs=1),
    Case("wavespeed", "result", "code:500", calls=None),
    Case("wavespeed", "result", "http:503", times=2, calls=None),
    Case("wavespeed", "result", "reset", times=2, calls=None),
    # WaveSpeed: a failed task's code says whether submitting again could help
    Case("wavespeed", "task", "failed:5004", code=1, key="errors/provider_job_failed", words=("temporary",),
         plan=("created", "failed"), failure_code=5004),
    Case("wavespeed", "task", "failed:4001", code=1, key="errors/provider_job_failed", words=("will not help",),
         plan=("created", "failed"), failure_code=4001),
    Case("wavespeed", "task", "failed", code=1, key="errors/provider_job_failed", words=("will not help",),
         plan=("created", "failed")),
)


@pytest.fixture
def provider_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The case's emulator (reset, with the provider's key and base URL set) and the input files."""
    case: Case = request.param
    if case.provider == "fal":
        state = request.getfixturevalue("fal")
    else:
        state = request.getfixturevalue("wavespeed")
    return case, state, request.getfixturevalue("files")


def _run(cli: Callable[..., CliResult], inputs: Any, case: Case, state: Any, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> tuple[CliResult, LeakReport]:
    if case.route == "task":
        state.plan = list(case.plan)
        state.failure_code = case.failure_code
    else:
        state.inject(case.route, case.fault, times=case.times)
    log = tmp_path / "debug.log"
    monkeypatch.setenv("LIP_SYNC_VIDEO_LOG_FILE", str(log))
    fresh_redactor(monkeypatch)
    result = cli("dub", "--video", inputs.clip, "--audio", inputs.voice, "--provider", case.provider,
                 "--json", *FAST)
    report = LeakReport()
    report.add("stdout", result.out)
    report.add("stderr", result.err)
    report.add("log file", log.read_text(encoding="utf-8") if log.exists() else "")
    scan_store(tmp_path / "store", report)
    return result, report


ROUTE_PATHS = {"token": "/storage/auth/token", "upload": "/cdn/files/upload", "submit": "/lipsync",
               "status": "/status", "result": "/requests/", "multipart": "/multipart"}


def _route_calls(case: Case, state: Any) -> int:
    if case.provider == "fal":
        if case.route == "result":
            return len([c for c in state.calls("/requests/", "GET") if not c.path.endswith("/status")])
        path = "/fal-ai/pixverse/lipsync" if case.route == "submit" else ROUTE_PATHS[case.route]
        return len(state.calls(path, "POST" if case.route in ("token", "upload", "submit") else None))
    path = "/api/v3/bytedance/lipsync/audio-to-video" if case.route == "submit" else "/result"
    return len(state.calls(path))


@pytest.mark.parametrize("provider_env", [pytest.param(c, id=c.id) for c in CASES], indirect=True)
def test_peer_fault_matrix(provider_env: Any, cli: Callable[..., CliResult], tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    case, state, inputs = provider_env
    result, report = _run(cli, inputs, case, state, tmp_path, monkeypatch)
    context = f"{case.id}: exit {result.code}\nstdout: {result.out[-600:]}\nstderr: {result.err[-600:]}"
    assert result.code == case.code, context
    assert_no_traceback(result.out, result.err)
    assert not CLASS_NAME.search(result.err), context
    assert ".." not in result.err and ".." not in str(result.json().get("reply", "")), context
    body = result.json()
    if case.code == 0:
        assert body["ok"] and body["status"] == "succeeded", context
    if case.key:
        assert body.get("error") == case.key, context
    for word in case.words:
        assert word.lower() in result.err.lower(), f"{word!r} not shown\n{context}"
    if case.calls is not None:
        assert _route_calls(case, state) == case.calls, context
    submits = state.calls("/fal-ai/pixverse/lipsync", "POST") if case.provider == "fal" else \
        state.calls("/api/v3/bytedance/lipsync/audio-to-video", "POST")
    assert len(submits) <= 1, context  # never re-sent
    jobs = state.jobs if case.provider == "fal" else state.tasks
    assert len(jobs) == case.jobs, context
    if case.provider == "fal":
        assert len(state.calls("/gcs/", "PUT")) == case.fallback, context
    keys = {fal_emulator.KEY, fal_emulator.CDN_TOKEN} if case.provider == "fal" else {wavespeed_emulator.KEY}
    leaks = report.leaks(keys)
    assert not leaks, leaks


def test_peer_matrix_size(capsys: pytest.CaptureFixture[str]) -> None:
    fal = sum(c.provider == "fal" for c in CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    assert fal >= 20 and len(CASES) - fal >= 10
    with capsys.disabled():
        print(f"\npeer fault matrix: {len(CASES)} cases ({fal} fal.ai, {len(CASES) - fal} WaveSpeed)")
