"""CLI cold start of ``credits`` against ``curl`` and ``python3 -c pass`` on the same emulator.

(``route``'s cold start is in bench_router.)

Each command is a fresh process, as the agent runs it. Medians of several runs, interleaved so
that machine noise hits every contender alike.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.common import Row


def _median_seconds(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def run(quick: bool) -> list[Row]:
    from tests.emulator import Emulator

    runs = 5 if quick else 21
    emulator = Emulator().start()
    try:
        token = emulator.state.add_token(registered=True)
        home = tempfile.mkdtemp(prefix="lsv-bench-")
        env = {**os.environ, "NEMO_TOKEN": token, "NEMO_API_BASE": emulator.url, "LIP_SYNC_VIDEO_HOME": home}
        cli = [sys.executable, "-m", "skill"]
        subprocess.run([*cli, "setup"], env=env, check=True, capture_output=True)  # the session exists
        commands = {
            "python": [sys.executable, "-c", "pass"],
            "credits": [*cli, "credits", "--json"],
        }
        curl = shutil.which("curl")
        if curl:
            # curl sends the same request the CLI sends, with the token in a header like ours.
            commands["curl"] = [curl, "-sf", "-H", f"Authorization: Bearer {token}",
                                "-H", "X-Skill-Source: lip-sync-video", "-H", "X-Skill-Version: bench",
                                "-H", "X-Skill-Platform: unknown", f"{emulator.url}/api/credits/balance/simple"]
        t = _median_seconds(commands, env, runs)
    finally:
        emulator.stop()

    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    rows = [Row("cold start: credits --json", ms(t["credits"]), f"python3 -c pass {ms(t['python'])}",
                t["python"] / t["credits"], "report", None, f"median of {runs}; the bare interpreter")]
    if "curl" in t:
        rows.append(Row("cold start: credits --json", ms(t["credits"]), f"curl {ms(t['curl'])}",
                        t["curl"] / t["credits"], "credits ≤ 0.5 s", t["credits"] <= 0.5,
                        f"median of {runs}; same emulator, same request"))
    else:
        rows.append(Row("cold start: credits --json", ms(t["credits"]), "curl not installed", None,
                        "credits ≤ 0.5 s", t["credits"] <= 0.5))
    return rows
