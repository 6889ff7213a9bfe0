"""Every recorded SSE case, in both languages: no raw JSON, tool payload or token reaches the person,
and the message is sent exactly once however the stream ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.handlers.edit import run_turn
from tests.conversation.helpers import assert_clean, make_app
from tests.emulator import Emulator

SSE = Path(__file__).resolve().parents[2] / "fixtures" / "sse"
# Scripts that need a second queued turn or a long wait are covered in test_edit_turns / test_gui_turns.
SLOW_OR_PAIRED = {"silence", "stalled", "stalled_partial", "gui_drag_en", "gui_drag_zh"}
CASES = sorted(p.stem for p in SSE.glob("*.sse") if p.stem not in SLOW_OR_PAIRED)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("script", CASES)
def test_reply_is_clean_and_sent_once(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      script: str, lang: str) -> None:
    monkeypatch.chdir(tmp_path)  # GUI-speak export cases write their file here
    emulator.play(script)
    app = make_app(lang)
    try:
        reply = run_turn(app, "sync the dub" if lang == "en" else "把配音对齐")
    finally:
        app.close()
    assert assert_clean(reply, lang)
    assert len(emulator.calls("run_sse")) == 1
    for line in app.events.lines:  # type: ignore[attr-defined]
        assert "nmv_usr" not in line and "{" not in line
