"""The ``animate`` tool (schemas, ``call`` and MCP share it): a render and a refusal."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from skill.agent import tools
from tests.agent.helpers import fresh_app


def test_tool_renders_and_returns_the_video(fake_cues: Any, assets: SimpleNamespace, tmp_path: Path) -> None:
    fake_cues(1.0)
    voice = tmp_path / "one.wav"
    from tests.local.animate import media

    media.dialogue(voice, 1.0)
    out = tmp_path / "hero.mp4"
    outcome = tools.invoke("animate", {"character": str(assets.still), "audio": str(voice),
                                       "mouth_box": [110, 150, 100, 60], "fps": 25, "output": str(out)}, fresh_app())
    assert outcome.exit_code == 0, outcome.result
    assert outcome.result["frames"] == 25 and outcome.result["media"] == [str(out)] and out.is_file()
    assert "Saved" in outcome.result["reply"]


def test_tool_refuses_a_box_outside_in_the_persons_language(assets: SimpleNamespace, tmp_path: Path) -> None:
    outcome = tools.invoke("animate", {"character": str(assets.still), "audio": str(assets.voice),
                                       "mouth_box": [900, 10, 50, 50], "text": "你好，世界",
                                       "output": str(tmp_path / "x.mp4")}, fresh_app())
    assert outcome.exit_code == 1 and outcome.result["error"] == "errors/animate_box_outside"
    assert "画面之外" in outcome.result["reply"] and not (tmp_path / "x.mp4").exists()
