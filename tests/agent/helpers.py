"""What the agent tests share: a fresh App, and the check that no issued token leaked into an output."""

from __future__ import annotations

import json
from typing import Any

from skill.app import App
from skill.config import Settings
from tests.emulator import Emulator


def fresh_app(lang: str = "en") -> App:
    return App(Settings.from_env(), lang=lang)


def issued_tokens(emulator: Emulator) -> list[str]:
    """Every API token the emulator handed out in this test (claim links are meant to be shown)."""
    return list(emulator.state.tokens)


def assert_no_token(emulator: Emulator, output: Any) -> None:
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
    tokens = issued_tokens(emulator)
    assert tokens, "the test should have made the client fetch a token"
    for token in tokens:
        assert token not in text
    assert "nmv_usr_" not in text
