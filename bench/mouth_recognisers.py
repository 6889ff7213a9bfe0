"""Recognition without text, one PocketSphinx word-decoder setting at a time (docs/mouthcues.md,
"Recognition without text"): decode each file's speech with ``Decoder(**config)``, align the words
heard, animate, score; CPU seconds per audio second of the recognition and of the alignment apart.
Tune on the DEV split only. ``python -m bench.mouth_recognisers '{"ds": 2, "maxhmmpf": 300,
"topn": 2, "fwdflat": false, "bestpath": false, "dict": "skill/local/mouthcues/models/en-us-5k.dict"}'``
(an empty ``{}`` is the wheel's default LM and 130k dictionary).
"""

from __future__ import annotations

import argparse
import json
import time

from bench.mouth_score import CACHE, Score, score
from bench.mouth_truth import SPLITS, items


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mouth_recognisers")
    parser.add_argument("config", help="Decoder keyword arguments as JSON")
    parser.add_argument("--split", default="dev", choices=SPLITS)
    args = parser.parse_args()
    from pocketsphinx import Decoder

    from skill.local.mouthcues import _recognise, _span, audio, shapes, sphinx
    from skill.local.mouthcues.animate import animate

    started = time.process_time()
    decoder = Decoder(loglevel="FATAL", **json.loads(args.config))
    init = time.process_time() - started
    total, recognition, alignment, seconds, failed = Score(), 0.0, 0.0, 0.0, 0
    for item in [i for i in items(CACHE) if i.split == args.split]:
        samples = audio.load(item.wav)
        regions = audio.speech_regions(samples)
        pcm, offset = _span(samples, regions[0][0], regions[-1][1])
        started = time.process_time()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        words = [w for w in (hyp.hypstr.split() if hyp else []) if not w.startswith(("<", "[", "+"))]
        recognition += time.process_time() - started
        started = time.process_time()
        phones = []
        if words:
            try:
                phones = sphinx.align(pcm, sphinx.prepare(words), offset)[0]
            except sphinx.AlignFailed:
                failed += 1
        if not phones:
            phones = _recognise(samples, regions, False)
        alignment += time.process_time() - started
        duration = len(samples) * 100 // audio.RATE
        cues = animate(shapes.targets(phones, "GHX"), duration, "GHX")
        total.add(score(item.phones, [(a / 100, b / 100, v) for a, b, v in cues]))
        seconds += duration / 100
    ratios = total.ratios()
    print(json.dumps({"config": json.loads(args.config), "exact": round(ratios["exact"], 4),
                      "open_closed": round(ratios["open_closed"], 4), "closed60": round(ratios["closed60"], 3),
                      "recognition_cpu_per_audio_s": round(recognition / seconds, 4),
                      "alignment_cpu_per_audio_s": round(alignment / seconds, 4), "init_cpu_s": round(init, 2),
                      "alignments_failed": failed}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
