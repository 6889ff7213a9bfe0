"""Place a working ``lip-sync-video`` skill folder where an agent client discovers it, and take it away.

=========  ==========================================================================
target     skills directory (``--dir`` replaces it; for clawhub it names the workspace)
=========  ==========================================================================
openclaw   ``~/.openclaw/skills``
clawhub    ``<workspace>/skills``, the workspace ``clawhub install`` uses
cursor     ``~/.cursor/skills``
claude     ``~/.claude/skills``
=========  ==========================================================================

The folder is always a real directory that we own, holding a manifest of what we placed (and for
which target: :func:`skill.frontmatter.detect_platform` reads it). With ``--link`` its entries are
symlinks into this checkout (edits show up at once), otherwise copies. Either way
``scripts/run.py`` runs the skill from that location. ``uninstall`` removes exactly what the
manifest lists (plus the caches and the bootstrap ``.venv`` made from them) and keeps anything the
person added.

A local install claims no registry origin: no ``.clawhub/origin.json`` (OpenClaw reports such a
file without a matching ``<workspace>/.clawhub/lock.json`` entry as an invalid ClawHub link, and a
lock entry would let ``clawhub update`` replace the folder with whatever the registry holds). Only
``clawhub install`` writes those files. :func:`build_bundle` produces the same folder without the
manifest, which is what ``scripts/publish_clawhub.py`` publishes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from skill import env
from skill.config import PACKAGE_DIR, skill_root
from skill.errors import LipSyncError, UsageError
from skill.frontmatter import INSTALL_MANIFEST, read_install_manifest
from skill.replies import Reply

Target = Literal["openclaw", "clawhub", "cursor", "claude"]
TARGETS: tuple[Target, ...] = ("openclaw", "clawhub", "cursor", "claude")
SKILL_NAME = "lip-sync-video"
MANIFEST = INSTALL_MANIFEST
VENV_STAMP = "lip-sync-video.stamp"  # scripts/run.py writes it into the .venv it creates

# Entries of the skill folder besides the package, relative to the checkout. Test fixtures, the docs
# and the maintainers' scripts stay out: the skill never reads them at run time, and whatever is
# placed here is also what gets published to ClawHub.
_ROOT_FILES = ("SKILL.md", "README.md", "pyproject.toml", "LICENSE", "LICENSE.txt", "LICENSE.md", "scripts/run.py")
_ROOT_DIRS = ("prompts",)
# OpenClaw skips a SKILL.md whose real path leaves the skills root ("symlink-escape"), so a --link
# install for it copies SKILL.md (rerun install after editing it) and links everything else.
_COPY_WHEN_LINKED = {"openclaw": ("SKILL.md",), "clawhub": ("SKILL.md",)}
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
        return Placement(target, (base or clawhub_workdir()) / "skills")
    default = {"openclaw": home / ".openclaw" / "skills", "cursor": home / ".cursor" / "skills",
               "claude": home / ".claude" / "skills"}[target]
    return Placement(target, base or default)


def clawhub_workdir() -> Path:
    """The workspace ``clawhub install`` would use (clawhub 0.23.3 ``dist/cli.js`` resolveWorkdir):
    ``$CLAWHUB_WORKDIR``; else the current directory if it has a ``.clawhub/`` folder; else the
    workspace OpenClaw's config names; else the current directory."""
    named = env.read(env.CLAWHUB_WORKDIR) or env.read(env.CLAWDHUB_WORKDIR)
    if named:
        return Path(named).expanduser().absolute()
    cwd = Path.cwd()
    if (cwd / ".clawhub").exists() or (cwd / ".clawdhub").exists():
        return cwd
    return _openclaw_workspace() or cwd


