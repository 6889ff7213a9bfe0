"""Scoring mouth cues against exact phone times, at 10 ms frames (reference A4), and the anchor.

A frame is right when its shape, in the basic space (G→A, H→C, X→A), is one the phone heard then
allows (``skill.local.mouthcues.shapes``: the same rules the engine picks from). Open/closed: A
(and X, G, which collapse to A) against the rest. Closures: each P, B, M of the truth must show an
A frame within the phone ±60 ms (and ±80 ms, two frames at 25 fps).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path.home() / ".cache" / "lip-sync-video-bench"
RHUBARB_PACKAGE = "rhubarb-lip-sync-wasm@0.1.8"


@dataclass
class Score:
    frames: int = 0
    exact: int = 0
    open_closed: int = 0
    closures: int = 0
    closed60: int = 0
    closed80: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds of this process (the machine is shared: wall time is not ours alone)
    audio: float = 0.0
    items: int = 0
    paths: dict[str, int] = field(default_factory=dict)

    def add(self, other: Score) -> None:
        for name in ("frames", "exact", "open_closed", "closures", "closed60", "closed80", "seconds", "cpu", "audio",
                     "items"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, count in other.paths.items():
            self.paths[key] = self.paths.get(key, 0) + count

    def ratios(self) -> dict[str, float]:
        f, c = max(self.frames, 1), max(self.closures, 1)
        return {"exact": self.exact / f, "open_closed": self.open_closed / f, "closed60": self.closed60 / c,
                "closed80": self.closed80 / c, "rtf": self.seconds / max(self.audio, 1e-9),
                "cpu_per_audio_s": self.cpu / max(self.audio, 1e-9)}


def truth_frames(phones: list[tuple[str, float, float]], duration_cs: int) -> list[set[str]]:
    from skill.local.mouthcues import animate, shapes

    cs = [shapes.Phone(name, round(start * 100), round(end * 100)) for name, start, end in phones]
    full = animate.fill(shapes.targets(cs, "GHX"), duration_cs, "GHX")
    out: list[set[str]] = []
    for target in full:
        allowed = {shapes.basic(s) for s in target.allowed}
        out.extend([allowed] * target.length)
    return out[:duration_cs]


def predicted_frames(cues: list[tuple[float, float, str]], duration_cs: int) -> list[str]:
    """One shape per frame; a later cue overrides an earlier one (the npm anchor can overlap)."""
    frames = ["X"] * duration_cs
    for start, end, shape in cues:
        for i in range(max(0, round(start * 100)), min(duration_cs, round(end * 100))):
            frames[i] = shape
    return frames


def score(phones: list[tuple[str, float, float]], cues: list[tuple[float, float, str]]) -> Score:
    from skill.local.mouthcues.shapes import basic

    duration = round(phones[-1][2] * 100)
    truth = truth_frames(phones, duration)
    pred = predicted_frames(cues, duration)
    result = Score(frames=len(truth), items=1)
    for allowed, shape in zip(truth, pred):
        b = basic(shape)
        result.exact += b in allowed
        result.open_closed += (b == "A") in {s == "A" for s in allowed}
    for name, start, end in phones:
        if name in ("P", "B", "M"):
            result.closures += 1
            for margin, attr in ((6, "closed60"), (8, "closed80")):
                lo, hi = max(0, round(start * 100) - margin), min(duration, round(end * 100) + margin)
                if "A" in pred[lo:hi]:
                    setattr(result, attr, getattr(result, attr) + 1)
    return result


_RUNNER = """import { Rhubarb } from "%s";
import fs from "fs";
const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = [];
const t0 = performance.now();
for (const job of jobs) {
  const pcm = fs.readFileSync(job.pcm);
  const start = performance.now();
  let result;
  try { result = await Rhubarb.getLipSync(pcm, { dialogText: job.text || "" }); }
  catch (e) { result = { mouthCues: [], error: String(e) }; }
  out.push({ name: job.name, seconds: (performance.now() - start) / 1000, cues: result.mouthCues });
}
fs.writeFileSync(process.argv[3], JSON.stringify({ total: (performance.now() - t0) / 1000, results: out }));
"""


def rhubarb_ready() -> Path:
    """Install the anchor (npm, into the cache, outside the repo) and write its runner."""
    package = CACHE / "node_modules" / "rhubarb-lip-sync-wasm" / "dist" / "index.js"
    if not package.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), RHUBARB_PACKAGE],
                       check=True, capture_output=True)
    runner = CACHE / "rhubarb_runner.mjs"
    runner.write_text(_RUNNER % package.as_uri())
    return runner


def _job_key(job: dict[str, str]) -> str:
    import hashlib

    digest = hashlib.sha256(Path(job["pcm"]).read_bytes())
    digest.update(b"\0" + job["text"].encode() + b"\0" + RHUBARB_PACKAGE.encode())
    return digest.hexdigest()


def run_rhubarb(jobs: list[dict[str, str]], workers: int = 2, reuse: bool = False) -> tuple[dict[str, dict], float]:
    """{name: {"seconds", "cues"}} for jobs of {"name", "pcm" (16 kHz s16le file), "text"}, and the
    wall time of the whole run (node start-up and WASM load included). Every result is kept under
    the hash of its exact input (PCM bytes, text, package version); with ``reuse`` a job whose
    input was already run takes that result (the WASM build is deterministic: same bytes in, same
    cues out), so a final run over several splits needs the anchor's ~2 CPU-s per audio second once."""
    store = CACHE / "rhubarb_results"
    store.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    if reuse:
        for job in jobs:
            kept = store / f"{_job_key(job)}.json"
            if kept.exists():
                results[job["name"]] = {**json.loads(kept.read_text()), "name": job["name"], "reused": True}
    jobs = [job for job in jobs if job["name"] not in results]
    if not jobs:
        return results, 0.0
    runner = rhubarb_ready()
    chunks = [jobs[i::workers] for i in range(workers) if jobs[i::workers]]
    started = time.perf_counter()
    procs = []
    for k, chunk in enumerate(chunks):
        # per process: two benchmark runs at once must not read each other's results
        job_file, out_file = CACHE / f"rh_jobs_{os.getpid()}_{k}.json", CACHE / f"rh_out_{os.getpid()}_{k}.json"
        job_file.write_text(json.dumps(chunk))
        procs.append((subprocess.Popen(["node", str(runner), str(job_file), str(out_file)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out_file))
    keys = {job["name"]: _job_key(job) for job in jobs}
    for proc, out_file in procs:
        proc.wait()
        for item in json.loads(out_file.read_text())["results"]:
            results[item["name"]] = item
            (store / f"{keys[item['name']]}.json").write_text(json.dumps(item))
    return results, time.perf_counter() - started
