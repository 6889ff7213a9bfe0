"""The loopback fal.ai emulator as fixtures, shared by tests/providers and tests/agent (root conftest plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.loopback import Loopback
from tests.providers import fal_emulator


@pytest.fixture(scope="session")
def fal_server() -> Iterator[tuple[Loopback, fal_emulator.FalState]]:
    state = fal_emulator.FalState()
    server = Loopback(fal_emulator.build_app(state), "fal-emulator").start()
    state.url = server.url
    yield server, state
    server.stop()


@pytest.fixture
def fal(fal_server: tuple[Loopback, fal_emulator.FalState],
        monkeypatch: pytest.MonkeyPatch) -> fal_emulator.FalState:
    server, state = fal_server
    state.reset()
    # fal's toolkit waits 1 s before its first upload retry; the emulator answers at once.
    monkeypatch.setattr("skill.providers.fal_upload.V3_RETRY_DELAY_SECONDS", 0.01)
    monkeypatch.setenv("FAL_KEY", fal_emulator.KEY)
    monkeypatch.setenv("FAL_QUEUE_BASE", server.url)
    monkeypatch.setenv("FAL_REST_BASE", server.url)
    return state
