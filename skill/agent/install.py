"""Place a working ``lip-sync-video`` skill folder where an agent client discovers it, and take it away.

=========  ==========================================================================
target     skills directory (``--dir`` replaces it; for clawhub it names the workspace)
=========  ==========================================================================
openclaw   ``~/.openclaw/skills``
clawhub    ``<workspace>/skills`` (workspace: current directory) + ``.clawhub/origin.json``
cursor     ``~/.cursor/skills``
claude     ``~/.claude/skills``
=========  ==========================================================================

The folder is always a real directory that we own, holding a manifest of what we placed. With
``--link`` its entries are symlinks into this checkout (edits show up at once), otherwise copies.
Either way ``scripts/run.py`` runs the skill from that location, so platform detection
(:func:`skill.frontmatter.detect_platform`) sees where the client found it. ``uninstall`` removes
exactly what the manifest lists (plus the caches and the bootstrap ``.venv`` made from them) and
keeps anything the person added.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from skill.config import PACKAGE_DIR, skill_root
from skill.errors import LipSyncError, UsageError
from skill.replies import Reply

Target = Literal["openclaw", "clawhub", "cursor", "claude"]
TARGETS: tuple[Target, ...] = ("openclaw", "clawhub", "cursor", "claude")
SKILL_NAME = "lip-sync-video"
MANIFEST = ".lip-sync-video-install.json"
ORIGIN = Path(".clawhub") / "origin.json"
CLAWHUB_REGISTRY = "https://clawhub.ai"
VENV_STAMP = "lip-sync-video.stamp"  # scripts/run.py writes it into the .venv it creates

# Top-level entries of the skill folder besides the package. Test fixtures and the docs stay out:
# the skill never reads them at run time and ClawHub publishes text files only.
_ROOT_FILES = ("SKILL.md", "README.md", "pyproject.toml", "LICENSE", "LICENSE.txt", "LICENSE.md")
_ROOT_DIRS = ("prompts", "scripts")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "_bundled", ".venv")


@dataclass(frozen=True)
class Placement:
    target: Target
    skills_dir: Path

    @property
    def folder(self) -> Path:
        return self.skills_dir / SKILL_NAME


def placement(target: str, directory: Path | None = None) -> Placement:
    """Where ``target`` discovers skills; ``directory`` overrides it (the workspace for clawhub)."""
    if target not in TARGETS:
        raise UsageError("errors/agent_bad_target", target=target, targets=list(TARGETS))
    base = directory.expanduser().absolute() if directory else None
    home = Path.home()
    if target == "clawhub":  # `clawhub install` extracts into <workdir>/skills/<slug>
        return Placement(target, (base or Path.cwd()) / "skills")
    default = {"openclaw": home / ".openclaw" / "skills", "cursor": home / ".cursor" / "skills",
               "claude": home / ".claude" / "skills"}[target]
    return Placement(target, base or default)


def _sources() -> dict[str, Path]:
    """Entry name → where it comes from: a checkout, or the files a wheel bundles."""
    root = skill_root()
    entries = {name: root / name for name in (*_ROOT_FILES, *_ROOT_DIRS) if (root / name).exists()}
    entries["skill"] = PACKAGE_DIR
    for required in ("SKILL.md", "prompts", "scripts"):
        if required not in entries:
            raise LipSyncError("errors/agent_source_incomplete", path=str(root), missing=required)
    return entries


def _read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("placed"), list) else None


def _place(source: Path, dest: Path, link: bool) -> list[str]:
    """Put one entry in place; returns the paths placed, relative to the skill folder's parent."""
    if link:
        dest.symlink_to(source, target_is_directory=source.is_dir())
        return [dest.name]
    if source.is_dir():
        shutil.copytree(source, dest, ignore=_SKIP, symlinks=False)
        return sorted(p.relative_to(dest.parent).as_posix() for p in dest.rglob("*") if not p.is_dir())
    shutil.copy2(source, dest)
    return [dest.name]


def _origin(version: str) -> dict:
    # The shape `clawhub` itself writes (openclaw/clawhub packages/clawdhub/src/skills.ts, SkillOrigin).
    return {"version": 1, "registry": CLAWHUB_REGISTRY, "slug": SKILL_NAME, "installedVersion": version,
            "installedAt": int(time.time() * 1000)}


