"""Recognition without text: English words heard (a 5,000-word dictionary, fast settings), then
their alignment; allphone where no word is heard, where the words cannot be aligned, and for other
languages (the phonetic path)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from skill.local.mouthcues import _span, audio, sphinx
from skill.local.mouthcues.shapes import Phone

# decodes real speech with PocketSphinx, about a second per case
pytestmark = pytest.mark.slow


def _pcm(path: Path) -> tuple[bytes, int]:
    samples = audio.load(path)
    regions = audio.speech_regions(samples)
    return _span(samples, regions[0][0], regions[-1][1])


def test_english_without_text_hears_words_and_aligns_them(pens: Path) -> None:
    pcm, offset = _pcm(pens)
    words = sphinx.heard_words(pcm)
    assert {"please", "pass", "me", "seven"} <= set(words)  # "Please pass me seven blue pens."
    phones = sphinx.recognise(pcm, offset)
    assert phones == sphinx.align(pcm, words, offset, heard=True)[0]
    names = [p.name for p in phones]
    assert names[names.index("P"):names.index("P") + 3] == ["P", "L", "IY"]  # "please"
    assert all(a.end <= b.start for a, b in pairwise(phones))


def test_no_word_heard_falls_back_to_allphone(monkeypatch: pytest.MonkeyPatch, pens: Path) -> None:
    pcm, offset = _pcm(pens)
    monkeypatch.setattr(sphinx, "heard_words", lambda pcm: [])
    assert sphinx.recognise(pcm, offset) == sphinx.recognise_phones(pcm, offset)


def test_words_that_cannot_be_aligned_fall_back_to_allphone(monkeypatch: pytest.MonkeyPatch, pens: Path) -> None:
    pcm, offset = _pcm(pens)

    def refuse(pcm: bytes, tokens: list[str], offset: int = 0, heard: bool = False) -> tuple[list[Phone], float]:
        raise sphinx.AlignFailed("refused")

    monkeypatch.setattr(sphinx, "align", refuse)
    assert sphinx.recognise(pcm, offset) == sphinx.recognise_phones(pcm, offset)


def test_other_languages_keep_the_phonetic_path(monkeypatch: pytest.MonkeyPatch, pens: Path) -> None:
    pcm, offset = _pcm(pens)

    def no_words(pcm: bytes) -> list[str]:
        raise AssertionError("English words decoded for a language-independent request")

    monkeypatch.setattr(sphinx, "heard_words", no_words)
    assert sphinx.recognise(pcm, offset, language_independent=True) == sphinx.recognise_phones(pcm, offset, True)


def test_the_vocabulary_is_the_lms_5000_likeliest_words() -> None:
    from bench.mouth_vocabulary import build

    lines = sphinx.VOCABULARY.read_text().splitlines()
    assert lines == build(5000)  # regenerate with python -m bench.mouth_vocabulary
    assert len({line.split()[0].split("(")[0] for line in lines}) == 5000
