"""With the real mouth-cue engine: every frame of ``animate`` shows the shape that ``mouth-cues``
gives for the same audio and text (read from its own JSON output)."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from skill.local.animate.builtin import builtin_mouths
from tests.agent.helpers import fresh_app
from tests.local.animate import media
from tests.local.animate.checks import Cue, composite, decode, expected_shape, lag_ms, mean_abs

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

VOICE = Path(__file__).resolve().parents[3] / "fixtures" / "media" / "voice_studio.wav"


@pytest.mark.parametrize("text", [None, "the quick brown fox jumps over the lazy dog"])
def test_frames_follow_the_mouth_cues_command(cli: Callable[..., Any], assets: SimpleNamespace, tmp_path: Path,
                                              text: str | None) -> None:
    from skill.handlers.mouth_cues import mouth_cues

    said = ("--text", text) if text else ()
    cues_file = tmp_path / "cues.json"
    # What `mouth-cues VOICE -o cues.json [--text …]` runs, in the same (English) person's language.
    assert mouth_cues(fresh_app(), [VOICE], text=text, output=str(cues_file)).ok
    body = json.loads(cues_file.read_text(encoding="utf-8"))
    cues = [Cue(c["start"], c["end"], c["value"]) for c in body["mouthCues"]]
    duration = body["metadata"]["duration"]
    out = tmp_path / "said.mp4"
    result = cli("animate", assets.still, VOICE, "--mouth-box", "110,150,100,60", "-o", out, "--json", *said)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["cues"] == len(cues) and report["frames"] == round(duration * 24)
    video = decode(out)
    character = media.character_rgb(assets.still)
    box = (110, 150, 100, 60)
    region = (slice(150, 210), slice(110, 210))
    templates = {s: composite(character, m, box)[region] for s, m in builtin_mouths().items()}
    for i, frame in enumerate(video.frames):
        want = expected_shape(cues, i / 24)
        scores = {s: mean_abs(frame[region], t) for s, t in templates.items()}
        assert min(scores, key=scores.__getitem__) == want, (i, want, scores)
    with __import__("av").open(str(VOICE)) as container:
        voice = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)]).astype(np.float32)
    assert video.audio_rate == 16_000 and abs(lag_ms(voice / 32768, 16_000, video.audio[:len(voice)])) <= 2.0
    assert video.fps == Fraction(24)
