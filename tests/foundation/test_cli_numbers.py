"""Every numeric CLI option refuses nan and infinity (a wait of nan or inf would never end)."""

from __future__ import annotations

import argparse

import pytest

from skill.cli import numbers


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
@pytest.mark.parametrize("parse", [numbers.finite, numbers.positive, numbers.non_negative])
def test_non_finite_numbers_are_refused(parse, text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_finite_numbers_pass_their_bounds() -> None:
    assert numbers.positive("0.5") == 0.5 and numbers.non_negative("0") == 0.0 and numbers.finite("-2") == -2.0
    with pytest.raises(argparse.ArgumentTypeError):
        numbers.positive("0")
    assert numbers.whole(1, 64)("3") == 3
    for bad in ("0", "65", "nan", "2.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            numbers.whole(1, 64)(bad)


@pytest.mark.parametrize("flag", ["--timeout", "--poll-interval"])
@pytest.mark.parametrize("value", ["nan", "inf"])
def test_job_waits_refuse_nan_and_inf_on_the_command_line(cli, flag: str, value: str) -> None:
    result = cli("dub", "--video", "v.mp4", "--audio", "a.wav", flag, value)
    assert result.code == 2 and "finite" in result.err


def test_every_float_option_of_every_command_uses_a_finite_parser() -> None:
    from skill.cli import build_parser

    parser = build_parser()
    found = []
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            found += [(name, a.dest) for a in sub._actions if a.type is float]
    assert found == [], f"plain float options accept nan/inf: {found}"
