"""Batch localization: wall time of N pairs against one pair, with renders that take about 1 s.

The emulator runs in its own process (renders complete after 4 polls; polls every 0.25 s, so a
render takes ≈ 1 s as the backend sees it). Each run is the real CLI, ``python -m skill batch``,
with a fresh store and ``--jobs N`` so every pair may be in flight at once; the goal says a batch
should cost little more than its slowest pair.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

from bench.common import Row, server_process

REPO = Path(__file__).resolve().parents[1]
POLL_SECONDS = 0.25
RENDER_POLLS = 4  # ≈ 1 s renders
GOAL = 1.5

_EMULATOR = f"""
from tests.emulator import Emulator
emulator = Emulator()
emulator.state.render_polls = {RENDER_POLLS}
print(emulator.url, flush=True)
emulator.serve_forever()
"""


def emulator() -> AbstractContextManager[str]:
    return server_process(["-c", _EMULATOR])


def workspace(folder: Path, pairs: int, video: Path, voice: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(video, folder / "talk.mp4")
    lines = ["video: talk.mp4", "output_dir: out", "tracks:"]
    for index in range(pairs):
        shutil.copy(voice, folder / f"voice{index}.wav")
        lines.append(f"  l{index}: voice{index}.wav")
    manifest = folder / "batch.yaml"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def seconds(url: str, manifest: Path, jobs: int) -> float:
    env = {**os.environ, "NEMO_API_BASE": url, "LIP_SYNC_VIDEO_HOME": str(manifest.parent / "store"),
           "LIP_SYNC_VIDEO_POLL_SECONDS": str(POLL_SECONDS)}
    env.pop("NEMO_TOKEN", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "skill", "batch", str(manifest), "--jobs", str(jobs)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"batch failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    return elapsed


def run(quick: bool) -> list[Row]:
    from tests.media import factory

    pairs = 10 if quick else 50
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp, emulator() as url:
        root = Path(tmp)
        video = factory.video(root / "talk.mp4", width=640, height=480, seconds=1.0)
        voice = factory.audio(root / "voice.wav", seconds=1.0)
        one = seconds(url, workspace(root / "one", 1, video, voice), 1)
        many = seconds(url, workspace(root / "many", pairs, video, voice), pairs)
    ratio = many / one
    return [Row(f"batch of {pairs} pairs, ≈1 s renders (wall s)", f"{many:.2f}", f"1 pair {one:.2f}", ratio,
                f"≤ {GOAL}× one pair", ratio <= GOAL, "ratio here is batch ÷ one pair (lower is better)")]


if __name__ == "__main__":
    from bench.common import table

    print(table(run("--quick" in sys.argv)))