def _openclaw_workspace() -> Path | None:
    """``agents.defaults.workspace`` (or the default agent's) from OpenClaw's config, as clawhub reads
    it (``dist/cli/clawdbotConfig.js``). Plain JSON only: a config using JSON5-only syntax is skipped."""
    state = env.read(env.OPENCLAW_STATE_DIR) or "~/.openclaw"
    config = Path(env.read(env.OPENCLAW_CONFIG_PATH) or Path(state) / "openclaw.json").expanduser()
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    agents = data.get("agents") if isinstance(data, dict) else None
    if not isinstance(agents, dict):
        return None
    defaults = agents.get("defaults")
    candidates = [defaults.get("workspace") if isinstance(defaults, dict) else None]
    listed = [entry for entry in agents.get("list") or [] if isinstance(entry, dict)]
    chosen = next((e for e in listed if e.get("default")), None) or next(
        (e for e in listed if e.get("id") == "main"), None)
    candidates.append(chosen.get("workspace") if chosen else None)
    workspace = next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), None)
    return Path(workspace).expanduser().absolute() if workspace else None


def _sources() -> dict[str, Path]:
    """Entry name → where it comes from: a checkout, or the files a wheel bundles."""
    root = skill_root()
    entries = {name: root / name for name in (*_ROOT_FILES, *_ROOT_DIRS) if (root / name).exists()}
    entries["skill"] = PACKAGE_DIR
    for required in ("SKILL.md", "prompts", "scripts/run.py"):
        if required not in entries:
            raise LipSyncError("errors/agent_source_incomplete", path=str(root), missing=required)
    return entries


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """Our manifest in ``folder`` if it lists what was placed (else the folder is not ours to touch)."""
    data = read_install_manifest(folder)
    return data if data is not None and isinstance(data.get("placed"), list) else None


def _place(source: Path, root: Path, name: str, link: bool) -> list[str]:
    """Put one entry at ``root / name``; returns the paths placed, relative to ``root``."""
    dest = root / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    if link:
        dest.symlink_to(source, target_is_directory=source.is_dir())
        return [name]
    if source.is_dir():
        shutil.copytree(source, dest, ignore=_SKIP, symlinks=False)
        return sorted(p.relative_to(root).as_posix() for p in dest.rglob("*") if not p.is_dir())
    shutil.copy2(source, dest)
    return [name]


def _place_all(folder: Path, target: str | None, link: bool) -> list[str]:
    placed: list[str] = []
    copied = _COPY_WHEN_LINKED.get(target or "", ())
    for name, source in _sources().items():
        placed += _place(source, folder, name, link and name not in copied)
    return placed


def build_bundle(parent: Path) -> tuple[Path, list[str]]:
    """Write the publishable skill folder, ``parent / lip-sync-video``: what :func:`install` places
    (copies, never links), without the install manifest. Returns it and its files."""
    folder = parent.expanduser().absolute() / SKILL_NAME
    if folder.exists() or folder.is_symlink():
        raise LipSyncError("errors/agent_install_exists", path=str(folder))
    try:
        folder.mkdir(parents=True)
        return folder, sorted(_place_all(folder, None, link=False))
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise LipSyncError("errors/agent_install_failed", path=str(folder), reason=exc.strerror or str(exc)) from None


def install(target: str, directory: Path | None = None, link: bool = False) -> Reply:
    """Install (or refresh) the skill folder for ``target``. Running it twice changes nothing else."""
    from skill import __version__
    from skill.frontmatter import detect_platform

    where = placement(target, directory)
    folder = where.folder
    previous = _read_manifest(folder)
    if (folder.exists() or folder.is_symlink()) and previous is None:
        raise LipSyncError("errors/agent_install_exists", path=str(folder))
    _sources()  # refuse an incomplete source before touching anything
    created = not folder.exists()
    # The skills directory and its parents that we create are ours to remove again on uninstall.
    new_dirs = [str(d) for d in (folder.parent, *folder.parent.parents) if not d.exists()]
    if previous is not None:
        new_dirs = list(previous.get("created_dirs", []))
    try:
        if previous is not None:
            # Also drops the .clawhub/origin.json that installs before 0.1.0's issue 17 wrote.
            _remove_placed(folder, previous)
        folder.mkdir(parents=True, exist_ok=True)
        placed = _place_all(folder, where.target, link)
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
