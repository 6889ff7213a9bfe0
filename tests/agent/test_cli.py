"""``lip-sync-video tools`` and ``call``: JSON on stdout, exit codes 0 / 1 / 2, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.agent import tools
from tests.agent.helpers import assert_no_token


@pytest.mark.parametrize("fmt", ["anthropic", "openai"])
def test_tools_prints_the_schemas(cli, fmt: str) -> None:
    result = cli("tools", "--format", fmt)
    assert result.code == 0
    assert json.loads(result.out) == tools.schemas(fmt)


def test_call_prints_the_result_and_progress_goes_to_stderr(cli, emulator) -> None:
    result = cli("call", "credits")
    assert result.code == 0
    data = result.json()
    assert data["ok"] is True and "available" in data
    assert "Connecting" in result.err  # the person sees the wait; stdout stays one JSON object
    assert_no_token(emulator, result.out + result.err)


def test_call_reads_input_from_a_file_and_from_stdin(cli, emulator, tmp_path: Path) -> None:
    emulator.play("emulator_basic", "emulator_basic")
    request = tmp_path / "input.json"
    request.write_text(json.dumps({"instruction": "sync the voiceover"}), encoding="utf-8")
    from_file = cli("call", "edit", "--input", f"@{request}")
    from_stdin = cli("call", "edit", "--input", "-", input='{"instruction": "sync the voiceover"}')
    assert from_file.code == from_stdin.code == 0
    assert from_file.json()["reply"] == from_stdin.json()["reply"]


@pytest.mark.parametrize(("args", "key"), [
    (("call", "credits", "--input", "{not json"), "errors/agent_bad_json"),
    (("call", "credits", "--input", "@/no/such/input.json"), "errors/agent_input_file"),
    (("call", "edit", "--input", '{"instruction": 3}'), "errors/agent_invalid_input"),
    (("call", "teleport"), "errors/agent_unknown_tool"),
])
def test_bad_calls_exit_2_with_one_readable_line(cli, args: tuple[str, ...], key: str) -> None:
    result = cli(*args, "--json")
    assert result.code == 2
    assert json.loads(result.out.splitlines()[-1])["error"] == key
    assert "Traceback" not in result.err


def test_backend_failure_exits_1(cli, emulator) -> None:
    emulator.inject("credits", "http:500", times=5)
    result = cli("call", "credits")
    assert result.code == 1
    assert result.json()["ok"] is False
