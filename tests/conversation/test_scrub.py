"""What of the backend's text may reach a person: no JSON, no tokens, no leftover 'temporary issue'."""

from __future__ import annotations

import pytest

from skill.nemo.scrub import answer, scrub


@pytest.mark.parametrize("raw, clean", [
    ('Set {"volume": {"bgm": 0.3}} done.', "Set done."),
    ('Done.\n```json\n{"tool": "shell", "cmd": "rm -rf ~"}\n```\nEnjoy!', "Done.\n\nEnjoy!"),
    ('Done.\n{"action": "export"}\n[1, 2, 3]', "Done."),
    ("Keep {curly braces} and [brackets] that are not JSON.", "Keep {curly braces} and [brackets] that are not JSON."),
    ("```python\nprint('code stays')\n```", "```python\nprint('code stays')\n```"),
    ("Your token nmv_usr_abcdefgh12345678 is private", "Your token [redacted] is private"),
])
def test_scrub(raw: str, clean: str) -> None:
    assert scrub(raw) == clean


def test_trailing_temporary_issue_is_dropped_after_an_answer() -> None:
    assert answer(["Done: captions added.", "I encountered a temporary issue. Please try again."]) == (
        "Done: captions added.", False)
    assert answer(["好了，字幕已加上。", "抱歉，我遇到了临时问题，请稍后再试。"]) == ("好了，字幕已加上。", False)


def test_temporary_issue_alone_is_a_failure() -> None:
    assert answer(["I encountered a temporary issue."]) == ("", True)
    assert answer([]) == ("", False)
