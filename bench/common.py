"""The shape every benchmark reports, and the table printer."""

from __future__ import annotations

import platform
import resource
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    """One measured comparison: ours against an anchor measured side by side in the same run.

    ``ratio`` is written so that > 1 means we are better (faster, more accurate) unless the goal
    says otherwise; ``goal`` is the target in words, ``met`` whether this run reached it.
    """

    name: str
    ours: str
    anchor: str
    ratio: float | None
    goal: str
    met: bool | None = None
    note: str = ""


@contextmanager
def server_process(args: Sequence[str]) -> Iterator[str]:
    """Run ``python <args>`` from the repo (a loopback server that prints its URL first); yield that URL."""
    process = subprocess.Popen([sys.executable, *args], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait(timeout=10)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    import os

    return f"{platform.machine()} · {os.cpu_count()} cores · Python {sys.version.split()[0]} · {platform.system()}"


def table(rows: list[Row]) -> str:
    head = ["benchmark", "ours", "anchor", "ratio", "goal", "met"]
    body = [[r.name, r.ours, r.anchor, "—" if r.ratio is None else f"{r.ratio:.2f}×", r.goal,
             {True: "yes", False: "NO", None: "—"}[r.met]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *map(line, body)])
