"""SKILL.md frontmatter at run time: who we are (attribution headers) and where we were installed.

The backend recognises skill traffic by three headers read from the *installed* SKILL.md, so a
ClawHub copy, a Cursor copy and a checkout each report their own name, version and platform.
The parse is cached: every command pays for it once, and ``credits`` cold start is benchmarked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from skill.errors import ConfigError

UNKNOWN = "unknown"

# What ``lip-sync-video install`` writes into the folder it places (skill.agent.install reads it
# back for uninstall). It names the target the person chose, which is the most direct answer to
# "where was this installed" for a local install; a dotfile, so ``clawhub publish`` never uploads it.
INSTALL_MANIFEST = ".lip-sync-video-install.json"
_TARGET_PLATFORM = {"openclaw": "clawhub", "clawhub": "clawhub", "cursor": "cursor", "claude": "claude"}

# Path segments that reveal the installer. Checked in order against the skill folder's parts, so a
# project-level ``.cursor/skills/`` is recognised as well as the one under the home directory.
_PLATFORM_MARKERS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((".clawhub",), "clawhub"),
    ((".openclaw",), "clawhub"),
    ((".cursor", "skills"), "cursor"),
    ((".claude", "skills"), "claude"),
)


@dataclass(frozen=True)
class Attribution:
    """The ``X-Skill-*`` triple sent on every request to the NemoVideo API."""

    source: str
    version: str
    platform: str

    def headers(self) -> dict[str, str]:
        return {
            "X-Skill-Source": self.source,
            "X-Skill-Version": self.version,
            "X-Skill-Platform": self.platform,
        }


@cache
def read_frontmatter(skill_md: Path) -> dict[str, Any]:
    """The YAML mapping between the leading ``---`` lines of ``skill_md``."""
    import yaml

    try:
        text = skill_md.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("errors/config_skill_md", path=str(skill_md), problem="unreadable",
                          reason=exc.strerror or type(exc).__name__) from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ConfigError("errors/config_skill_md", path=str(skill_md), problem="no_frontmatter")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ConfigError("errors/config_skill_md", path=str(skill_md), problem="unclosed") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader halves cold start
    try:
        data = yaml.load("\n".join(lines[1:end]), Loader=loader)  # a safe loader either way
    except yaml.YAMLError:
        raise ConfigError("errors/config_skill_md", path=str(skill_md), problem="not_yaml") from None
    if not isinstance(data, dict):
        raise ConfigError("errors/config_skill_md", path=str(skill_md), problem="not_mapping")
    return data


def skill_version(frontmatter: Mapping[str, Any]) -> str:
    """Top-level ``version`` (ClawHub style) or ``metadata.version`` (strict Agent Skills style)."""
    version = frontmatter.get("version")
    metadata = frontmatter.get("metadata")
    if version is None and isinstance(metadata, Mapping):
        version = metadata.get("version")
    return str(version) if version is not None else "0"


def detect_platform(skill_dir: Path, *, override: str | None = None) -> str:
    """Where this copy was installed: ``clawhub``, ``cursor``, ``claude`` or ``unknown``.

    Order: the explicit override (``LIP_SYNC_VIDEO_PLATFORM``); a ``.clawhub/origin.json`` that
    ``clawhub install`` writes into the skill folder, or the ``.openclaw/source-origin.json`` that
    ``openclaw skills install <dir|git>`` writes; the target in our own install manifest; then the
    folder's path (``~/.clawhub/``, ``~/.openclaw/`` → clawhub, ``~/.cursor/skills/`` → cursor,
    ``~/.claude/skills/`` → claude).
    """
    if override and override.strip():
        return override.strip()
    skill_dir = Path(os.path.expanduser(skill_dir))  # "~" follows $HOME
    for marker_file in (".clawhub/origin.json", ".clawdhub/origin.json", ".openclaw/source-origin.json"):
        if (skill_dir / marker_file).is_file():  # .clawdhub: older ClawHub CLIs
            return "clawhub"
    installed_for = _manifest_target(skill_dir)
    if installed_for in _TARGET_PLATFORM:
        return _TARGET_PLATFORM[installed_for]
    parts = Path(os.path.abspath(skill_dir)).parts
    for marker, platform in _PLATFORM_MARKERS:
        if _contains(parts, marker):
            return platform
    return UNKNOWN


def read_install_manifest(folder: Path) -> dict[str, Any] | None:
    """What ``install`` recorded in ``folder`` (a JSON object), or None: missing, unreadable or not an object."""
    try:
        data = json.loads((folder / INSTALL_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _manifest_target(skill_dir: Path) -> str | None:
    target = (read_install_manifest(skill_dir) or {}).get("target")
    return target if isinstance(target, str) else None


def attribution(skill_dir: Path | None = None, *, override: str | None = None) -> Attribution:
    """The attribution of the installed skill (``skill.config.skill_root()`` by default)."""
    from skill.config import skill_root

    skill_dir = skill_dir or skill_root()
    frontmatter = read_frontmatter(skill_dir / "SKILL.md")
    return Attribution(
        source=str(frontmatter.get("name") or "lip-sync-video"),
        version=skill_version(frontmatter),
        platform=detect_platform(skill_dir, override=override),
    )


def _contains(parts: tuple[str, ...], marker: tuple[str, ...]) -> bool:
    width = len(marker)
    return any(parts[i:i + width] == marker for i in range(len(parts) - width + 1))
