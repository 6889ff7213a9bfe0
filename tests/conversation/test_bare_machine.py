"""On a bare machine ``python3 -m skill`` names the missing dependency, never a bare ModuleNotFoundError."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import skill.__main__ as entry
from skill.replies import render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def without_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("httpx", "av") else real(name, *a))


def test_the_missing_dependency_is_named_on_stderr(without_httpx: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.run(["credits"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "needs the Python packages httpx, av" in err and "scripts/run.py" in err
    assert "ModuleNotFoundError" not in err


def test_with_json_the_line_is_also_the_reply(without_httpx: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.run(["chat", "还剩多少积分", "--json"]) == 1
    out, err = capsys.readouterr()
    body = json.loads(out)
    assert body["ok"] is False and body["missing"] == ["httpx", "av"] and body["reply"] == err.strip()
    assert body["reply"].startswith("lip-sync-video 缺少 Python 依赖")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_template_says_the_same(lang: str) -> None:
    folder = ROOT
    line = entry.missing_message(["httpx"], lang)
    assert line == render("errors/missing_dependency", lang, missing=["httpx"], runner=folder / "scripts" / "run.py",
                          folder=folder)


def test_with_everything_installed_python_m_skill_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "skill", "route", "导出", "--json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                        "HOME": "/nonexistent"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "export"