def install(target: str, directory: Path | None = None, link: bool = False) -> Reply:
    """Install (or refresh) the skill folder for ``target``. Running it twice changes nothing else."""
    from skill import __version__
    from skill.frontmatter import detect_platform

    where = placement(target, directory)
    folder = where.folder
    previous = _read_manifest(folder)
    if (folder.exists() or folder.is_symlink()) and previous is None:
        raise LipSyncError("errors/agent_install_exists", path=str(folder))
    sources = _sources()
    created = not folder.exists()
    # The skills directory and its parents that we create are ours to remove again on uninstall.
    new_dirs = [str(d) for d in (folder.parent, *folder.parent.parents) if not d.exists()]
    if previous is not None:
        new_dirs = list(previous.get("created_dirs", []))
    try:
        if previous is not None:
            _remove_placed(folder, previous)
        folder.mkdir(parents=True, exist_ok=True)
        placed: list[str] = []
        for name, source in sources.items():
            placed += _place(source, folder / name, link)
        if where.target == "clawhub":
            (folder / ORIGIN).parent.mkdir(exist_ok=True)
            (folder / ORIGIN).write_text(json.dumps(_origin(__version__), indent=2) + "\n", encoding="utf-8")
            placed.append(ORIGIN.as_posix())
        manifest = {"target": where.target, "mode": "link" if link else "copy", "version": __version__,
                    "placed": placed, "created_dirs": new_dirs}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        if created:  # nothing of the person's is in a folder we just made
            shutil.rmtree(folder, ignore_errors=True)
            _remove_empty(new_dirs)
        raise LipSyncError("errors/agent_install_failed", path=str(folder), reason=exc.strerror or str(exc)) from None
    return Reply("agent/installed", {
        "target": where.target, "path": str(folder), "mode": manifest["mode"], "files": len(placed),
        "platform": detect_platform(folder), "runner": str(folder / "scripts" / "run.py"),
        "refreshed": previous is not None,
    })


def uninstall(target: str, directory: Path | None = None) -> Reply:
    """Remove what :func:`install` placed for ``target``; files the person added stay."""
    where = placement(target, directory)
    folder = where.folder
    manifest = _read_manifest(folder)
    if manifest is None:
        if folder.exists() or folder.is_symlink():
            raise LipSyncError("errors/agent_not_ours", path=str(folder))
        return Reply("agent/not_installed", {"target": where.target, "path": str(folder)})
    try:
        removed = _remove_placed(folder, manifest)
        (folder / MANIFEST).unlink()
        kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())
        _prune_empty_dirs(folder)
        _remove_empty(manifest.get("created_dirs", []))
    except OSError as exc:
        raise LipSyncError("errors/agent_install_failed", path=str(folder), reason=exc.strerror or str(exc)) from None
    return Reply("agent/uninstalled", {"target": where.target, "path": str(folder), "removed": removed,
                                       "kept": kept})


def _remove_placed(folder: Path, manifest: dict) -> int:
    """Delete the manifest's entries, the byte-code caches and the runner's .venv made from them."""
    removed = 0
    inside = folder.resolve()
    for relative in manifest["placed"]:
        path = folder / str(relative)
        # Only entries inside the folder: the manifest sits in a folder anyone could have unpacked.
        if not path.parent.resolve().is_relative_to(inside):
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed += 1
    for cache in sorted(folder.rglob("__pycache__"), reverse=True):
        if cache.is_dir() and not cache.is_symlink():
            shutil.rmtree(cache)
    venv = folder / ".venv"
    if (venv / VENV_STAMP).is_file():
        shutil.rmtree(venv)
    _prune_empty_dirs(folder, keep_root=True)
    return removed


def _prune_empty_dirs(folder: Path, keep_root: bool = False) -> None:
    """Remove now-empty directories bottom-up, never following a symlink out of ``folder``."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for dirpath, _dirs, _files in sorted(os.walk(folder), key=lambda entry: len(entry[0]), reverse=True):
        path = Path(dirpath)
        if path == folder and keep_root:
            continue
        if not any(path.iterdir()):
            path.rmdir()


def _remove_empty(directories: list[str]) -> None:
    """Remove directories install created, deepest first, as long as nothing else moved in."""
    for directory in sorted(directories, key=len, reverse=True):
        path = Path(directory)
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
