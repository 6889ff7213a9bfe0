"""Regenerate the committed mouth-cue fixtures: ``python scripts/make_mouth_fixtures.py [--zh]``
(``--zh``: only the Mandarin one).

Needs Festival with both Debian voices (``apt-get install -y festival festvox-kallpc16k
festvox-us-slt-hts``); tests only read the results. Each fixture is a 16 kHz mono WAV of one
sentence and a JSON with its text and Festival's exact phone times (``utt.save.segs``); plus a
Mandarin line from espeak-ng (``apt-get install -y espeak-ng``; its pinyin voice, since the plain
``cmn`` voice here reads tone digits aloud), with its text in characters and no phone times.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
import soxr

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "fixtures" / "mouth"
FIXTURES = {
    "bob_kal": ("(voice_kal_diphone)", "Bob bought a big map of the farm."),
    "pens_slt": ("(voice_cmu_us_slt_arctic_hts)", "Please pass me seven blue pens."),
}


def _segs(path: Path) -> list[list[object]]:
    phones, start = [], 0.0
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] != "#":
            phones.append([parts[2], start, float(parts[0])])
            start = float(parts[0])
    return phones


ZH_TEXT = "我们今天去北京吃饭。"
ZH_PINYIN = "wo3men5 jin1tian1 qu4 bei3jing1 chi1fan4."


def _write16k(target: Path, raw: Path) -> None:
    with wave.open(str(raw)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    if rate != 16000:
        data = soxr.resample(data, rate, 16000)
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.clip(data * 32767, -32768, 32767).astype(np.int16).tobytes())


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (voice, text) in FIXTURES.items() if "--zh" not in sys.argv else ():
            raw, segs = Path(tmp) / f"{name}.wav", Path(tmp) / f"{name}.segs"
            script = Path(tmp) / f"{name}.scm"
            script.write_text(f'{voice}(set! utt (Utterance Text "{text}"))(utt.synth utt)'
                              f'(utt.save.wave utt "{raw}" \'riff)(utt.save.segs utt "{segs}")\n')
            subprocess.run(["festival", "-b", str(script)], check=True)
            _write16k(OUT / f"{name}.wav", raw)
            (OUT / f"{name}.json").write_text(json.dumps({"text": text, "phones": _segs(segs)}, indent=1) + "\n")
        sys.path.insert(0, str(REPO))
        from bench.mouth_zh_truth import PAD, Espeak, _write, check, phones

        engine = Espeak()
        samples, events, end = engine.say(ZH_PINYIN, "cmn-latn-pinyin", 150, 50)
        check(samples, events, end)
        raw = Path(tmp) / "zh.wav"
        _write(raw, samples, engine.rate, PAD)
        _write16k(OUT / "chifan_zh.wav", raw)
        (OUT / "chifan_zh.json").write_text(json.dumps(
            {"text": ZH_TEXT, "pinyin": ZH_PINYIN, "phones": [[n, round(s, 5), round(e, 5)] for n, s, e in
                                                              phones(samples, events, end, engine.rate)]},
            ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
