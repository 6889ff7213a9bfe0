#!/usr/bin/env python3
"""Run lip-sync-video from this skill folder, installing what it needs on first use.

    python3 {baseDir}/scripts/run.py credits
    python3 {baseDir}/scripts/run.py chat "sync my Spanish voiceover to this clip" --attach clip.mp4
    python3 {baseDir}/scripts/run.py mcp            # MCP server on stdio

Only the standard library is used here, because this runs before anything is installed:

1. If this Python already has lip-sync-video (same version) installed, the CLI runs in this
   very process from this folder's code: no second interpreter, no virtualenv.
2. Otherwise the folder's own ``.venv`` is used, created on first use with ``uv`` when it is on
   PATH (fast) or ``venv`` + ``pip``, and refreshed when ``pyproject.toml`` changes.

Either way the code, the prompts and SKILL.md are this folder's, and the platform header is
worked out from this folder's location (even when its entries are symlinks into a checkout).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

FOLDER = Path(os.path.abspath(__file__)).parent.parent  # abspath, not resolve: keep the install location
VENV = FOLDER / ".venv"
STAMP = VENV / "lip-sync-video.stamp"  # skill.agent.install removes a .venv only when this stamp is in it
DISTRIBUTION = "lip-sync-video"


def folder_version() -> str:
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', (FOLDER / "skill" / "__init__.py").read_text("utf-8"), re.M)
    return match.group(1) if match else ""


def installed_here() -> bool:
    """Whether this interpreter already has our dependencies: the same version of the package."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION) == folder_version()
    except metadata.PackageNotFoundError:
        return False


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def wanted_stamp(args: list[str]) -> dict[str, object]:
    digest = hashlib.sha256((FOLDER / "pyproject.toml").read_bytes()).hexdigest()
    # The MCP SDK is an optional extra: only the `mcp` command pays for it.
    return {"pyproject": digest, "extras": ["mcp"] if args[:1] == ["mcp"] else []}


def stamp_covers(wanted: dict[str, object]) -> bool:
    try:
        have = json.loads(STAMP.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return have.get("pyproject") == wanted["pyproject"] and set(wanted["extras"]) <= set(have.get("extras", []))


def prepare_venv(wanted: dict[str, object]) -> None:
    """Create ``.venv`` if needed and install this folder into it (with the wanted extras)."""
    # These lines go to stderr in English: the templates need jinja2, which is what we are installing.
    print(f"lip-sync-video: installing dependencies into {VENV} (first run only, about a minute)...",
          file=sys.stderr, flush=True)
    extras = wanted["extras"]
    requirement = f"{FOLDER}[{','.join(extras)}]" if extras else str(FOLDER)  # type: ignore[arg-type]
    uv = shutil.which("uv")
    if uv:
        if not venv_python().exists():
            subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(VENV)], check=True)
        subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv_python()), requirement], check=True)
    else:
        if not venv_python().exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        requirement], check=True)
    STAMP.write_text(json.dumps(wanted), encoding="utf-8")


def export_platform() -> None:
    """Tell the CLI where this copy was installed, unless the person already said so."""
    sys.path.insert(0, str(FOLDER))
    from skill.frontmatter import detect_platform  # standard library only at import time

    os.environ.setdefault("LIP_SYNC_VIDEO_PLATFORM", detect_platform(FOLDER))


def main(args: list[str]) -> int:
    export_platform()
    if installed_here():
        from skill.cli import main as cli

        return cli(args)
    wanted = wanted_stamp(args)
    if not stamp_covers(wanted):
        try:
            prepare_venv(wanted)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"lip-sync-video: could not install dependencies ({exc}). Check the network and Python "
                  f"{sys.version_info.major}.{sys.version_info.minor} >= 3.10, then run the same command again.",
                  file=sys.stderr)
            return 1
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(FOLDER), os.environ.get("PYTHONPATH")])))
    command = [str(venv_python()), "-m", "skill", *args]
    if os.name == "nt":  # no exec on Windows: wait and pass the exit code on
        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)
    return 1  # not reached: execve replaces this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
