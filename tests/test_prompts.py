"""Every message exists in English and Chinese, and every key the code names has a template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "prompts"


def _keys(lang: str) -> set[str]:
    base = PROMPTS / lang
    return {p.relative_to(base).with_suffix("").as_posix() for p in base.rglob("*.j2")}


def test_every_template_exists_in_both_languages() -> None:
    en, zh = _keys("en"), _keys("zh")
    assert sorted(en - zh) == [], "missing Chinese templates"
    assert sorted(zh - en) == [], "missing English templates"


def _keys_named_in_code() -> set[tuple[str, str]]:
    areas = {p.name for p in (PROMPTS / "en").iterdir() if p.is_dir()}
    literal = re.compile(r"""["']([a-z_]+)/([a-z0-9_]+)["']""")
    found = set()
    for source in (ROOT / "skill").rglob("*.py"):
        for match in literal.finditer(source.read_text(encoding="utf-8")):
            if match.group(1) in areas:
                found.add((f"{match.group(1)}/{match.group(2)}", source.relative_to(ROOT).as_posix()))
    return found


def test_every_key_named_in_code_has_a_template() -> None:
    known = _keys("en")
    missing = sorted(f"{key} (in {where})" for key, where in _keys_named_in_code() if key not in known)
    assert missing == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_templates_parse(lang: str) -> None:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)))
    for key in _keys(lang):
        env.get_template(f"{lang}/{key}.j2")  # raises on a syntax error
