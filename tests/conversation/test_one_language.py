"""One language per reply (issue 14): every reply, progress line and part speaks the message's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.console import RecordingEvents
from skill.nemo.upload import UploadMeter
from skill.replies import Reply, render

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "prompts"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# English prose shows itself by its small words; names, options, formats and commands are not prose.
_PROSE = re.compile(r"(?<![\w\-/.<])(?:the|and|is|are|was|were|files?|of|to|with|for|please|your|you|not|this|"
                    r"that|from|into|here|there|done|uploading|uploaded|saved|added|tracks?|timeline|seconds?|"
                    r"frames?)(?![\w\-/.>:])", re.I)
_COMMANDS = re.compile(r"`[^`]*`|lip-sync-video[^\n，。；）]*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _text(path: Path) -> str:
    return _JINJA.sub(" ", path.read_text(encoding="utf-8"))


def _templates(lang: str) -> list[Path]:
    return sorted((PROMPTS / lang).rglob("*.j2"))


@pytest.mark.parametrize("path", _templates("zh"), ids=lambda p: p.relative_to(PROMPTS / "zh").as_posix())
def test_chinese_templates_hold_no_english_prose(path: Path) -> None:
    found = _PROSE.findall(_COMMANDS.sub(" ", _text(path)))
    assert found == [], f"English words in a Chinese template: {found}"


@pytest.mark.parametrize("path", _templates("en"), ids=lambda p: p.relative_to(PROMPTS / "en").as_posix())
def test_english_templates_hold_no_chinese(path: Path) -> None:
    assert not _CJK.search(_text(path))


def _progress_keys() -> set[str]:
    call = re.compile(r"""\.(?:progress|notice)\(\s*["']([a-z_]+/[a-z0-9_]+)["']""")
    return {key for source in (ROOT / "skill").rglob("*.py") for key in call.findall(source.read_text("utf-8"))}


def test_every_progress_and_notice_key_has_both_languages() -> None:
    keys = _progress_keys()
    assert len(keys) >= 20
    missing = [k for k in keys for lang in ("en", "zh") if not (PROMPTS / lang / f"{k}.j2").is_file()]
    assert missing == []


@pytest.mark.parametrize(("lang", "line"), [("zh", "正在上传 2 个文件"), ("en", "Uploading 2 files")])
def test_an_upload_of_several_files_is_worded_in_the_persons_language(lang: str, line: str) -> None:
    events = RecordingEvents(lang)
    meter = UploadMeter(events, total=100, label="a.mp4", count=2)
    meter.advance(100)
    assert events.lines and all(entry.startswith(line) for entry in events.lines)


def test_one_file_is_named() -> None:
    assert render("media/uploading", "zh", fraction=1.0, name="a.mp4", sent="1 KB", total="1 KB").startswith(
        "正在上传 a.mp4")


def test_a_pinned_reply_keeps_its_language_whatever_the_caller_asks() -> None:
    reply = Reply("chat/attach_needed", lang="zh")
    assert reply.text("en") == render("chat/attach_needed", "zh")
    assert reply.as_json("en")["reply"] == render("chat/attach_needed", "zh")


def test_the_tool_runner_passes_its_language_to_the_outer_sink() -> None:
    from skill.agent.tools import _Tee

    outer = RecordingEvents("en")
    tee = _Tee(RecordingEvents("zh"), outer)
    tee.progress("media/uploading", fraction=1.0, name="a.mp4", count=2, sent="1 KB", total="1 KB")
    assert outer.lines == ["正在上传 2 个文件 [████████████████████] 100%（1 KB / 1 KB）"]
