"""Text normalisation: case, punctuation, numbers and words outside the dictionary."""

from __future__ import annotations

import pytest

from skill.local.mouthcues import text, zh


@pytest.mark.parametrize(("raw", "expected"), [
    ("Hello, World!", ["hello", "world"]),
    ("It's 7 o'clock.", ["it's", "seven", "o'clock"]),
    ("He paid $1,250 in 1984", ["he", "paid", "one", "thousand", "two", "hundred", "fifty", "dollars", "in",
                               "nineteen", "eighty", "four"]),
    ("the 2nd and 21st", ["the", "second", "and", "twenty", "first"]),
    ("3.5% more", ["three", "point", "five", "percent", "more"]),
    ("rock&roll", ["rock", "and", "roll"]),
    ("“Quoted” — dashes…", ["quoted", "dashes"]),
])
def test_words_are_what_is_said(raw: str, expected: list[str]) -> None:
    assert text.words(raw) == expected


def test_number_words_cover_large_numbers() -> None:
    assert text.number_words(0) == ["zero"]
    assert text.number_words(115) == ["one", "hundred", "fifteen"]
    assert text.number_words(2_000_003) == ["two", "million", "three"]


@pytest.mark.parametrize(("word", "expected"), [
    ("zorblax", "Z AO R B L AE K S"), ("mike", "M IH K"), ("shop", "SH AA P"), ("phish", "F IH SH"),
    ("nation", "N AE SH AH N"), ("city", "S IH T IY"),
])
def test_g2p_gives_plausible_phones(word: str, expected: str) -> None:
    assert text.g2p(word) == expected


def test_g2p_of_no_letters_is_empty() -> None:
    assert text.g2p("123") == ""


def test_chinese_becomes_pinyin_phones() -> None:
    pairs = zh.syllables("我们吃饭，ok")
    assert [s for s, _ in pairs] == ["wo", "men", "chi", "fan", "ok"]
    assert dict(pairs)["fan"] == "F AA N"
    assert dict(pairs)["chi"] == "CH IH"  # the buzzed i, not a spread EE
    assert dict(pairs)["wo"] == "W AO"
