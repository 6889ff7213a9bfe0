"""Provider emulators (WaveSpeed over loopback HTTP; the NIM over in-process gRPC) and media.

The fal.ai emulator fixtures (``fal_server``, ``fal``) live in ``tests/providers/fal_fixtures.py``, a
plugin of the root conftest, because tests/agent uses them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.loopback import Loopback
from tests.providers import wavespeed_emulator
from tests.providers.media import make_mp4, make_png, make_wav
from tests.providers.nim_emulator import NimServer, NimState


@pytest.fixture(scope="session")
def wavespeed_server() -> Iterator[tuple[Loopback, wavespeed_emulator.WaveSpeedState]]:
    state = wavespeed_emulator.WaveSpeedState()
    server = Loopback(wavespeed_emulator.build_app(state), "wavespeed-emulator").start()
    state.url = server.url
    yield server, state
    server.stop()


@pytest.fixture
def wavespeed(wavespeed_server: tuple[Loopback, wavespeed_emulator.WaveSpeedState],
              monkeypatch: pytest.MonkeyPatch) -> wavespeed_emulator.WaveSpeedState:
    server, state = wavespeed_server
    state.reset()
    monkeypatch.setenv("WAVESPEED_API_KEY", wavespeed_emulator.KEY)
    monkeypatch.setenv("WAVESPEED_API_BASE", server.url)
    return state


@pytest.fixture(scope="session")
def nim_server() -> Iterator[NimServer]:
    server = NimServer().start()
    yield server
    server.stop()


@pytest.fixture
def nim(nim_server: NimServer, monkeypatch: pytest.MonkeyPatch) -> NimState:
    nim_server.state.reset()
    monkeypatch.setenv("NIM_TARGET", nim_server.target)
    return nim_server.state


@dataclass
class Files:
    root: Path
    voice: Path  # 2 s of speech-rate WAV
    face: Path  # a 640×480 PNG portrait
    clip: Path  # 1 s faststart H.264 MP4


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("provider-media")


@pytest.fixture(scope="session")
def files(media_dir: Path) -> Files:
    return Files(media_dir, make_wav(media_dir / "voice.wav", 2.0), make_png(media_dir / "face.png", 640, 480),
                 make_mp4(media_dir / "clip.mp4"))
