"""The terminal contract: MEDIA lines name absolute paths, JSON mode prints one object."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from skill.console import Console
from skill.replies import Reply


def test_media_lines_are_absolute_even_for_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    Console("en", stdout=out, stderr=io.StringIO()).reply(Reply("errors/usage", {"detail": "done"}, media=["a.mp4"]))
    assert out.getvalue().splitlines() == ["done", f"MEDIA:{tmp_path / 'a.mp4'}"]
    assert os.path.isabs(out.getvalue().splitlines()[1].removeprefix("MEDIA:"))


def test_json_mode_prints_exactly_one_object() -> None:
    out = io.StringIO()
    Console("zh", json_mode=True, stdout=out, stderr=io.StringIO()).reply(
        Reply("errors/usage", {"detail": "好"}, media=["/x/y.mp4"]))
    (line,) = out.getvalue().splitlines()
    assert json.loads(line) == {"detail": "好", "ok": True, "reply": "好", "media": ["/x/y.mp4"]}


def test_results_without_a_path_avoid_the_filesystem_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skill.config import output_dir

    monkeypatch.chdir(tmp_path)
    assert output_dir() == tmp_path  # a person at a shell gets the file where they are
    monkeypatch.chdir("/")  # an MCP server started by a desktop client
    assert output_dir() != Path("/") and str(output_dir()).startswith(str(Path.home()))
    monkeypatch.setenv("LIP_SYNC_VIDEO_OUTPUT_DIR", str(tmp_path / "out"))
    assert output_dir() == tmp_path / "out"
