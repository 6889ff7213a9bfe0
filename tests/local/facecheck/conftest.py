"""Small face-check clips, made once per session (3 s, 640x480, H.264 + AAC) from the committed
public-domain face crop; see facesynth.py for how the ground truth is built."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.local.facecheck import facesynth as fs
from tests.local.speechsynth import write_wav


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("facecheck")
    voice = fs.speech(3.0, seed=5)
    silence = np.zeros_like(voice)
    room = (np.random.default_rng(1).standard_normal(len(voice)) * 0.003).astype(np.float32)
    return {
        "ok": fs.talking_clip(d / "ok.mp4", seconds=3.0, seed=5),
        "late3": fs.talking_clip(d / "late3.mp4", seconds=3.0, seed=5, offset_frames=3),
        "early2_30": fs.talking_clip(d / "early2_30.mp4", fps=30, seconds=3.0, seed=5, offset_frames=-2),
        "small": fs.talking_clip(d / "small.mp4", seconds=3.0, seed=5, scene=fs.Scene(face_px=70)),
        "dark": fs.talking_clip(d / "dark.mp4", seconds=3.0, seed=5, scene=fs.Scene(gain=0.25)),
        "backlit": fs.talking_clip(d / "backlit.mp4", seconds=3.0, seed=5, scene=fs.Scene(backlight=True)),
        "mouth_cut": fs.talking_clip(d / "mouth_cut.mp4", seconds=3.0, seed=5,
                                     scene=fs.Scene(face_px=250, centre=(0.5, 0.95))),
        "silent": fs.write_clip(d / "silent.mp4", fs.compose(fs.Scene(), fs.face()), 25, silence),
        "room_tone": fs.write_clip(d / "room_tone.mp4", fs.compose(fs.Scene(), fs.face()), 25, room),
        "no_audio": fs.write_clip(d / "no_audio.mp4", [fs.compose(fs.Scene(), fs.face())] * 50, 25, None),
        "cartoon": fs.write_clip(d / "cartoon.mp4", fs.compose(fs.Scene(), fs.drawn_face()), 25, voice),
        "pattern": fs.write_clip(d / "pattern.mp4", fs.test_pattern(640, 480), 25, voice),
        "landscape": fs.write_clip(d / "landscape.mp4", fs.landscape(640, 480), 25, voice),
        "wav": write_wav(d / "voice.wav", voice, fs.RATE),
    }


@pytest.fixture(scope="session")
def reports(clips: dict[str, Path]) -> Callable[[str], dict[str, Any]]:
    """The face-check report of a clip, computed once per session (several tests read each)."""
    from skill.local import facecheck

    done: dict[str, dict[str, Any]] = {}

    def report(name: str) -> dict[str, Any]:
        if name not in done:
            done[name] = facecheck.check(clips[name])
        return dict(done[name])

    return report
