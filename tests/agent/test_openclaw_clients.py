"""The skill as the real npm clients see it: ``openclaw`` 2026.9.6 and ``clawhub`` 0.23.3.

Installed into a temporary home both ways (``--target openclaw`` → the managed skills directory,
``--target clawhub`` → the OpenClaw workspace's ``skills/``), the skill must be discovered, eligible,
parsed without a warning, and carry no ClawHub link that OpenClaw calls invalid (issue 17). The
publish recipe runs the real ``clawhub publish`` against a stand-in registry on 127.0.0.1.

The clients come from ``scripts/install-agent-clients.sh`` (``$LIP_SYNC_VIDEO_AGENT_CLIENTS``,
default ``~/.cache/lip-sync-video-agents``); without them, or without Node >= 24, these tests skip.
Nothing here reaches the internet: the clients are pointed at temporary homes and at 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.agent.install import MANIFEST, SKILL_NAME
from skill.frontmatter import detect_platform
from tests.agent.clawhub_registry import TOKEN, Registry

REPO = Path(__file__).resolve().parents[2]


def _load_publish_script() -> Any:
    spec = importlib.util.spec_from_file_location("publish_clawhub", REPO / "scripts" / "publish_clawhub.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PUBLISH = _load_publish_script()
# Resolved at import, before the autouse fixture swaps HOME for a temporary one; only the PATH is
# kept, the rest of each client's environment is the test's own (isolated) one.
CLIENTS_DIR = PUBLISH.clients_dir()
CLIENT_PATH = PUBLISH.client_env()["PATH"]
OPENCLAW = PUBLISH.find_client("openclaw")
CLAWHUB = PUBLISH.find_client("clawhub")


def _why_unavailable() -> str | None:
    if not OPENCLAW or not CLAWHUB:
        return (f"openclaw/clawhub not found in {CLIENTS_DIR} or on PATH: "
                "run scripts/install-agent-clients.sh (or set LIP_SYNC_VIDEO_AGENT_CLIENTS)")
    try:
        version = subprocess.run(["node", "-p", "process.versions.node"], env={**os.environ, "PATH": CLIENT_PATH},
                                 capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "node not found: openclaw needs Node >= 24 (scripts/install-agent-clients.sh provides one)"
    if int(version.split(".")[0]) < 24:
        return f"node {version} is too old: openclaw 2026.9.6 needs Node >= 24"
    return None


# Each test starts the clients 2-4 times (about 4 s each on an idle machine, far more on a busy one).
UNAVAILABLE = _why_unavailable()
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600),
              pytest.mark.skipif(bool(UNAVAILABLE), reason=UNAVAILABLE or "")]

DESCRIPTION = yaml.safe_load((REPO / "SKILL.md").read_text(encoding="utf-8").split("---\n")[1])["description"]


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "PATH": CLIENT_PATH, "HOME": str(home), "NO_COLOR": "1",
           "CLAWHUB_CONFIG_PATH": str(home / "clawhub.json"), "CLAWHUB_DISABLE_TELEMETRY": "1"}
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "XDG_CONFIG_HOME", "OPENCLAW_STATE_DIR",
                 "OPENCLAW_CONFIG_PATH", "CLAWHUB_WORKDIR", "CLAWHUB_REGISTRY", "CLAWHUB_SITE"):
        env.pop(name, None)
    return env


def _client(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    ran = subprocess.run(list(args), env=_env(home), cwd=cwd, capture_output=True, text=True, timeout=180,
                         check=False)
    assert ran.returncode == 0, f"{args[0]} {args[1:]} failed:\n{ran.stdout}\n{ran.stderr}"
    return ran


def _configure_workspace(home: Path) -> Path:
    """Both clients take the workspace from OpenClaw's config (clawhub: resolveClawdbotDefaultWorkspace)."""
    workspace = home / "agent-workspace"
    (home / ".openclaw").mkdir(exist_ok=True)
    (home / ".openclaw" / "openclaw.json").write_text(
        json.dumps({"agents": {"defaults": {"workspace": str(workspace)}}}), encoding="utf-8")
    return workspace


