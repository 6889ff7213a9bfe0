"""Imports in skill/ point one way: down the layers, or sideways within one (docs/architecture.md).

Every import counts, also the lazy ones inside functions and those under ``TYPE_CHECKING``: a
type-only import upwards is still a module that cannot be understood without the one above it.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

SKILL = Path(__file__).resolve().parents[1] / "skill"

# Lowest first. A module's layer is that of its longest listed prefix.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("skill", "skill.config", "skill.env", "skill.errors", "skill.redact", "skill.replies", "skill.console",
     "skill.store", "skill.frontmatter"),
    ("skill.router", "skill.media", "skill.local", "skill.nemo", "skill.providers"),
    ("skill.app", "skill.handlers"),
    ("skill.agent",),
    ("skill.cli", "skill.__main__"),
)


def layer_of(module: str) -> int:
    best, rank = "", -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, index
    if rank < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/architecture.md")
    return rank


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SKILL.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    path = Path(SKILL.parent, *name.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, wherever it stands; relative ones resolved."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # "from skill import tools" imports the submodule skill.tools
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names
                         if is_module(f"{target}.{alias.name}"))
    return [(line, name) for line, name in found if name == "skill" or name.startswith("skill.")]


SOURCES = sorted(p for p in SKILL.rglob("*.py") if "nim_pb" not in p.parts)


@functools.cache
def imports_of(path: Path) -> tuple[tuple[int, str], ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return tuple(imported(tree, module_name(path), path.name == "__init__.py"))


def test_every_module_sits_in_a_layer() -> None:
    for path in SOURCES:
        layer_of(module_name(path))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SKILL.parent)))
def test_imports_point_down_or_sideways(path: Path) -> None:
    module = module_name(path)
    own = layer_of(module)
    upward = [f"line {line}: {name} (layer {layer_of(name)} > {own})"
              for line, name in imports_of(path) if layer_of(name) > own]
    assert not upward, f"{module} imports upwards:\n" + "\n".join(upward)


def test_nothing_imports_the_cli() -> None:
    for path in SOURCES:
        module = module_name(path)
        if layer_of(module) == len(LAYERS) - 1:
            continue
        names = [name for _, name in imports_of(path)]
        assert not [n for n in names if n == "skill.cli" or n.startswith("skill.cli.")], module


def test_core_stays_small() -> None:
    core = sorted(p.name for p in SKILL.glob("*.py"))
    assert len(core) <= 12, core


def test_the_checker_sees_lazy_and_type_only_imports() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from skill.app import App\n"
              "def f():\n    from skill.cli import main\n    import skill.handlers.edit\n")
    names = [name for _, name in imported(ast.parse(source), "skill.nemo.turn", False)]
    assert names == ["skill.app", "skill.cli", "skill.handlers.edit"]
    assert [layer_of(n) for n in names] == [2, 4, 2]
