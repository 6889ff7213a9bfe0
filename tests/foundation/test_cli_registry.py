"""The lazy command table names exactly the commands each module registers."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path

import pytest

from skill.cli import COMMAND_MODULES, COMMANDS, Commands, build_parser
from tests.conftest import CliResult


def _registered_by(module: str) -> set[str]:
    sub = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module).register(Commands(sub))
    return set(sub.choices)


def test_every_module_registers_exactly_the_commands_the_table_gives_it() -> None:
    for module in COMMAND_MODULES:
        assert _registered_by(module) == {name for name, owner in COMMANDS.items() if owner == module}, module


def test_a_named_command_loads_only_its_module_and_help_loads_all() -> None:
    def choices(parser: argparse.ArgumentParser) -> set[str]:
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return set(action.choices)

    assert choices(build_parser(["route", "--json", "hi"])) == {"route"}
    assert choices(build_parser(["--help"])) == set(COMMANDS)
    assert choices(build_parser(["no-such-command"])) == set(COMMANDS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unwritable_debug_log_is_one_clear_line_not_a_traceback(run_cli: Callable[..., CliResult],
                                                                    tmp_path: Path, lang: str) -> None:
    log = tmp_path / "no-such-folder" / "debug.log"
    result = run_cli("credits", "--lang", lang,
                     env={"LIP_SYNC_VIDEO_LOG_FILE": str(log)})
    assert result.code == 1 and "Traceback" not in result.err
    assert "LIP_SYNC_VIDEO_LOG_FILE" in result.err and len(result.err.strip().splitlines()) == 1
