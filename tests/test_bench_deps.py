"""Every benchmark runs on a fresh machine from what the project declares (issue 18).

``python -m bench`` once failed with ``ModuleNotFoundError: imageio_ffmpeg``: a package installed by
hand where the figures were taken. Here every ``bench/*.py`` is parsed (imports inside functions
too), and so is every ``tests/`` module it imports, transitively; each third-party module must come
from a distribution in ``[project] dependencies`` or the ``bench`` extra. The anchors and their
helpers run from their own cache (``bench_align.ANCHOR_DIR``) in subprocesses, so they are code
strings, not imports, and are not counted.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10: pip vendors the same parser
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ("bench", "skill", "tests")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    """Distributions the bench may rely on: the dependencies, plus the bench extra (expanded)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    names: set[str] = set()
    pending = [*project["dependencies"], *extras["bench"]]
    while pending:
        requirement = pending.pop()
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]+)\])?", requirement)
        assert match, requirement
        name = _normal(match.group(1))
        if name == _normal(project["name"]) and match.group(2):
            pending += [r for extra in match.group(2).split(",") for r in extras[extra.strip()]]
        else:
            names.add(name)
    return names


def imports_of(path: Path) -> set[str]:
    """Every module named in an import statement anywhere in ``path`` (function bodies included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _local_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def third_party_imports() -> dict[str, set[str]]:
    """Top-level third-party module → the files importing it, over bench/ and the tests/ it reaches."""
    queue = sorted((ROOT / "bench").glob("*.py"))
    seen: set[Path] = set()
    out: dict[str, set[str]] = {}
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in imports_of(path):
            top = module.split(".")[0]
            if top in LOCAL:
                local = _local_file(module)
                if local is not None and top != "skill":  # skill's own deps are the project's
                    queue.append(local)
                continue
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            out.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return out


def test_every_benchmark_import_is_declared() -> None:
    providers = packages_distributions()
    allowed = declared()
    problems = []
    for module, where in sorted(third_party_imports().items()):
        dists = {_normal(d) for d in providers.get(module, [])}
        if not dists & allowed:
            problems.append(f"{module} (from {sorted(dists) or 'no installed distribution'}) imported by "
                            f"{', '.join(sorted(where))}")
    assert not problems, "not in [project] dependencies or the bench extra:\n" + "\n".join(problems)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "bench_x.py"
    sample.write_text("import os\n\ndef run(quick):\n    import imageio_ffmpeg\n    from yaml import safe_load\n")
    assert {"os", "imageio_ffmpeg", "yaml", "yaml.safe_load"} <= imports_of(sample)
    assert "imageio-ffmpeg" not in declared()  # the anchors' ffmpeg lives in the anchors' cache


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py")))
def test_every_benchmark_module_loads_and_has_run(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "run", None)), f"bench/{name}.py has no run(quick)"