def _assert_no_warning_about_us(stderr: str, folder: Path) -> None:
    # OpenClaw logs skipped or unparsable skills on stderr ("[skills] Skipping escaped skill path ...").
    ours = [line for line in stderr.splitlines() if SKILL_NAME in line or str(folder) in line]
    assert not ours, "\n".join(ours)


@pytest.mark.parametrize(("target", "link", "source"), [
    ("openclaw", False, "openclaw-managed"),
    ("openclaw", True, "openclaw-managed"),
    ("clawhub", False, "openclaw-workspace"),
], ids=["openclaw", "openclaw-link", "clawhub"])
def test_openclaw_and_clawhub_see_a_clean_install(cli, tmp_path: Path, target: str, link: bool, source: str) -> None:
    home = Path(os.environ["HOME"])
    workspace = _configure_workspace(home)
    args = ["install", "--target", target, *(["--dir", str(workspace)] if target == "clawhub" else []),
            *(["--link"] if link else []), "--json"]
    installed = cli(*args)
    assert installed.code == 0, installed.err
    folder = Path(installed.json()["path"])
    assert installed.json()["platform"] == detect_platform(folder) == "clawhub"  # X-Skill-Platform
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    listed = _client(OPENCLAW, "skills", "list", "--json", home=home, cwd=elsewhere)
    catalog = json.loads(listed.stdout)
    assert catalog["workspaceDir"] == str(workspace)
    ours = [skill for skill in catalog["skills"] if skill["name"] == SKILL_NAME]
    assert len(ours) == 1 and ours[0]["source"] == source and ours[0]["eligible"] is True
    _assert_no_warning_about_us(listed.stderr, folder)

    shown = _client(OPENCLAW, "skills", "info", SKILL_NAME, "--json", home=home, cwd=elsewhere)
    info = json.loads(shown.stdout)
    assert info["filePath"] == str(folder / "SKILL.md") and info["baseDir"] == str(folder)
    assert info["eligible"] is True and info["modelVisible"] is True and info["disabled"] is False
    assert info["description"] == DESCRIPTION and info["emoji"] == "🎙️" and info["primaryEnv"] == "NEMO_TOKEN"
    assert info["requirements"]["bins"] == ["python3"] and info["requirements"]["env"] == []
    assert all(not missing for missing in info["missing"].values()), info["missing"]
    # A local install claims no registry origin, so OpenClaw reports no ClawHub link at all.
    assert "clawhub" not in info, info.get("clawhub")
    _assert_no_warning_about_us(shown.stderr, folder)

    tracked = _client(CLAWHUB, "--no-input", "list", home=home, cwd=elsewhere).stdout
    assert f"{SKILL_NAME}  " not in tracked  # never listed as tracked from the registry
    if target == "clawhub":  # in clawhub's workdir, listed honestly as not from the registry
        assert tracked.splitlines() == ["Manually installed (not tracked by clawhub):", f"  {SKILL_NAME}"]
    assert not (workspace / ".clawhub").exists() and not (folder / ".clawhub").exists()


