"""``setup``, ``credits``, ``state`` on the command line, and bad input: one clear line, exit 1 or 2."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.emulator import Emulator

Cli = Callable[..., CliResult]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def _one_clean_line(result: CliResult) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert "Traceback" not in result.err and "Traceback" not in result.out
    assert len(lines) >= 1
    return lines[-1]


def test_setup_connects_and_prints_a_claim_link(emulator: Emulator, cli: Cli) -> None:
    result = cli("setup")
    assert result.code == 0
    assert result.err.splitlines() == ["Connecting...", "Ready!"]
    assert "Connected to NemoVideo with a free anonymous account. Credits: 100 available." in result.out
    assert "https://nemovideo.com/workspace/claim?ct=clm_" in result.out  # published, not masked
    assert cli("setup").err == ""  # the stored session is reused: no second "Connecting..."


def test_setup_json_and_new_project(emulator: Emulator, cli: Cli) -> None:
    first = cli("setup", "--json").json()
    second = cli("setup", "--json", "--new-project").json()
    assert first["ok"] and first["anonymous"] and first["credits"]["available"] == 100
    assert first["platform"] == "unknown" and first["project_link"].startswith("https://nemovideo.com/")
    assert second["task_id"] != first["task_id"]
    assert not any("token" in key for key in first)


def test_setup_survives_a_failing_claim_link(emulator: Emulator, cli: Cli) -> None:
    emulator.inject("claim-token", "http:500")
    result = cli("setup", "--json")
    assert result.code == 0 and result.json()["project_link"] is None


def test_credits_text_json_and_chinese(emulator: Emulator, cli: Cli) -> None:
    assert cli("credits").out.strip() == "Credits: 100 available, 100 in total."
    data = cli("credits", "--json").json()
    assert {k: data[k] for k in ("available", "frozen", "total", "ok")} == {
        "available": 100, "frozen": 0, "total": 100, "ok": True}
    assert cli("credits", "--lang", "zh").out.strip() == "积分：可用 100，共 100。"


def test_credits_at_zero_tells_anonymous_people_how_to_get_more(emulator: Emulator, cli: Cli) -> None:
    emulator.state.credits.update(available=0, total=100, frozen=0)
    assert "Register a free NemoVideo account" in cli("credits").out


def test_state_summarises_the_draft(emulator: Emulator, cli: Cli) -> None:
    result = cli("state")
    assert result.code == 0
    assert result.out.startswith("Timeline (3 tracks): 1. Video: city timelapse (0-10s)")
    assert "Ready to export" in result.out
    data = cli("state", "--json").json()
    assert data["track_count"] == 3 and data["export_ready"] is True and data["duration_ms"] == 10000
    assert data["uploads"] == 1 and data["summary"].startswith("Timeline (3 tracks)")


def test_state_of_an_empty_project(emulator: Emulator, cli: Cli) -> None:
    emulator.state.use_fixture("empty")
    data = cli("state", "--json").json()
    assert data["track_count"] == 0 and data["export_ready"] is False
    assert "The project is empty so far." in data["reply"]


def test_unknown_subcommand_is_a_usage_error(cli: Cli) -> None:
    result = cli("levitate")
    assert result.code == 2
    assert "invalid choice: 'levitate'" in _one_clean_line(result)


@pytest.mark.parametrize("base", ["ftp://example.com", "not a url", "http://"])
def test_bad_api_base_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    monkeypatch.setenv("NEMO_API_BASE", base)
    result = cli("credits")
    assert result.code == 1
    assert _one_clean_line(result).startswith("NEMO_API_BASE must be an http(s) URL")


def test_unreachable_host_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_API_BASE", f"http://127.0.0.1:{_closed_port()}")
    result = cli("credits")
    assert result.code == 1
    assert _one_clean_line(result).startswith("Cannot reach 127.0.0.1.")


@pytest.mark.parametrize(("fault", "words"), [
    ("html:502", "NemoVideo is having trouble right now (HTTP 502)"),
    ("truncated", "answer was cut off"),
])
def test_broken_answers_are_one_line(emulator: Emulator, cli: Cli, fault: str, words: str) -> None:
    emulator.inject("credits", fault)
    result = cli("credits")
    assert result.code == 1
    assert words in _one_clean_line(result)


def test_json_mode_errors_are_one_object(emulator: Emulator, cli: Cli) -> None:
    emulator.inject("credits", "html:502")
    result = cli("credits", "--json")
    assert result.code == 1
    payload = json.loads(result.out)
    assert payload == {"ok": False, "error": "errors/server_error", "reply": payload["reply"]}


def test_errors_speak_chinese(emulator: Emulator, cli: Cli) -> None:
    emulator.inject("credits", "code:2001")
    result = cli("credits", "--lang", "zh")
    assert result.code == 1 and "积分已用完" in _one_clean_line(result)


@pytest.mark.slow
def test_subprocess_entry_point(emulator: Emulator, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("credits", "--json")
    assert result.code == 0 and result.json()["available"] == 100
    assert run_cli("--version").out.startswith("lip-sync-video ")


def test_setup_replaces_a_dead_stored_session(emulator: Emulator, cli: Cli) -> None:
    first = cli("setup", "--json").json()
    emulator.state.forget_sessions()  # the backend lost it (expiry, cleanup)
    result = cli("setup", "--json")
    assert result.code == 0 and result.json()["task_id"] != first["task_id"]
    assert result.json()["project_link"]  # the claim link names the live session
    assert "started a new one" in result.err


def test_verbose_logs_each_request_without_bodies(emulator: Emulator, cli: Cli) -> None:
    result = cli("credits", "--verbose")
    assert result.code == 0
    assert "POST /api/auth/anonymous-token -> 200 in" in result.err
    assert "GET /api/credits/balance/simple -> 200 in" in result.err


def test_corrupt_store_is_recovered_from_with_one_notice(emulator: Emulator, cli: Cli, isolated_env: Path) -> None:
    assert cli("setup").code == 0
    (isolated_env / "auth.json").write_text('{"client_id": "c", "credentials": {"tok')
    (isolated_env / "session.json").write_bytes(b"\x00\x01garbage")
    result = cli("state")
    assert result.code == 0 and "Timeline" in result.out
    assert sorted(result.err.splitlines()) == sorted([
        "A saved settings file (auth.json) was damaged; set aside and starting fresh.",
        "A saved settings file (session.json) was damaged; set aside and starting fresh.",
        "Connecting...", "Ready!"])
