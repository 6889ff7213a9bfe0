"""``--json`` prints one object everywhere, ``tools`` included (issue 14)."""

from __future__ import annotations

import json


def test_tools_json_is_one_object_with_the_definitions(cli) -> None:
    result = cli("tools", "--json")
    assert result.code == 0, result.err
    body = json.loads(result.out)
    assert isinstance(body, dict) and body["ok"] is True and body["format"] == "anthropic"
    names = {tool["name"] for tool in body["tools"]}
    assert "chat" in names and body["count"] == len(body["tools"])
    assert "tool definitions" in body["reply"]


def test_tools_without_json_is_the_list_a_model_takes(cli) -> None:
    result = cli("tools", "--format", "openai")
    assert result.code == 0, result.err
    body = json.loads(result.out)
    assert isinstance(body, list) and body[0]["type"] == "function"
