"""GUI-speak from the backend, end to end against the emulator: the person never reads about buttons."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.handlers.edit import run_turn
from tests.conversation.helpers import assert_clean, make_app, unquoted
from tests.emulator import Emulator


def turn(emulator: Emulator, *scripts: str, text: str = "add Spanish captions", lang: str = "en",
         export_asked: bool = False):
    emulator.play(*scripts)
    app = make_app(lang)
    try:
        return run_turn(app, text, export_asked=export_asked)
    finally:
        app.close()


def messages(emulator: Emulator) -> list[str]:
    return [m for texts in emulator.state.messages.values() for m in texts]


@pytest.mark.parametrize("script, lang, said", [
    ("gui_export_en", "en", "Your lip-synced video is ready."),
    ("gui_export_zh", "zh", "口型同步已经完成。"),
])
def test_click_export_runs_the_export_the_person_asked_for(emulator: Emulator, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, script: str, lang: str,
                                                            said: str) -> None:
    monkeypatch.chdir(tmp_path)
    reply = turn(emulator, script, lang=lang, export_asked=True)
    text = assert_clean(reply, lang)
    assert unquoted(text).startswith(said)
    assert "button" not in text.lower() and "按钮" not in text
    assert reply.data["actions"] == ["export"]
    assert len([c for c in emulator.calls("render-submit")]) == 1
    (media,) = reply.media
    assert Path(media).is_file() and Path(media).parent == tmp_path


@pytest.mark.parametrize("script, lang, kept, summary", [
    ("gui_open_panel_en", "en", "I set the background music to 35%.", "Timeline (3 tracks):"),
    ("gui_open_panel_zh", "zh", "背景音乐音量已经设为35%。", "时间线（3 条轨道）："),
    ("gui_preview_en", "en", "I added the Spanish captions.", "Timeline (3 tracks):"),
    ("gui_preview_zh", "zh", "已经加好西班牙语字幕。", "时间线（3 条轨道）："),
])
def test_open_panel_and_preview_show_the_timeline(emulator: Emulator, script: str, lang: str, kept: str,
                                                  summary: str) -> None:
    reply = turn(emulator, script, lang=lang)
    text = assert_clean(reply, lang)
    first, _, rest = unquoted(text).partition("\n\n")
    assert first == kept
    assert rest.startswith(summary)
    assert not any(word in text for word in ("Open the", "Preview it", "打开", "预览"))
    assert emulator.calls("render-submit") == []


@pytest.mark.parametrize("script, lang, offer", [
    ("gui_drag_en", "en",
     'The editor suggests one more step: "Move the title to 5s on the timeline". Shall I do that?'),
    ("gui_drag_zh", "zh", "编辑器建议再做一步：“把标题移到第5秒”。要我照做吗？"),
])
def test_a_suggested_edit_is_offered_as_a_question_never_sent(emulator: Emulator, script: str, lang: str,
                                                              offer: str) -> None:
    """The person asked only for captions: "you can drag the title to 5 s" is a suggestion (issue 14)."""
    reply = turn(emulator, script, lang=lang)
    text = assert_clean(reply, lang)
    assert messages(emulator) == ["add Spanish captions"]
    assert offer in text
    assert "drag" not in text.lower() and "拖" not in text


@pytest.mark.parametrize("script, lang, offer", [("gui_export_en", "en", "Shall I export it?"),
                                                 ("gui_export_zh", "zh", "要我导出吗？")])
def test_click_export_is_only_offered_when_no_export_was_asked_for(emulator: Emulator, script: str, lang: str,
                                                                   offer: str) -> None:
    reply = turn(emulator, script, lang=lang)
    assert offer in assert_clean(reply, lang)
    assert emulator.calls("render-submit") == [] and reply.media == []
