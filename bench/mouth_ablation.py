"""What each animation rule does to the scores (dev split, ours only): every rule switched off in
turn, and tweens switched on. ``python -m bench.mouth_ablation [--split dev]``; docs/mouthcues.md
has the figures. Besides the frame scores it counts flicker (cues shorter than one 24 fps frame)
and closures lost at 24 fps (.dat keys)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from bench.mouth_score import CACHE, Score, score
from bench.mouth_truth import SPLITS, items


def _dat_closures_lost(track, fps: int = 24) -> int:  # type: ignore[no-untyped-def]
    from skill.local.mouthcues import export

    shown = {frame for frame, shape in export.dat_frames(track, fps) if shape == "A"}
    return sum(1 + int(fps * c.start + 1e-9) not in shown for c in track.cues if c.shape == "A")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mouth_ablation")
    parser.add_argument("--split", default="dev", choices=SPLITS)
    args = parser.parse_args()
    from skill.local.mouthcues import analyse_samples, audio
    from skill.local.mouthcues.animate import Rules

    base = Rules()
    variants = {"all rules (default)": base, "no anticipation": replace(base, anticipation=False),
                "no flicker absorption": replace(base, min_run=0), "no pause hold/relax": replace(base, pauses=False),
                "no static breaking": replace(base, static_break=False), "with tweens": replace(base, tweens=True),
                "no rules at all": Rules(anticipation=False, min_run=0, pauses=False, static_break=False)}
    chosen = [item for item in items(CACHE) if item.split == args.split]
    decoded = [(item, audio.load(item.wav)) for item in chosen]
    out = {}
    for label, rules in variants.items():
        for condition in ("transcript", "no_text"):
            total, flicker, cues, lost = Score(), 0, 0, 0
            for item, samples in decoded:
                track = analyse_samples(samples, text=item.text if condition == "transcript" else None, rules=rules)
                total.add(score(item.phones, [(c.start, c.end, c.shape) for c in track.cues]))
                flicker += sum(c.end - c.start < 1 / 24 - 1e-9 for c in track.cues)
                cues += len(track.cues)
                lost += _dat_closures_lost(track)
            ratios = total.ratios()
            out[f"{label} / {condition}"] = {"exact": round(ratios["exact"], 4),
                                             "open_closed": round(ratios["open_closed"], 4),
                                             "closed60": round(ratios["closed60"], 4), "cues": cues,
                                             "flicker_under_1_frame_24fps": flicker, "dat24_closures_lost": lost}
            print(label, condition, json.dumps(out[f"{label} / {condition}"]), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
