"""Every network-touching command × every fault the emulator can inject, each outcome asserted.

The expectation table (:func:`expect`) says, per command and fault, what the person must see: the
exit code, the message key and its words, and the recovery (re-authentication, a new session, one
retry). Every run also checks: no traceback, the edit turn never re-sent (emulator message count),
no second render of the same draft, no partial file under the final name, and no piece of any
token in stdout, stderr, the debug log or the store (the leak sweep; see ``test_token_leak_sweep``
for the same matrix with a person's own NEMO_TOKEN and ``--verbose``).

Reproduce: ``pytest tests/reliability/test_fault_matrix.py -q -s`` (``-s`` shows the case counts).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.emulator import Emulator
from tests.media import factory
from tests.reliability.helpers import (
    LeakReport,
    assert_no_traceback,
    fresh_redactor,
    known_tokens,
    scan_store,
    warm_account,
)

pytestmark = pytest.mark.slow  # seconds per test; `pytest -m "not slow"` skips this module

HTTP_TIMEOUT = "0.5"  # LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS for the slow cases…
SLOW = "slow:1.5"  # …and a server that answers well after it
SILENCE = "1.0"  # LIP_SYNC_VIDEO_SILENCE_SECONDS: a stalled stream is given up after this
EDIT_WORDS = "trim the first two seconds"

# A stream with broken lines around one good event: the good text must still reach the person.
MALFORMED_SSE = (
    "data: {not json at all\n\n"
    "data: [1, 2\n\n"
    "event: \x7f\x01weird\ndata: {\"content\": 42}\n\n"
    "retry: soon\nid: \n: a comment line\n\n"
    "data: " + "x" * 70_000 + "\n\n"
    "data: {\"content\": {\"parts\": [{\"text\": \"Trimmed the first two seconds.\"}], \"role\": \"model\"}, "
    "\"author\": \"nemo_agent\", \"id\": \"evt-1\", \"invocationId\": \"e-1\", \"timestamp\": 1.0}\n\n"
    "data: {\"content\": {\"parts\": [{\"text\": \"cut in the mid"
)


# -- the commands -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    name: str
    argv: tuple[str, ...]  # "{clip}" and "{out}" are filled per test
    route: str  # where the generic faults are injected
    warm: bool = True  # an account and a session exist before the run (else: first run ever)
    tool: bool = False  # `lip-sync-video call`: the answer is the tool's JSON, nothing on stderr
    renews_session: bool = False  # a 1002 on its route opens a new session and succeeds
    edit: bool = False  # sends one /run_sse turn
    export: bool = False  # renders and downloads {out}
    ok_key: str | None = None  # the reply key of a successful run (chat: the last part's key)


COMMANDS = (
    Command("credits", ("credits", "--json"), "credits"),
    Command("state", ("state", "--json"), "state", renews_session=True),
    Command("setup", ("setup", "--json"), "session", warm=False),
    Command("upload-file", ("upload", "{clip}", "--json"), "upload", renews_session=True),
    Command("upload-url", ("upload", "https://cdn.example.com/talk.mp4", "--json"), "upload", renews_session=True),
    Command("export", ("export", "-o", "{out}", "--json"), "render-submit", export=True),
    Command("chat-edit", ("chat", EDIT_WORDS, "--json"), "run_sse", edit=True, renews_session=True,
            ok_key="edit/answer"),
    Command("chat-credits", ("chat", "how many credits do I have?", "--json"), "credits",
            ok_key="account/credits"),
    Command("call-credits", ("call", "credits"), "credits", tool=True),
    Command("call-edit", ("call", "edit", "--input", json.dumps({"instruction": EDIT_WORDS})), "run_sse",
            tool=True, edit=True, renews_session=True),
)
BY_NAME = {c.name: c for c in COMMANDS}

# Every fault kind of the emulator, on the command's own route.
FAULTS = ("code:1001", "code:1002", "code:2001", "code:4001", "code:4002", "code:400", "code:402", "code:429",
          "code:429x2", "http:500", "http:503", "html:502", "html:404", "reset", "truncated", SLOW, "expire-token")


# -- what the person must see -------------------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    code: int
    key: str | None = None  # error key, or the reply key of a success (chat: last part)
    words: tuple[str, ...] = ()  # English words of the message
    route_calls: int = 1  # requests the faulted route received (2: one retry)
    reauth: bool = False  # a new anonymous token was fetched with the same client id
    renewed: bool = False  # a new editing session replaced the lost one
    messages: int | None = None  # /run_sse texts the backend received (never more than 1)
    renders: int | None = None  # distinct renders of the draft the backend received
    rerun: bool = False  # a second, clean run must finish the job without a second render


def error(key: str, *words: str, calls: int = 1) -> Expect:
    return Expect(1, key, words, route_calls=calls)


OK = Expect(0)
ERRORS = {
    "code:1001": Expect(0, route_calls=2, reauth=True),
    "expire-token": Expect(0, route_calls=2, reauth=True),
    "code:1002": error("errors/session_not_found", "session no longer exists"),
    "code:2001": error("errors/no_credits", "out of credits", "Register"),
    "code:4001": error("errors/unsupported_file", "not supported", "mp4"),
    "code:4002": error("errors/file_too_large", "too large"),
    "code:400": error("errors/api_status", "refused", "400"),
    "code:402": error("errors/plan_required", "plan"),
    "code:429": Expect(0, route_calls=2),
    "code:429x2": error("errors/rate_limited", "limiting requests", calls=2),
    "http:500": error("errors/server_error", "having trouble", "500"),
    "http:503": error("errors/server_error", "having trouble", "503"),
    "html:502": error("errors/server_error", "having trouble", "502"),
    "html:404": error("errors/api_status", "refused", "404"),
    # A reset after the request was written: its outcome is unknown, so a write is reported as such
    # (never silently repeated); a read changes nothing and is asked once more (see expect()).
    "reset": error("errors/connection_lost", "broke after the request was sent"),
    "truncated": error("errors/bad_response", "cut off"),
    SLOW: error("errors/timeout", "did not answer in time"),
}
INTERRUPTED = ("did not send your request again",)
READ_ROUTES = frozenset({"credits", "state"})  # GETs: safe to ask once more after a reset

# Faults outside the generic table: (command, route, fault or SSE script) → outcome.
SSE_SCRIPT = {"sse-stalled": "stalled", "sse-dropped": "drop_mid_stream", "sse-error-event": "error_event",
              "sse-malformed": MALFORMED_SSE}
EXTRA: dict[tuple[str, str, str], Expect] = {
    # export: polls survive transient failures; the token expires mid-render; cut downloads
    ("export", "render-status", "http:500"): Expect(0, renders=1, route_calls=3),
    ("export", "render-status", "reset"): Expect(0, renders=1, route_calls=3),
    ("export", "render-status", SLOW): Expect(0, renders=1, route_calls=3),
    ("export", "render-status", "expire-token"): Expect(0, renders=1, route_calls=3, reauth=True),
    ("export", "file", "truncated"): Expect(1, "errors/media_download_incomplete", ("stopped before the end",),
                                            renders=1, rerun=True),
    ("export", "file", "reset"): Expect(1, "errors/media_download_incomplete", ("stopped before the end",),
                                        renders=1, rerun=True),
    ("export", "file", "html:502"): Expect(1, "errors/media_download_status", ("502",), renders=1, rerun=True),
    # chat edit: the turn is sent once whatever the stream does
    ("chat-edit", "run_sse", "sse-stalled"): Expect(1, "edit/interrupted", (*INTERRUPTED, "too long"), messages=1),
    ("chat-edit", "run_sse", "sse-dropped"): Expect(1, "edit/interrupted", (*INTERRUPTED, "dropped", "Changes so far"),
                                                    messages=1),
    ("chat-edit", "run_sse", "sse-error-event"): Expect(1, "edit/interrupted", (*INTERRUPTED, "problem"),
                                                        messages=1),
    ("chat-edit", "run_sse", "sse-malformed"): Expect(0, "edit/answer", ("Trimmed the first two seconds",),
                                                      messages=1),
    ("chat-edit", "state", "expire-token"): Expect(0, "edit/answer", route_calls=2, messages=1, reauth=True),
    ("call-edit", "run_sse", "sse-stalled"): Expect(1, None, INTERRUPTED, messages=1),
    ("call-edit", "run_sse", "sse-dropped"): Expect(1, None, (*INTERRUPTED, "dropped"), messages=1),
    ("call-edit", "run_sse", "sse-malformed"): Expect(0, None, ("Trimmed the first two seconds",), messages=1),
    # a 500 that repeats on the upload's second try: other ways to get the file in, not "try later"
    ("upload-file", "upload", "http:500x2"): Expect(1, "errors/upload_failed_twice", ("twice", "plain name"),
                                                    route_calls=2),
    ("upload-url", "upload", "http:500x2"): Expect(1, "errors/upload_failed_twice", ("twice", "browser"),
                                                   route_calls=2),
}


def expect(command: Command, fault: str) -> Expect:
    """The generic outcome of ``fault``, adjusted for what this command's route means."""
    base = ERRORS[fault]
    if fault == "reset" and command.route in READ_ROUTES:
        base = Expect(0, route_calls=2)
    if fault == "code:1002" and command.renews_session:
        base = Expect(0, route_calls=2, renewed=True)
    if fault == "http:500" and command.route == "upload":  # an upload bills nothing: sent once more
        base = Expect(0, route_calls=2)
    if command.export:
        # A failed submit is retried once with a new render id (the spec); only a plan, credit or
        # sign-in problem stops at once. Either way there is never more than one render.
        if fault in ("code:402", "code:2001"):
            base = replace(base, renders=0)
        elif fault == "code:429x2":
            base = Expect(0, route_calls=3, renders=1)
        else:
            base = Expect(0, route_calls=2, reauth=base.reauth, renders=1)
    if command.edit:
        if fault == SLOW:  # the request went out: maybe running, so reported, never re-sent
            base = Expect(1, "edit/interrupted", (*INTERRUPTED, "too long"))
        if fault == "reset":  # likewise: the turn may have been accepted before the reset
            base = Expect(1, "edit/interrupted", (*INTERRUPTED, "dropped"))
        base = replace(base, messages=1 if base.code == 0 or fault == SLOW else 0)
    if command.tool and base.key and not base.key.startswith("errors/"):
        base = replace(base, key=None)  # a tool's reply carries no template key, only its data
    if base.code == 0 and base.key is None and command.ok_key:
        base = replace(base, key=command.ok_key)
    return base


