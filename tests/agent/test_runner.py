"""scripts/run.py, the bootstrap an agent runs from an installed skill folder."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The runner module, with its .venv pointed at a temporary folder."""
    spec = importlib.util.spec_from_file_location("skill_runner", REPO / "scripts" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(module, "STAMP", tmp_path / ".venv" / "lip-sync-video.stamp")
    return module


def test_this_python_runs_the_cli_in_process(runner: ModuleType) -> None:
    from skill import __version__

    assert runner.folder_version() == __version__
    assert runner.installed_here() is True  # the test venv has the package, so no .venv is made


def test_the_stamp_decides_when_to_reinstall(runner: ModuleType) -> None:
    plain, mcp = runner.wanted_stamp(["credits"]), runner.wanted_stamp(["mcp"])
    assert plain["extras"] == [] and mcp["extras"] == ["mcp"]
    assert not runner.stamp_covers(plain)  # no .venv yet
    runner.STAMP.parent.mkdir()
    runner.STAMP.write_text(json.dumps(plain), encoding="utf-8")
    assert runner.stamp_covers(plain)
    assert not runner.stamp_covers(mcp)  # the MCP extra is installed on first `mcp`
    runner.STAMP.write_text(json.dumps({**mcp, "pyproject": "changed"}), encoding="utf-8")
    assert not runner.stamp_covers(plain)  # a new pyproject.toml means new dependencies


def test_runner_from_the_checkout_prints_the_version() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "run.py"), "--version"], capture_output=True,
                          text=True, timeout=60, check=False, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr
    from skill import __version__

    assert done.stdout.strip() == f"lip-sync-video {__version__}"
    assert not (REPO / ".venv" / "lip-sync-video.stamp").exists()
