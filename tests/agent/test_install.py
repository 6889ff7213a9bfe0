"""Installs for every client into a temporary HOME: the folder works from there, reports the right
platform to the backend, and uninstall puts everything back as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.agent.install import MANIFEST, SKILL_NAME
from skill.frontmatter import detect_platform

REPO = Path(__file__).resolve().parents[2]
EXPECTED_PLATFORM = {"openclaw": "clawhub", "clawhub": "clawhub", "cursor": "cursor", "claude": "claude"}


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")} if root.exists() else set()


def _folder(target: str, home: Path, workspace: Path) -> Path:
    skills = {"openclaw": home / ".openclaw" / "skills", "clawhub": workspace / "skills",
              "cursor": home / ".cursor" / "skills", "claude": home / ".claude" / "skills"}[target]
    return skills / SKILL_NAME


def _run_from(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """What an agent does: run the installed folder's bootstrap runner, from elsewhere."""
    return subprocess.run([sys.executable, str(folder / "scripts" / "run.py"), *args], cwd=folder.parent,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("link", [False, True], ids=["copy", "link"])
@pytest.mark.parametrize("target", sorted(EXPECTED_PLATFORM))
def test_install_run_detect_uninstall(target: str, link: bool, cli, emulator, tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    before = _tree(home) | {f"ws/{p}" for p in _tree(workspace)}

    args = ["install", "--target", target, *(["--dir", str(workspace)] if target == "clawhub" else []),
            *(["--link"] if link else [])]
    installed = cli(*args, "--json")
    assert installed.code == 0, installed.err
    folder = _folder(target, home, workspace)
    assert installed.json()["path"] == str(folder)
    for entry in ("SKILL.md", "skill/__init__.py", "prompts/en", "scripts/run.py", "pyproject.toml"):
        assert (folder / entry).exists(), entry
    assert (folder / "skill").is_symlink() == link
    assert not (folder / "fixtures").exists() and not (folder / "tests").exists()
    if target == "clawhub":
        origin = json.loads((folder / ".clawhub" / "origin.json").read_text())
        assert origin["slug"] == SKILL_NAME and origin["version"] == 1 and isinstance(origin["installedAt"], int)

    assert detect_platform(folder) == EXPECTED_PLATFORM[target]
    assert installed.json()["platform"] == EXPECTED_PLATFORM[target]

    # The installed copy runs from its own location and tells the backend where it lives.
    ran = _run_from(folder, "credits", "--json")
    assert ran.returncode == 0, ran.stderr
    assert "available" in json.loads(ran.stdout)
    headers = {k.lower(): v for k, v in emulator.calls("credits")[-1].headers.items()}
    assert headers["x-skill-platform"] == EXPECTED_PLATFORM[target]
    assert headers["x-skill-source"] == SKILL_NAME

    again = cli(*args, "--json")  # idempotent: a second install refreshes the same files
    assert again.code == 0 and again.json()["refreshed"] is True
    placed = set(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["placed"])
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
               if (p.is_symlink() or p.is_file()) and "__pycache__" not in p.parts and p.name != MANIFEST}
    assert placed == on_disk  # nothing left over from the first install, nothing missing

    removed = cli("uninstall", "--target", target, *(["--dir", str(workspace)] if target == "clawhub" else []))
    assert removed.code == 0, removed.err
    assert not folder.exists() and not folder.is_symlink()
    assert _tree(home) | {f"ws/{p}" for p in _tree(workspace)} == before
    for entry in ("SKILL.md", "README.md", "pyproject.toml", "skill/agent/tools.py", "prompts/en", "scripts/run.py"):
        assert (REPO / entry).exists(), entry  # the checkout a link pointed to is intact


def test_uninstall_keeps_what_the_person_added(cli) -> None:
    assert cli("install", "--target", "cursor").code == 0
    folder = Path(os.environ["HOME"]) / ".cursor" / "skills" / SKILL_NAME
    (folder / "my-notes.md").write_text("mine", encoding="utf-8")
    result = cli("uninstall", "--target", "cursor", "--json")
    assert result.code == 0
    assert result.json()["kept"] == ["my-notes.md"]
    assert sorted(p.name for p in folder.iterdir()) == ["my-notes.md"]
    assert not (folder / MANIFEST).exists()


def test_an_existing_folder_that_is_not_ours_is_left_alone(cli) -> None:
    folder = Path(os.environ["HOME"]) / ".claude" / "skills" / SKILL_NAME
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: lip-sync-video\n---\nsomeone else's\n", encoding="utf-8")
    for command in (("install", "--target", "claude"), ("uninstall", "--target", "claude")):
        result = cli(*command)
        assert result.code == 1
        assert str(folder) in result.err and "Traceback" not in result.err
    assert (folder / "SKILL.md").read_text(encoding="utf-8").endswith("someone else's\n")


def test_uninstall_when_nothing_is_installed(cli) -> None:
    result = cli("uninstall", "--target", "openclaw", "--lang", "zh")
    assert result.code == 0
    assert "没有安装" in result.out


def test_bad_target_is_a_usage_error(cli) -> None:
    result = cli("install", "--target", "vscode")
    assert result.code == 2
    assert "invalid choice" in result.err


def test_uninstall_never_deletes_outside_the_skill_folder(cli, tmp_path: Path) -> None:
    # The manifest is a file in a folder anyone could have unpacked: its entries are not trusted.
    victim = tmp_path / "victim.txt"
    victim.write_text("the person's file")
    skills = tmp_path / "skills"
    folder = skills / SKILL_NAME
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(json.dumps({"placed": ["../../victim.txt", str(victim)], "created_dirs": []}))
    result = cli("uninstall", "--target", "cursor", "--dir", skills)
    assert result.code == 0, result.err
    assert victim.read_text() == "the person's file"
