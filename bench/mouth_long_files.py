"""Long dialogue files for the mouth-cue speed and memory figures (docs/benchmarks.md): the two
committed Festival sentences alternated with 0.5 s pauses, with their transcript.

    python -m bench.mouth_long_files OUT_DIR   →  s60 / s600 / s3600 .wav and .txt
then e.g. ``/usr/bin/time -v lip-sync-video mouth-cues OUT_DIR/s600.wav --text-file OUT_DIR/s600.txt``.
"""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mouth"
RATE = 16_000


def _frames(name: str) -> bytes:
    with wave.open(str(FIXTURES / f"{name}.wav")) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.readframes(w.getnframes())


def build(out: Path, seconds: int) -> None:
    names = ("bob_kal", "pens_slt")
    audio = {n: _frames(n) for n in names}
    text = {n: json.loads((FIXTURES / f"{n}.json").read_text())["text"] for n in names}
    pause = bytes(RATE)  # 0.5 s of 16-bit silence
    parts, words, total, k = [], [], 0.0, 0
    while total < seconds - 3.5:
        name = names[k % 2]
        parts += [audio[name], pause]
        words.append(text[name])
        total += len(audio[name]) / 2 / RATE + 0.5
        k += 1
    with wave.open(str(out / f"s{seconds}.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(parts))
    (out / f"s{seconds}.txt").write_text(" ".join(words) + "\n", encoding="utf-8")


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    for length in (60, 600, 3600):
        build(target, length)
