"""The MCP server, driven by the official SDK's own client: in process, and over stdio as a real subprocess."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from skill.agent import tools
from skill.agent.mcp_server import build_server
from skill.config import Settings
from tests.agent.helpers import assert_no_token
from tests.media import factory

REPO = Path(__file__).resolve().parents[2]


def _structured(result: Any) -> dict[str, Any]:
    assert result.structured_content is not None
    assert json.loads(result.content[0].text) == result.structured_content  # text mirrors the structure
    return result.structured_content


def test_in_process_tools_match_the_one_source() -> None:
    async def session() -> tuple[list[Any], Any]:
        async with Client(build_server(Settings.from_env())) as client:
            listed = await client.list_tools()
            bad = await client.call_tool("upload", {"sources": [], "typo": 1})
            return listed.tools, bad

    listed, bad = anyio.run(session)
    expected = {entry["name"]: entry for entry in tools.schemas("anthropic")}
    assert {tool.name: (tool.description, tool.input_schema) for tool in listed} == {
        name: (entry["description"], entry["input_schema"]) for name, entry in expected.items()}
    assert bad.is_error
    problems = _structured(bad)["problems"]
    assert {p["field"] for p in problems} == {"sources", "typo"}


@pytest.mark.slow
def test_stdio_server_end_to_end(emulator, tmp_path: Path) -> None:
    clip = factory.video(tmp_path / "clip.mp4", width=320, height=240, seconds=1.0)
    raw_log, err_log = tmp_path / "server-stdout.jsonl", tmp_path / "server-stderr.txt"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "tests.agent.stdio_tee", str(raw_log), "--", sys.executable, "-m", "skill", "mcp"],
        env=dict(os.environ), cwd=str(REPO))
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async def session() -> dict[str, Any]:
        with err_log.open("w") as errors, anyio.fail_after(90):
            async with Client(stdio_client(params, errlog=errors), mode="legacy") as client:
                names = {tool.name for tool in (await client.list_tools()).tools}
                credits = await client.call_tool("credits", {})
                upload = await client.call_tool("upload", {"sources": [str(clip)]}, progress_callback=on_progress)
                emulator.inject("credits", "http:500", times=5)
                failed = await client.call_tool("credits", {})
                after = await client.call_tool("state", {})  # the server survived the failure
        return {"names": names, "credits": credits, "upload": upload, "failed": failed, "after": after}

    got = anyio.run(session)

    assert {"credits", "upload", "state", "edit", "export"} <= got["names"]
    credits = _structured(got["credits"])
    assert not got["credits"].is_error and credits["ok"] is True and "available" in credits
    assert not got["upload"].is_error, got["upload"]
    assert emulator.calls("upload")
    assert progress, "the upload reported progress notifications"
    assert [value for value, _, _ in progress] == sorted(value for value, _, _ in progress)
    assert got["failed"].is_error
    failure = _structured(got["failed"])
    assert failure["ok"] is False and failure["error"].startswith("errors/") and "Traceback" not in failure["reply"]
    assert not got["after"].is_error

    raw = raw_log.read_text(encoding="utf-8")
    messages = [json.loads(line) for line in raw.splitlines()]
    assert all(message["jsonrpc"] == "2.0" for message in messages)  # stdout carries JSON-RPC only
    assert any(message.get("result", {}).get("serverInfo", {}).get("name") == "lip-sync-video"
               for message in messages)
    assert any(message.get("method") == "notifications/progress" for message in messages)
    assert_no_token(emulator, raw)
    assert_no_token(emulator, err_log.read_text(encoding="utf-8"))


def test_missing_sdk_is_a_clear_error(monkeypatch, cli) -> None:
    monkeypatch.setitem(sys.modules, "mcp.server.lowlevel", None)  # what an install without [mcp] sees
    result = cli("mcp")
    assert result.code == 1
    assert 'pip install "lip-sync-video[mcp]"' in result.err
    assert "Traceback" not in result.err
