"""The lazy command table names exactly the commands each module registers."""

from __future__ import annotations

import argparse
import importlib

from skill.cli import COMMAND_MODULES, COMMANDS, Commands, build_parser


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
