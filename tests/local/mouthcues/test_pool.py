"""The second core on one long file gives exactly the one-core cues (pieces are independent, or
speculated and redone in order when the speculation was wrong)."""

from __future__ import annotations

import numpy as np
import pytest

from skill.local.mouthcues import analyse_samples, audio, pool
from tests.local.mouthcues.conftest import FIXTURES, RATE, truth

NAMES = ("bob_kal", "pens_slt")


def _long_dialogue(repeats: int) -> tuple[np.ndarray, str]:
    pause = np.zeros(RATE // 2, np.float32)
    parts, words = [], []
    for k in range(repeats):
        name = NAMES[k % 2]
        parts += [audio.load(FIXTURES / f"{name}.wav"), pause]
        words.append(truth(name)["text"])
    return np.concatenate(parts), " ".join(words)


def _both(monkeypatch: pytest.MonkeyPatch, samples: np.ndarray, text: str | None) -> tuple[list, list]:
    used = []
    real = pool.helper

    def spy(speech_cs: int, samples: object):  # type: ignore[no-untyped-def]
        got = real(speech_cs, samples)
        used.append(got is not None)
        return got

    monkeypatch.setattr(pool, "helper", spy)
    parallel = analyse_samples(samples, text=text).cues
    assert any(used), "the long file should have used the helper"
    monkeypatch.setattr(pool, "helper", lambda speech_cs, samples: None)
    return parallel, analyse_samples(samples, text=text).cues


@pytest.mark.slow
@pytest.mark.parametrize("with_text", [True, False])
def test_two_cores_give_the_one_core_cues(monkeypatch: pytest.MonkeyPatch, with_text: bool) -> None:
    samples, text = _long_dialogue(12)  # ≈ 37 s: above pool.MIN_SPEECH, several pieces
    parallel, serial = _both(monkeypatch, samples, text if with_text else None)
    assert parallel == serial
    assert {c.shape for c in serial} >= {"A", "X"}


@pytest.mark.slow
def test_a_failed_speculation_is_redone_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """A transcript with sentences the audio lacks: a helper's alignment fails, so the pieces after
    it were speculated with the wrong words and must come out as the one-core run gives them."""
    import skill.local.mouthcues as engine

    samples, text = _long_dialogue(12)
    sentences = text.split(". ")
    deviating = ". ".join(sentences[:3] + ["the cat sat on a mat with a hat"] * 3 + sentences[3:])
    redone = []
    real = engine._pieces_with_text

    def spy(*args):  # type: ignore[no-untyped-def]
        redone.append(args[4] is None)
        return real(*args)

    monkeypatch.setattr(engine, "_pieces_with_text", spy)
    parallel, serial = _both(monkeypatch, samples, deviating)
    assert redone[0] is False and redone[1] is True, "the speculation should have been redone"
    assert parallel == serial