def _publish(home: Path, registry: Registry, *extra: str) -> dict[str, Any]:
    env = {**_env(home), "LIP_SYNC_VIDEO_AGENT_CLIENTS": str(CLIENTS_DIR),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    ran = subprocess.run([sys.executable, str(REPO / "scripts" / "publish_clawhub.py"), "--registry", registry.url,
                          "--clawhub", str(CLAWHUB), "--json", *extra], env=env, cwd=home, capture_output=True,
                         text=True, timeout=180, check=False)
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def test_publish_recipe_uploads_the_install_folder_with_our_slug_and_version(cli, tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    registry = Registry().start()
    # What `clawhub login --token` stores (its GlobalConfigSchema wants the registry next to the token).
    (home / "clawhub.json").write_text(json.dumps({"registry": registry.url, "token": TOKEN}), encoding="utf-8")
    try:
        dry = _publish(home, registry, "--dry-run")
        assert dry["status"] == "would-publish" and dry["slug"] == SKILL_NAME and dry["version"] == "0.1.0"
        assert not registry.published and not registry.uploads  # a dry run uploads nothing

        kept = tmp_path / "kept"
        done = _publish(home, registry, "--keep", str(kept), "--changelog", "first")
        assert done["status"] == "published" and done["fingerprint"] == dry["fingerprint"]
    finally:
        registry.stop()
    assert registry.unauthorised == 0 and ("GET", "/api/v1/whoami") in registry.requests
    [release] = registry.published
    assert (release["slug"], release["version"], release["changelog"]) == (SKILL_NAME, "0.1.0", "first")
    uploaded = registry.files_of(release)

    # Exactly what `install` places, byte for byte, and nothing from tests/, fixtures/ or docs/.
    assert cli("install", "--target", "cursor").code == 0
    installed = home / ".cursor" / "skills" / SKILL_NAME
    placed = json.loads((installed / MANIFEST).read_text(encoding="utf-8"))["placed"]
    assert sorted(uploaded) == sorted(placed) == sorted(
        p.relative_to(kept / SKILL_NAME).as_posix() for p in (kept / SKILL_NAME).rglob("*") if p.is_file())
    assert all(uploaded[name] == (installed / name).read_bytes() for name in placed)
    assert not any(name.split("/")[0] in ("tests", "fixtures", "docs", "bench", ".ci") for name in uploaded)


def test_only_a_registry_install_carries_a_clawhub_origin_and_openclaw_calls_it_linked(cli, tmp_path: Path) -> None:
    """The other half of the decision: what `clawhub install` places has origin + lock, OpenClaw
    reports it linked, the platform is still clawhub, and `install` leaves that folder alone."""
    home = Path(os.environ["HOME"])
    workspace = _configure_workspace(home)
    registry = Registry().start()
    (home / "clawhub.json").write_text(json.dumps({"registry": registry.url, "token": TOKEN}), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    try:
        assert _publish(home, registry)["status"] == "published"
        _client(CLAWHUB, "--no-input", "--registry", registry.url, "install", SKILL_NAME, home=home, cwd=elsewhere)
    finally:
        registry.stop()
    folder = workspace / "skills" / SKILL_NAME
    origin = json.loads((folder / ".clawhub" / "origin.json").read_text(encoding="utf-8"))
    lock = json.loads((workspace / ".clawhub" / "lock.json").read_text(encoding="utf-8"))
    assert origin["slug"] == SKILL_NAME
    assert origin["installedVersion"] == lock["skills"][SKILL_NAME]["version"] == "0.1.0"
    assert not (folder / MANIFEST).exists()
    assert detect_platform(folder) == "clawhub"

    shown = _client(OPENCLAW, "skills", "info", SKILL_NAME, "--json", home=home, cwd=elsewhere)
    info = json.loads(shown.stdout)
    assert info["source"] == "openclaw-workspace" and info["eligible"] is True
    assert info["clawhub"]["status"] == "linked" and info["clawhub"]["valid"] is True, info["clawhub"]
    assert info["clawhub"]["installedVersion"] == "0.1.0"
    _assert_no_warning_about_us(shown.stderr, folder)
    assert _client(CLAWHUB, "--no-input", "list", home=home, cwd=elsewhere).stdout.splitlines() == [
        f"{SKILL_NAME}  0.1.0"]

    refused = cli("install", "--target", "clawhub", "--dir", str(workspace))
    assert refused.code == 1 and str(folder) in refused.err
    assert json.loads((folder / ".clawhub" / "origin.json").read_text(encoding="utf-8")) == origin
