"""``python -m bench [--quick] [NAME...]``: run the benchmarks and print one table of ratios."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback

import bench
from bench.common import Row, machine, table


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller inputs (a smoke run, not the figures)")
    parser.add_argument("names", nargs="*", help="only these bench_<name> modules")
    args = parser.parse_args()
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if args.names:
        names = [n for n in names if n.removeprefix("bench_") in args.names or n in args.names]
    rows: list[Row] = []
    failed = False
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            rows.extend(importlib.import_module(f"bench.{name}").run(args.quick))
        except Exception:
            failed = True
            traceback.print_exc()
            rows.append(Row(name, "error", "—", None, "—", False, "see stderr"))
    print(f"Machine: {machine()}")
    print(table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
