"""Chinese mouth cues (``--lang zh``) against Rhubarb Lip Sync (npm WASM build), same files, same
run, scored at 10 ms frames against espeak-ng's exact phone times (bench/mouth_zh_truth.py) with the
English scorer (bench/mouth_score.py).

Conditions: the transcript in characters (pinyin path), no text (the phonetic path), and both on a
copy with white noise at 15 dB SNR. The anchor's recogniser and dialog handling are English only,
so it gets no text (the same cues serve both of its rows). Accuracy is reported on the HELD-OUT
split (odd sentence numbers, never tuned on); ``--split dev`` is for tuning.
``python -m bench.bench_mouthcues_zh [--split dev|heldout] [--no-anchor]`` prints JSON;
``python -m bench mouthcues_zh`` gives the table rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from bench.bench_mouthcues import _pcm_file, accuracy_rows
from bench.common import Row
from bench.mouth_score import CACHE, Score, run_rhubarb, score
from bench.mouth_truth import Item, degrade
from bench.mouth_zh_truth import items

CONDITIONS = ("transcript", "no_text", "noise", "noise_no_text")


def _case(item: Item, condition: str) -> tuple[Path, str | None]:
    path = degrade(item, "noise", CACHE) if condition.startswith("noise") else item.wav
    return path, None if condition.endswith("no_text") else item.text


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def accuracy(split: str, conditions: tuple[str, ...] = CONDITIONS, anchor: bool = True,
             voices: tuple[str, ...] = ()) -> dict[str, dict[str, object]]:
    """Per condition: ours (all voices, and per voice), and the anchor's figures on the same audio."""
    from skill.local.mouthcues import analyse_samples, audio

    chosen = [i for i in items(CACHE) if i.split == split and (not voices or i.name.split("_")[1] in voices)]
    out: dict[str, dict[str, object]] = {}
    anchor_runs: dict[str, dict[str, object]] = {}  # audio kind → the anchor's scores (text or not)
    for condition in conditions:
        ours, per_voice = Score(), {}
        cpu = 0.0
        for item in chosen:
            path, text = _case(item, condition)
            samples = audio.load(path)
            started, started_cpu = time.perf_counter(), time.process_time()
            track = analyse_samples(samples, text=text, lang="zh")
            cpu += time.process_time() - started_cpu
            result = score(item.phones, [(c.start, c.end, c.shape) for c in track.cues])
            result.seconds, result.audio = time.perf_counter() - started, track.duration
            result.paths = {track.path_used + (f"/{track.fallback}" if track.fallback else ""): 1}
            ours.add(result)
            per_voice.setdefault(item.name.split("_")[1], Score()).add(result)
        out[condition] = {"ours": {**ours.ratios(), "cpu_rtf": cpu / max(ours.audio, 1e-9), "paths": ours.paths},
                          "ours_per_voice": {v: round(s.ratios()["exact"], 4) for v, s in per_voice.items()}}
        kind = "noise" if condition.startswith("noise") else "clean"
        if anchor and kind not in anchor_runs:
            jobs = [{"name": f"{kind}:{i.name}", "pcm": str(_pcm_file(_case(i, kind)[0])), "text": ""} for i in chosen]
            before = _children_cpu()
            results, wall = run_rhubarb(jobs)
            theirs = Score()
            for item in chosen:
                found = results[f"{kind}:{item.name}"]
                result = score(item.phones, [(c["start"], c["end"], c["value"]) for c in found["cues"]])
                result.seconds, result.audio = found["seconds"], item.phones[-1][2]
                theirs.add(result)
            anchor_runs[kind] = {**theirs.ratios(), "wall_rtf": wall / max(theirs.audio, 1e-9),
                                 "cpu_rtf": (_children_cpu() - before) / max(theirs.audio, 1e-9)}
        if anchor:
            out[condition]["rhubarb"] = anchor_runs[kind]
        print(condition, json.dumps(out[condition]), file=sys.stderr, flush=True)
    return out


def run(quick: bool) -> list[Row]:
    """Rows for ``python -m bench``: held-out accuracy per condition (quick: the default voice only)."""
    results = accuracy("heldout", CONDITIONS, anchor=True, voices=("m1",) if quick else ())
    return accuracy_rows(results, "mouth zh", " (English goal)")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_mouthcues_zh")
    parser.add_argument("--split", default="heldout", choices=("dev", "heldout"))
    parser.add_argument("--no-anchor", action="store_true")
    parser.add_argument("--conditions", nargs="*", default=list(CONDITIONS))
    parser.add_argument("--voices", nargs="*", default=[])
    args = parser.parse_args()
    report = accuracy(args.split, tuple(args.conditions), anchor=not args.no_anchor, voices=tuple(args.voices))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
