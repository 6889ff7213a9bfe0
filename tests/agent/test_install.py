"""Installs for every client into a temporary HOME: the folder works from there, reports the right
platform to the backend, and uninstall puts everything back as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.agent.install import MANIFEST, SKILL_NAME, placement
from skill.errors import LipSyncError
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


@pytest.mark.slow
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
    # A local install claims no registry origin: only `clawhub install` writes one (issue 17).
    assert not (folder / ".clawhub").exists() and not (workspace / ".clawhub").exists()
    assert json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["target"] == target
    # OpenClaw refuses a SKILL.md that resolves outside its skills root, so that one is a copy.
    assert (folder / "SKILL.md").is_symlink() == (link and target not in ("openclaw", "clawhub"))
    assert sorted(p.name for p in (folder / "scripts").iterdir()) == ["run.py"]  # no maintainer scripts

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


def test_refresh_drops_the_clawhub_origin_older_installs_wrote(cli, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert cli("install", "--target", "clawhub", "--dir", workspace).code == 0
    folder = workspace / "skills" / SKILL_NAME
    # What installs before issue 17 left behind: an origin file listed in the manifest.
    (folder / ".clawhub").mkdir()
    (folder / ".clawhub" / "origin.json").write_text('{"version": 1, "slug": "lip-sync-video"}')
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["placed"].append(".clawhub/origin.json")
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    again = cli("install", "--target", "clawhub", "--dir", workspace, "--json")
    assert again.code == 0 and again.json()["platform"] == "clawhub"
    assert not (folder / ".clawhub").exists()


def test_bundle_is_what_install_places_without_the_manifest(cli, tmp_path: Path) -> None:
    from skill.agent.install import build_bundle

    folder, files = build_bundle(tmp_path / "out")
    assert folder == tmp_path / "out" / SKILL_NAME
    assert cli("install", "--target", "cursor").code == 0
    installed = Path(os.environ["HOME"]) / ".cursor" / "skills" / SKILL_NAME
    assert files == sorted(json.loads((installed / MANIFEST).read_text(encoding="utf-8"))["placed"])
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == set(files)
    assert not any(part.startswith(".") for name in files for part in name.split("/"))
    with pytest.raises(LipSyncError):  # never over an existing folder
        build_bundle(tmp_path / "out")


def test_runner_works_from_any_working_directory_with_the_path_the_model_sees(cli, tmp_path: Path) -> None:
    """OpenClaw never substitutes {baseDir}: the model takes the skill's <location>, which OpenClaw
    shows as ~/… (local-loader: compactPromptSkills), and runs the runner from wherever it is, with
    the person's files relative to that directory (issue 17)."""
    assert cli("install", "--target", "openclaw").code == 0
    elsewhere = tmp_path / "chat-workdir"
    elsewhere.mkdir()
    for name in ("interview.mp4", "voice_studio.wav"):
        (elsewhere / name).write_bytes((REPO / "fixtures" / "media" / name).read_bytes())
    command = ("python3 ~/.openclaw/skills/lip-sync-video/scripts/run.py "
               "align interview.mp4 voice_studio.wav --check-only --json")
    ran = subprocess.run(command, shell=True, cwd=elsewhere, capture_output=True, text=True, timeout=120, check=False,
                         env={**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                                      os.environ.get("PATH", "")])})
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["ok"] and result["video"] == "interview.mp4" and 200 < result["offset_ms"] < 270
    assert not (Path(os.environ["HOME"]) / ".openclaw" / "skills" / SKILL_NAME / "interview.mp4").exists()


def test_clawhub_target_uses_the_workspace_clawhub_would(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --dir, the same workspace `clawhub install` picks (its resolveWorkdir)."""
    home = Path(os.environ["HOME"])
    here = Path.cwd()
    configured = tmp_path / "openclaw-workspace"
    (home / ".openclaw").mkdir()
    config = {"agents": {"defaults": {"workspace": str(configured)}}}
    (home / ".openclaw" / "openclaw.json").write_text(json.dumps(config))
    assert cli("install", "--target", "clawhub", "--json").json()["path"] == str(configured / "skills" / SKILL_NAME)
    assert cli("uninstall", "--target", "clawhub").code == 0 and not (configured / "skills").exists()

    (here / ".clawhub").mkdir()  # a directory clawhub already manages wins over the config
    assert cli("install", "--target", "clawhub", "--json").json()["path"] == str(here / "skills" / SKILL_NAME)
    assert cli("uninstall", "--target", "clawhub").code == 0

    named = tmp_path / "named"
    monkeypatch.setenv("CLAWHUB_WORKDIR", str(named))
    assert cli("install", "--target", "clawhub", "--json").json()["path"] == str(named / "skills" / SKILL_NAME)

    monkeypatch.delenv("CLAWHUB_WORKDIR")
    (here / ".clawhub").rmdir()
    (home / ".openclaw" / "openclaw.json").write_text("{ // JSON5 comments are not read\n}")
    assert placement("clawhub").skills_dir == here / "skills"  # unreadable config: the current directory


def test_publish_script_versions_agree_and_it_never_builds_over_a_folder(tmp_path: Path, capsys) -> None:
    """What scripts/publish_clawhub.py checks before it runs clawhub (the run itself needs Node:
    tests/agent/test_openclaw_clients.py)."""
    import importlib.util

    from skill import __version__

    spec = importlib.util.spec_from_file_location("publish_clawhub", REPO / "scripts" / "publish_clawhub.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.project_version() == __version__
    script.check_versions(__version__)  # SKILL.md says the same
    with pytest.raises(SystemExit, match="versions disagree"):
        script.check_versions("9.9.9")
    (tmp_path / SKILL_NAME).mkdir()
    assert script.main(["--keep", str(tmp_path), "--clawhub", "/nonexistent/clawhub"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert list((tmp_path / SKILL_NAME).iterdir()) == []