def cases() -> list[Any]:
    out = []
    for command in COMMANDS:
        for fault in FAULTS:
            out.append(pytest.param(command.name, command.route, fault, expect(command, fault),
                                    id=f"{command.name}-{fault}"))
    for (name, route, fault), outcome in EXTRA.items():
        out.append(pytest.param(name, route, fault, outcome, id=f"{name}-{route}-{fault}"))
    return out


CASES = cases()


# -- running one case ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.video(tmp_path_factory.mktemp("matrix") / "talk.mp4", width=320, height=240, seconds=1.0)


@dataclass
class Run:
    result: CliResult
    body: dict[str, Any]
    log: str
    report: LeakReport


def _inject(emulator: Emulator, route: str, fault: str) -> None:
    if fault in SSE_SCRIPT:
        emulator.play(SSE_SCRIPT[fault])
    elif fault.endswith("x2"):
        emulator.inject(route, fault.removesuffix("x2"), times=2)
    else:
        emulator.inject(route, fault)


def run_case(cli: Callable[..., CliResult], emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
             command: Command, route: str, fault: str | None, *, clip: Path, extra: tuple[str, ...] = (),
             env: dict[str, str] | None = None) -> Run:
    """Warm up if needed, inject the fault, run the command once (log file on) and collect every output."""
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    if command.warm:
        warm_account(emulator)
    monkeypatch.setenv("LIP_SYNC_VIDEO_SILENCE_SECONDS", SILENCE)
    if fault == SLOW:
        monkeypatch.setenv("LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS", HTTP_TIMEOUT)
    log = tmp_path / "debug.log"
    monkeypatch.setenv("LIP_SYNC_VIDEO_LOG_FILE", str(log))
    if fault is not None:
        _inject(emulator, route, fault)
    fresh_redactor(monkeypatch)
    argv = [a.replace("{clip}", str(clip)).replace("{out}", str(tmp_path / "out" / "final.mp4"))
            for a in command.argv]
    result = cli(*argv, *extra)
    log_text = log.read_text(encoding="utf-8") if log.exists() else ""
    report = LeakReport()
    report.add("stdout", result.out)
    report.add("stderr", result.err)
    report.add("log file", log_text)
    scan_store(tmp_path / "store", report)
    lines = [line for line in result.out.splitlines() if line.startswith("{")]
    body = json.loads(lines[-1]) if lines else {}
    return Run(result, body, log_text, report)


