"""Mouth cues (``skill.local.mouthcues``) against Rhubarb Lip Sync (npm ``rhubarb-lip-sync-wasm``),
same files, same run, scored at 10 ms frames against Festival's exact phone times (bench/mouth_truth.py).

Accuracy is reported on the FRESH split (sentences 40–59, added last and never tuned on) and the
HELD-OUT split (20–39, never tuned on but scored often); ``--split dev`` is for tuning.
Conditions: exact transcript, no transcript, a transcript off by one word, and five degraded copies
(with the transcript). Speed: the whole CLI process (start-up included) on a 60 s file against the
audio's duration; an hour in one file with peak RSS; a folder of 500 short lines against one process
per file. ``python -m bench.bench_mouthcues [--split dev|heldout] [--no-anchor] [--only accuracy|speed]``
prints everything as JSON too; ``python -m bench mouthcues`` gives the table rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import REPO, Row
from bench.mouth_score import CACHE, Score, run_rhubarb, score
from bench.mouth_truth import DEGRADATIONS, SPLITS, Item, degrade, deviate, items

CONDITIONS = ("transcript", "no_text", "deviating", *DEGRADATIONS)


def _case(item: Item, index: int, condition: str) -> tuple[Path, str | None]:
    if condition == "no_text":
        return item.wav, None
    if condition == "deviating":
        return item.wav, deviate(item.text, index)
    if condition == "transcript":
        return item.wav, item.text
    return degrade(item, condition, CACHE), item.text


def _pcm_file(path: Path) -> Path:
    """16 kHz s16le for the anchor, which takes only raw PCM (decoded by the same decoder)."""
    from skill.local.mouthcues import audio

    target = CACHE / "pcm" / (path.name + ".s16")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        samples = audio.load(path)
        target.write_bytes(np.clip(samples * 32767, -32768, 32767).astype(np.int16).tobytes())
    return target


def accuracy(split: str, conditions: tuple[str, ...] = CONDITIONS, anchor: bool = True,
             rules: object | None = None, reuse_anchor: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    from skill.local.mouthcues import analyse_samples, audio

    chosen = [item for item in items(CACHE) if item.split == split]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for condition in conditions:
        ours, theirs = Score(), Score()
        jobs = []
        for index, item in enumerate(chosen):
            path, text = _case(item, index, condition)
            samples = audio.load(path)
            started, cpu = time.perf_counter(), time.process_time()
            track = analyse_samples(samples, text=text, rules=rules)  # type: ignore[arg-type]
            result = score(item.phones, [(c.start, c.end, c.shape) for c in track.cues])
            result.seconds, result.audio = time.perf_counter() - started, track.duration
            result.cpu = time.process_time() - cpu
            result.paths = {track.path_used + (f"/{track.fallback}" if track.fallback else ""): 1}
            ours.add(result)
            jobs.append({"name": f"{condition}:{item.name}", "pcm": str(_pcm_file(path)), "text": text or ""})
        out[condition] = {"ours": {**ours.ratios(), "paths": ours.paths}}  # type: ignore[dict-item]
        if anchor:
            results, _ = run_rhubarb(jobs, reuse=reuse_anchor)
            out[condition]["rhubarb_reused"] = sum("reused" in r for r in results.values())  # type: ignore[assignment]
            for item in chosen:
                found = results[f"{condition}:{item.name}"]
                result = score(item.phones, [(c["start"], c["end"], c["value"]) for c in found["cues"]])
                result.seconds, result.audio = found["seconds"], item.phones[-1][2]
                theirs.add(result)
            out[condition]["rhubarb"] = theirs.ratios()
        print(condition, json.dumps(out[condition]), file=sys.stderr, flush=True)
    return out


def _concat(chosen: list[Item], seconds: float, target: Path) -> tuple[Path, str]:
    """A long WAV of sentences with 0.4 s gaps, and its transcript."""
    import wave

    from skill.local.mouthcues import audio

    pieces, texts, total = [], [], 0.0
    gap = np.zeros(6400, np.float32)
    while total < seconds:
        for item in chosen:
            samples = audio.load(item.wav)
            pieces += [samples, gap]
            texts.append(item.text)
            total += len(samples) / 16000 + 0.4
            if total >= seconds:
                break
    data = np.clip(np.concatenate(pieces) * 32767, -32768, 32767).astype(np.int16)
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(data.tobytes())
    return target, " ".join(texts)


CPU_SECONDS: list[float] = []  # user+sys of each _cli call: the machine is shared, wall time is not ours alone


def _cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one whole CLI process (its CPU seconds go to CPU_SECONDS)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "skill", "mouth-cues", *args], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, max(before.ru_maxrss, after.ru_maxrss) / 1024


def speed(hour: bool = True, folder_size: int = 500) -> dict[str, float]:
    chosen = [item for item in items(CACHE) if item.split == "heldout"]
    work = CACHE / "speed"
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, float] = {}
    minute, text = _concat(chosen, 60, work / "minute.wav")
    duration = 60.0
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("text", ["--text", text]), ("no_text", [])):
            wall, rss = _cli([str(minute), *extra, "-o", f"{tmp}/m.json"])
            out[f"minute_{label}_speed"] = duration / wall
            out[f"minute_{label}_speed_cpu"] = duration / CPU_SECONDS[-1]
            out[f"minute_{label}_rss_mb"] = rss
        if hour:
            long, _ = _concat(chosen, 3600, work / "hour.wav")
            wall, rss = _cli([str(long), "-o", f"{tmp}/h.json"])
            out["hour_no_text_speed"], out["hour_no_text_rss_mb"] = 3600 / wall, rss
            out["hour_no_text_speed_cpu"] = 3600 / CPU_SECONDS[-1]
        lines = Path(tmp) / "lines"
        lines.mkdir()
        for k in range(folder_size):
            item = chosen[k % len(chosen)]
            (lines / f"line_{k:03d}.wav").symlink_to(item.wav)
        started = time.perf_counter()
        _cli([str(lines), "-o", tmp])
        out["folder_500_seconds"] = time.perf_counter() - started
        out["folder_500_cpu_seconds"] = CPU_SECONDS[-1]
        sample = sorted(lines.iterdir())[:20]
        started = time.perf_counter()
        for path in sample:
            _cli([str(path), "-o", f"{tmp}/one.json"])
        per_file = (time.perf_counter() - started) / len(sample)
        out["one_process_per_file_500_seconds_extrapolated"] = per_file * folder_size
        out["one_process_per_file_500_cpu_seconds_extrapolated"] = sum(CPU_SECONDS[-len(sample):]) * folder_size / len(
            sample)
    return out


def accuracy_rows(results: Mapping[str, Mapping[str, Any]], prefix: str, goal_note: str = "") -> list[Row]:
    """Table rows for :func:`accuracy`'s figures (also the Chinese bench's, with its ``prefix``): exact
    per condition; with the transcript also open/closed and P/B/M closed."""
    rows: list[Row] = []
    for condition, pair in results.items():
        ours, theirs = pair["ours"], pair["rhubarb"]
        goal = 0.90 if condition == "transcript" else 0.85
        rows.append(Row(f"{prefix} exact ({condition})", f"{ours['exact']:.3f}", f"{theirs['exact']:.3f}",
                        ours["exact"] / max(theirs["exact"], 1e-9), f"≥ {goal:.2f}{goal_note}, ahead of anchor",
                        ours["exact"] >= goal and ours["exact"] > theirs["exact"]))
        if condition == "transcript":
            rows.append(Row(f"{prefix} open/closed (transcript)", f"{ours['open_closed']:.3f}",
                            f"{theirs['open_closed']:.3f}", ours["open_closed"] / max(theirs["open_closed"], 1e-9),
                            "≥ 0.96", ours["open_closed"] >= 0.96))
            for key, label in (("closed60", "±60 ms"), ("closed80", "±80 ms")):
                # an anchor that never closes the lips in time has no ratio, not a huge one
                rows.append(Row(f"{prefix} P/B/M closed {label}", f"{ours[key]:.3f}", f"{theirs[key]:.3f}",
                                ours[key] / theirs[key] if theirs[key] else None, "≥ 0.97", ours[key] >= 0.97))
    return rows


def run(quick: bool) -> list[Row]:
    """Rows for ``python -m bench``: FRESH-split accuracy per condition and the speed figures."""
    rows: list[Row] = []
    conditions = ("transcript", "no_text", "deviating") if quick else CONDITIONS
    rows.extend(accuracy_rows(accuracy("fresh", conditions, anchor=True, reuse_anchor=True), "mouth"))
    figures = speed(hour=not quick, folder_size=100 if quick else 500)
    for label in ("text", "no_text"):
        value = figures[f"minute_{label}_speed"]
        rows.append(Row(f"mouth CLI speed, 60 s ({label})", f"{value:.1f}× real time", "0.55–0.6×", value / 0.6,
                        "≥ 30× real time", value >= 30))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_mouthcues")
    parser.add_argument("--split", default="heldout", choices=SPLITS)
    parser.add_argument("--no-anchor", action="store_true")
    parser.add_argument("--reuse-anchor", action="store_true",
                        help="take the anchor's result for an input it was already run on (bench/mouth_score.py)")
    parser.add_argument("--only", choices=("accuracy", "speed"))
    parser.add_argument("--conditions", nargs="*", default=list(CONDITIONS))
    args = parser.parse_args()
    report: dict[str, object] = {}
    if args.only != "speed":
        report["accuracy"] = accuracy(args.split, tuple(args.conditions), anchor=not args.no_anchor,
                                      reuse_anchor=args.reuse_anchor)
    if args.only != "accuracy":
        report["speed"] = speed()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
