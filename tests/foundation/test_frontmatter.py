"""SKILL.md: strict validation, the readings of OpenClaw and ClawHub, attribution and platform detection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from skill.config import skill_root
from skill.errors import ConfigError
from skill.frontmatter import attribution, detect_platform, read_frontmatter, skill_version

SKILL_MD = skill_root() / "SKILL.md"


def _frontmatter_text(path: Path = SKILL_MD) -> str:
    return path.read_text(encoding="utf-8").split("---\n")[1]


def test_skill_md_passes_the_strict_reference_validator(tmp_path: Path) -> None:
    from skills_ref import validate

    folder = tmp_path / "lip-sync-video"  # the validator insists the folder is named like the skill
    folder.mkdir()
    shutil.copy(SKILL_MD, folder / "SKILL.md")
    assert validate(folder) == []


def test_strict_validator_rejects_the_flow_style_metadata_we_chose_not_to_use(tmp_path: Path) -> None:
    """Why SKILL.md uses block-style metadata: a one-line JSON ``metadata:`` fails strictyaml."""
    from skills_ref import validate

    folder = tmp_path / "lip-sync-video"
    folder.mkdir()
    (folder / "SKILL.md").write_text('---\nname: lip-sync-video\ndescription: "x"\n'
                                     'metadata: {"openclaw": {"requires": {"env": []}}}\n---\nbody\n')
    assert any("flow mapping" in problem for problem in validate(folder))


def test_openclaw_reading_finds_its_manifest_as_an_object() -> None:
    """OpenClaw parses YAML, JSON-stringifies ``metadata`` and JSON5-parses it back; it then needs
    ``metadata.openclaw`` to be an *object* (a JSON string there would be ignored)."""
    data = yaml.safe_load(_frontmatter_text())
    metadata = json.loads(json.dumps(data["metadata"]))
    manifest = metadata["openclaw"]
    assert isinstance(manifest, dict)
    assert manifest["primaryEnv"] == "NEMO_TOKEN"
    assert manifest["requires"]["bins"] == ["python3"]
    # No env var gates loading: the skill must load before any token exists.
    assert manifest["requires"].get("env", []) == []
    assert manifest["emoji"]


def test_description_and_fields_suit_every_reader() -> None:
    data = yaml.safe_load(_frontmatter_text())
    assert data["name"] == "lip-sync-video"
    assert data["license"] == "MIT-0"
    description = data["description"]
    assert "\n" not in description and "<" not in description and ">" not in description
    assert 0 < len(description) <= 1024
    for trigger in ("对口型", "唇形同步", "配音", "导出", "积分"):
        assert trigger in description
    assert "mega-api-prod.nemovideo.ai" in data["compatibility"] and len(data["compatibility"]) <= 500
    description_line = next(line for line in _frontmatter_text().splitlines() if line.startswith("description:"))
    assert description_line.startswith('description: "')  # single line, even for line-only parsers


def test_description_survives_compact_prompts() -> None:
    """OpenClaw's compact skills catalog (skill-contract: truncateSkillDescription, called with 64..220
    characters) and small-context models cut the description: what and when come first."""
    description = yaml.safe_load(_frontmatter_text())["description"]
    assert len(description) <= 160  # OpenClaw's authoring guidance: one line under about 160
    window = description[:150]
    for what in ("Lip-sync", "dub", "voiceover", "offline", "photo", "export"):
        assert what in window, what
    assert "Use for" in window or "Use when" in window
    for trigger in ("对口型", "唇形同步", "配音", "音画同步", "导出", "积分"):
        assert trigger in window, trigger
    assert description[:61].startswith("Lip-sync video")  # the 64-character cut (61 + "...") still says what


def test_skill_md_body_stays_short() -> None:
    assert len(SKILL_MD.read_text(encoding="utf-8").splitlines()) < 500


def test_version_is_read_from_top_level_or_metadata() -> None:
    assert skill_version({"version": "2.1.0", "metadata": {"version": "9"}}) == "2.1.0"
    assert skill_version({"metadata": {"version": "0.3.0"}}) == "0.3.0"
    assert skill_version({}) == "0"


def test_attribution_comes_from_the_installed_skill_md(tmp_path: Path) -> None:
    folder = tmp_path / "installed"
    folder.mkdir()
    (folder / "SKILL.md").write_text('---\nname: lip-sync-video\nversion: "7.7.7"\n---\n')
    assert attribution(folder).headers() == {
        "X-Skill-Source": "lip-sync-video", "X-Skill-Version": "7.7.7", "X-Skill-Platform": "unknown"}
    shipped = attribution()
    assert shipped.source == "lip-sync-video"
    assert shipped.version == str(yaml.safe_load(_frontmatter_text())["metadata"]["version"])


@pytest.mark.parametrize("text", ["no frontmatter\n", "---\nname: x\n", "---\n: : :\n  - [\n---\n", "---\n- a\n---\n"])
def test_broken_frontmatter_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "SKILL.md"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_frontmatter(path)
    # said in the person's language, naming the file: not an English sentence inside a Chinese reply
    chinese = caught.value.render("zh")
    assert str(path) in chinese and "SKILL.md" in caught.value.render("en")
    assert not any(word in chinese for word in ("frontmatter is", "has no", "cannot read", "not a mapping"))


@pytest.mark.parametrize(("relative", "platform"), [
    (".clawhub/skills/lip-sync-video", "clawhub"),
    (".openclaw/skills/lip-sync-video", "clawhub"),
    (".openclaw/workspace/skills/lip-sync-video", "clawhub"),
    (".cursor/skills/lip-sync-video", "cursor"),
    (".claude/skills/lip-sync-video", "claude"),
    ("projects/app/.cursor/skills/lip-sync-video", "cursor"),
    ("projects/app/.claude/skills/lip-sync-video", "claude"),
    ("projects/lip-sync-video", "unknown"),
    (".cursor/lip-sync-video", "unknown"),  # not a skills folder
])
def test_platform_from_install_path(relative: str, platform: str) -> None:
    home = Path.home()  # the isolated HOME of this test
    folder = home / relative
    folder.mkdir(parents=True)
    assert detect_platform(folder) == platform
    assert detect_platform(Path("~") / relative) == platform  # "~" follows $HOME


def test_clawhub_origin_file_wins_over_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "workspace" / "skills" / "lip-sync-video"
    (folder / ".clawhub").mkdir(parents=True)
    assert detect_platform(folder) == "unknown"
    (folder / ".clawhub" / "origin.json").write_text('{"registry": "https://clawhub.ai"}')
    assert detect_platform(folder) == "clawhub"


def test_explicit_platform_overrides_everything(tmp_path: Path) -> None:
    folder = Path.home() / ".cursor" / "skills" / "lip-sync-video"
    folder.mkdir(parents=True)
    assert detect_platform(folder, override="claude") == "claude"
    assert detect_platform(folder, override="  ") == "cursor"


def test_openclaw_path_install_counts_as_clawhub(tmp_path: Path) -> None:
    # `openclaw skills install <dir>` writes .openclaw/source-origin.json and no ClawHub origin.
    folder = tmp_path / "workspace" / "skills" / "lip-sync-video"
    (folder / ".openclaw").mkdir(parents=True)
    assert detect_platform(folder) == "unknown"
    (folder / ".openclaw" / "source-origin.json").write_text('{"version": 1, "source": "path"}')
    assert detect_platform(folder) == "clawhub"


@pytest.mark.parametrize(("target", "platform"), [
    ("clawhub", "clawhub"), ("openclaw", "clawhub"), ("cursor", "cursor"), ("claude", "claude")])
def test_our_install_manifest_names_the_platform(tmp_path: Path, target: str, platform: str) -> None:
    from skill.frontmatter import INSTALL_MANIFEST

    folder = tmp_path / "anywhere" / "lip-sync-video"  # a path that says nothing by itself
    folder.mkdir(parents=True)
    (folder / INSTALL_MANIFEST).write_text(json.dumps({"target": target, "placed": []}))
    assert detect_platform(folder) == platform
    for junk in ("not json", '["a"]', '{"target": 3}', '{"target": "vscode"}'):
        (folder / INSTALL_MANIFEST).write_text(junk)
        assert detect_platform(folder) == "unknown"