def _reply_key(command: Command, body: dict[str, Any]) -> str | None:
    if "error" in body:
        return str(body["error"])
    results = body.get("results")
    if isinstance(results, list) and results:
        return str(results[-1].get("key"))
    return None


def _wait_for_late_renders(emulator: Emulator, seconds: float) -> None:
    """A submit that timed out may still land after the server's sleep: give it the time to."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(emulator.state.renders) < 2:
        time.sleep(0.05)


# -- the matrix ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "route", "fault", "outcome"), CASES)
def test_fault_matrix(name: str, route: str, fault: str, outcome: Expect, cli: Callable[..., CliResult],
                      emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clip: Path) -> None:
    command = BY_NAME[name]
    run = run_case(cli, emulator, monkeypatch, tmp_path, command, route, fault, clip=clip)
    result, body = run.result, run.body
    context = f"{name} × {route} {fault}: exit {result.code}\nstdout: {result.out[-800:]}\nstderr: {result.err[-800:]}"

    assert result.code == outcome.code, context
    assert_no_traceback(result.out, result.err)
    if outcome.code == 0:
        assert body.get("ok", True) is True and "error" not in body, context
    if outcome.key is not None:
        assert _reply_key(command, body) == outcome.key, context
    # the words: on stderr for a CLI error, in the JSON reply for tools, chat and answered turns
    shown = result.err if (outcome.code and not command.tool and "error" in body) else str(body.get("reply", ""))
    for word in outcome.words:
        assert word.lower() in shown.lower(), f"{word!r} not shown\n{context}"
    if outcome.code and command.tool:
        assert body.get("ok") is False and body.get("reply"), context

    # recovery
    assert len(emulator.calls(route)) == outcome.route_calls or fault in SSE_SCRIPT, context
    anonymous = len(emulator.calls("anonymous-token"))
    assert anonymous == (2 if outcome.reauth else 1), f"anonymous-token calls: {anonymous}\n{context}"
    if outcome.reauth and fault == "expire-token":
        assert len(emulator.state.tokens) == 2  # the expired token was replaced, not reused
    sessions = 2 if outcome.renewed else 0 if (not command.warm and outcome.code) else 1
    assert len(emulator.state.sessions) == sessions, context
    if outcome.renewed:
        assert "new" in result.err.lower() and "session" in result.err.lower(), context

    # never re-sent, never rendered twice, never a half file under the final name
    messages = sum(len(texts) for texts in emulator.state.messages.values())
    if outcome.messages is not None and fault != SLOW:
        assert messages == outcome.messages, f"/run_sse messages: {messages}\n{context}"
    assert messages <= 1
    final = tmp_path / "out" / "final.mp4"
    if command.export:
        if fault == SLOW and route == "render-submit":
            _wait_for_late_renders(emulator, 1.5)  # the server sleeps 1.5 s from the first submit
        if outcome.renders is not None:
            assert len(emulator.state.renders) == outcome.renders, \
                f"renders of one draft: {sorted(emulator.state.renders)}\n{context}"
        assert final.exists() == (outcome.code == 0), context
        if final.exists():
            assert final.read_bytes()[4:8] == b"ftyp" and not list(final.parent.glob("*.part"))
    if outcome.rerun:
        again = cli(*[a.replace("{out}", str(final)) for a in command.argv])
        assert again.code == 0, again.err
        assert len(emulator.state.renders) == 1 and sum(emulator.state.render_submits.values()) == 1
        assert final.read_bytes()[4:8] == b"ftyp"
        assert not list(final.parent.glob("*.part")), "a .part file was left after the successful rerun"

    store = tmp_path / "store"
    if command.warm:  # a session record at least (a first run that failed may hold only auth.json)
        assert any(where.startswith(str(store)) for where in run.report.texts), "the store scan saw no file"
    if outcome.code == 0:
        assert (store / "auth.json").is_file()  # so its 0600 mode was checked
    leaks = run.report.leaks(known_tokens(emulator))
    assert not leaks, leaks


# -- the same faults in Chinese -----------------------------------------------------------------
ZH_WORDS = {
    "errors/auth_expired": "过期", "errors/session_not_found": "会话", "errors/no_credits": "积分已用完",
    "errors/unsupported_file": "不支持", "errors/file_too_large": "文件太大", "errors/api_status": "拒绝",
    "errors/plan_required": "套餐", "errors/rate_limited": "请求过多", "errors/server_error": "服务暂时出现问题",
    "errors/unreachable": "无法连接", "errors/timeout": "响应超时", "errors/bad_response": "截断",
}
ZH_CASES = [pytest.param(fault, id=f"credits-zh-{fault}") for fault in FAULTS
            if expect(BY_NAME["credits"], fault).code]


@pytest.mark.parametrize("fault", ZH_CASES)
def test_errors_in_chinese(fault: str, cli: Callable[..., CliResult], emulator: Emulator,
                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clip: Path) -> None:
    outcome = expect(BY_NAME["credits"], fault)
    run = run_case(cli, emulator, monkeypatch, tmp_path, BY_NAME["credits"], "credits", fault, clip=clip,
                   extra=("--lang", "zh"))
    assert run.result.code == outcome.code
    assert run.body["error"] == outcome.key
    assert ZH_WORDS[str(outcome.key)] in run.result.err, run.result.err
    assert_no_traceback(run.result.out, run.result.err)
    assert not run.report.leaks(known_tokens(emulator))


def test_interrupted_turn_in_chinese(cli: Callable[..., CliResult], emulator: Emulator,
                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clip: Path) -> None:
    command = replace(BY_NAME["chat-edit"], argv=("chat", "把前两秒剪掉", "--json"))
    run = run_case(cli, emulator, monkeypatch, tmp_path, command, "run_sse", "sse-dropped", clip=clip)
    assert run.result.code == 1
    assert "我没有重新发送你的请求" in run.body["reply"] and "断开" in run.body["reply"]
    assert sum(len(t) for t in emulator.state.messages.values()) == 1


# -- the leak sweep: a person's own NEMO_TOKEN, --verbose, the whole matrix -----------------------
# Every command; the faults that change what gets logged (recovery paths, error bodies, cut streams).
LEAK_FAULTS = ("code:1001", "expire-token", "code:1002", "code:2001", "code:429", "http:500", "html:502", "reset",
               "truncated")
LEAK_CASES = [pytest.param(c.name, c.route, f, id=f"{c.name}-{f}") for c in COMMANDS for f in LEAK_FAULTS]
LEAK_CASES += [pytest.param(name, route, fault, id=f"{name}-{route}-{fault}") for name, route, fault in EXTRA
               if fault != SLOW]


@pytest.mark.parametrize(("name", "route", "fault"), LEAK_CASES)
def test_token_leak_sweep(name: str, route: str, fault: str, cli: Callable[..., CliResult], emulator: Emulator,
                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clip: Path) -> None:
    # No recognisable prefix: only the registered-secret path of the redactor can hide it.
    own = emulator.state.add_token(secrets.token_hex(20), registered=True)
    run = run_case(cli, emulator, monkeypatch, tmp_path, BY_NAME[name], route, fault, clip=clip,
                   extra=("--verbose",), env={"NEMO_TOKEN": own})
    assert run.result.code in (0, 1), run.result.err
    assert "DEBUG" in run.result.err and run.log, "--verbose and the log file were really written"
    tokens = known_tokens(emulator)
    assert own in tokens
    leaks = run.report.leaks(tokens)
    assert not leaks, leaks
    if fault in ("code:1001", "expire-token") and route == BY_NAME[name].route:
        # a person's own token is never swapped for an anonymous one behind their back
        assert run.result.code == 1 and not emulator.calls("anonymous-token")


def test_the_leak_check_sees_a_fragment_anywhere(tmp_path: Path) -> None:
    """The detector itself: one 8-character piece of a token, in any output or store file, is a leak."""
    token = "nmv_usr_" + "0123456789abcdef" * 2
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "session.json").write_text('{"note": "...89abcdef01..."}', encoding="utf-8")
    report = LeakReport()
    report.add("stdout", "all clean [redacted]")
    scan_store(tmp_path / "store", report)
    assert report.leaks({token}) and all("session.json" in leak for leak in report.leaks({token}))
    assert not LeakReport({"stderr": "89abcde"}).leaks({token})  # 7 characters are not a fragment


def test_matrix_size(capsys: pytest.CaptureFixture[str]) -> None:
    matrix, zh, leak = len(CASES), len(ZH_CASES) + 1, len(LEAK_CASES)
    assert matrix == len(COMMANDS) * len(FAULTS) + len(EXTRA) >= 180
    assert matrix + zh + leak >= 200 * 1.5
    with capsys.disabled():
        print(f"\nfault matrix: {len(COMMANDS)} commands × {len(FAULTS)} faults + {len(EXTRA)} extra = {matrix} "
              f"cases; {zh} in Chinese; token-leak runs: {matrix + zh + leak} "
              f"({leak} with NEMO_TOKEN and --verbose)")
