"""``python -m skill`` runs the CLI; on a machine without the dependencies it names the missing ones.

An agent on a bare machine may try ``python3 -m skill`` before the bootstrap runner. Without the
dependencies the CLI cannot even render an error (the messages are jinja2 templates), so this
check runs first, uses only the standard library and words its one line itself, in English or
Chinese like every message: on stderr, and with ``--json`` also as one object on stdout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

# pyproject.toml's dependencies, by the module each one installs.
REQUIRED = (("httpx", "httpx"), ("httpx_sse", "httpx-sse"), ("pydantic", "pydantic"), ("yaml", "pyyaml"),
            ("jinja2", "jinja2"), ("platformdirs", "platformdirs"), ("av", "av"), ("numpy", "numpy"),
            ("soxr", "soxr"))


def missing_dependencies() -> list[str]:
    """The distributions whose modules this Python cannot import (found without importing them)."""
    return [dist for module, dist in REQUIRED if importlib.util.find_spec(module) is None]


def _lang(argv: list[str]) -> str:
    if "--lang" in argv[:-1]:
        return "zh" if argv[argv.index("--lang") + 1] == "zh" else "en"
    if any(re.search(r"[\u3400-\u9fff]", arg) for arg in argv):
        return "zh"
    for name in ("LIP_SYNC_VIDEO_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name, "").lower():
            return "zh" if value.startswith("zh") else "en"
    return "en"


def missing_message(missing: list[str], lang: str) -> str:
    folder = Path(__file__).resolve().parent.parent
    runner = folder / "scripts" / "run.py"
    names = ", ".join(missing)
    if lang == "zh":
        return (f"lip-sync-video 缺少 Python 依赖：{names}（本机未安装）。请改用自带安装的启动脚本："
                f"python3 {runner} <命令>，或先安装：python3 -m pip install {folder}")
    return (f"lip-sync-video needs the Python package{'s' if len(missing) > 1 else ''} {names}, not installed "
            f"here. Use the bootstrap runner, which installs them: python3 {runner} <command> "
            f"(or install them: python3 -m pip install {folder})")


def run(argv: list[str]) -> int:
    missing = missing_dependencies()
    if missing:
        line = missing_message(missing, _lang(argv))
        if "--json" in argv:
            print(json.dumps({"ok": False, "error": "errors/missing_dependency", "missing": missing, "reply": line},
                             ensure_ascii=False))
        print(line, file=sys.stderr)
        return 1
    from skill.cli import main

    return main(argv)


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
