"""Mouth cues on real recorded speech, where no phone truth exists: agreement with the anchor.

``python -m bench mouthreal``. The speech is the real recordings PocketSphinx ships in its source
distribution on PyPI (LibriVox audiobook lines, a card-game corpus, "go forward ten meters" and
more; fetched once from the package registry into the bench cache) plus the spoken channel names
of Debian's alsa-utils when present. On each file we run our engine and Rhubarb (npm WASM build),
with and without the transcript, and report how often the two agree per 10 ms frame — on the
exact shape and on open/closed — beside how often each agrees with *itself* across the two
conditions. Agreement is not accuracy: it shows whether the engines behave alike on real voices,
and the synthetic held-out set (``bench_mouthcues``) is where accuracy is measured.
"""

from __future__ import annotations

import json
import re
import sys
import tarfile
import urllib.request
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import Row
from bench.mouth_score import CACHE, predicted_frames, run_rhubarb

SDIST_INDEX = "https://pypi.org/simple/pocketsphinx/"
SDIST_NAME = "pocketsphinx-5.0.4.tar.gz"
ALSA_SOUNDS = Path("/usr/share/sounds/alsa")
REAL = CACHE / "real"


@dataclass(frozen=True)
class Recording:
    name: str
    wav: Path
    text: str


def _fetch_sdist() -> Path:
    """The sdist from the registry's simple index (the only network this bench uses), cached."""
    target = REAL / SDIST_NAME
    if target.exists():
        return target
    REAL.mkdir(parents=True, exist_ok=True)
    page = urllib.request.urlopen(SDIST_INDEX, timeout=60).read().decode()
    link = re.search(r'href="([^"#]*/' + re.escape(SDIST_NAME) + ')', page)
    if not link:
        raise RuntimeError(f"{SDIST_NAME} not listed on {SDIST_INDEX}")
    partial = target.with_suffix(".part")
    partial.write_bytes(urllib.request.urlopen(link.group(1), timeout=300).read())
    partial.rename(target)
    return target


def _raw_to_wav(raw: bytes, target: Path) -> Path:
    """PocketSphinx's ``.raw`` files are headerless 16 kHz s16le mono."""
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(raw)
    return target


def recordings() -> list[Recording]:
    """Every real recording with a known transcript."""
    sdist = _fetch_sdist()
    out: list[Recording] = []
    with tarfile.open(sdist) as tar:
        names = {Path(m.name).relative_to(Path(m.name).parts[0]).as_posix(): m for m in tar.getmembers()}

        def read(rel: str) -> bytes:
            member = tar.extractfile(names[rel])
            assert member is not None
            return member.read()

        for stem in read("test/data/librivox/fileids").decode().split():
            wav = REAL / f"{stem}.wav"
            if not wav.exists():
                wav.write_bytes(read(f"test/data/librivox/{stem}.wav"))
            out.append(Recording(f"librivox-{stem[-4:]}", wav, read(f"test/data/librivox/{stem}.txt").decode().strip()))
        for line in read("test/data/cards/cards.transcription").decode().splitlines():
            found = re.match(r"<s>(.*)</s>\s*\((\d+)\)", line)
            if found:
                wav = REAL / f"cards-{found.group(2)}.wav"
                if not wav.exists():
                    wav.write_bytes(read(f"test/data/cards/{found.group(2)}.wav"))
                out.append(Recording(f"cards-{found.group(2)}", wav, found.group(1).strip()))
        go = REAL / "goforward.wav"
        if not go.exists():
            _raw_to_wav(read("test/data/goforward.raw"), go)
        out.append(Recording("goforward", go, "go forward ten meters"))
    for wav in sorted(ALSA_SOUNDS.glob("*.wav")):
        if wav.stem != "Noise":
            out.append(Recording(f"alsa-{wav.stem}", wav, wav.stem.replace("_", " ").lower()))
    return out


def _pcm(path: Path) -> Path:
    from skill.local.mouthcues import audio

    target = REAL / "pcm" / (path.name + ".s16")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        samples = np.asarray(audio.load(path))
        target.write_bytes(np.clip(samples * 32767, -32768, 32767).astype(np.int16).tobytes())
    return target


def _frames(cues: list[tuple[float, float, str]], duration_cs: int) -> list[str]:
    from skill.local.mouthcues.shapes import basic

    return [basic(s) for s in predicted_frames(cues, duration_cs)]


def _agree(a: list[str], b: list[str]) -> tuple[int, int]:
    """Frames with the same shape, and with the same side of closed ({A, X}) against open."""
    exact = sum(x == y for x, y in zip(a, b))
    open_closed = sum((x in "AX") == (y in "AX") for x, y in zip(a, b))
    return exact, open_closed


def synthetic() -> list[Recording]:
    """The Festival tuning sentences (both voices), as a yardstick: the agreement two engines reach
    on speech whose accuracy we know."""
    from bench.mouth_truth import items

    return [Recording(f"festival-{i.name}", i.wav, i.text) for i in items(CACHE) if i.split == "dev"]


def measure(items: list[Recording]) -> dict[str, dict[str, float]]:
    """Frame agreement between the four runs (ours/anchor × transcript/none), summed over files."""
    from skill.local.mouthcues import analyse_samples, audio

    runs: dict[str, dict[str, list[tuple[float, float, str]]]] = {"ours_text": {}, "ours_none": {}}
    durations: dict[str, int] = {}
    audio_seconds = 0.0
    for rec in items:
        samples = audio.load(rec.wav)
        durations[rec.name] = int(len(np.asarray(samples)) / 160)
        audio_seconds += durations[rec.name] / 100
        for key, text in (("ours_text", rec.text), ("ours_none", None)):
            track = analyse_samples(samples, text=text)
            runs[key][rec.name] = [(c.start, c.end, c.shape) for c in track.cues]
    for key, with_text in (("rhubarb_text", True), ("rhubarb_none", False)):
        jobs = [{"name": r.name, "pcm": str(_pcm(r.wav)), "text": r.text if with_text else ""} for r in items]
        results, _ = run_rhubarb(jobs)
        runs[key] = {name: [(c["start"], c["end"], c["value"]) for c in found["cues"]]
                     for name, found in results.items()}
    frames = {key: {n: _frames(runs[key][n], d) for n, d in durations.items()} for key in runs}
    pairs = {"ours vs Rhubarb, transcript": ("ours_text", "rhubarb_text"),
             "ours vs Rhubarb, no transcript": ("ours_none", "rhubarb_none"),
             "ours: transcript vs none": ("ours_text", "ours_none"),
             "Rhubarb: transcript vs none": ("rhubarb_text", "rhubarb_none")}
    total = sum(durations.values())
    out: dict[str, dict[str, float]] = {}
    for label, (a, b) in pairs.items():
        exact = open_closed = 0
        for name in durations:
            e, o = _agree(frames[a][name], frames[b][name])
            exact, open_closed = exact + e, open_closed + o
        out[label] = {"exact": exact / total, "open_closed": open_closed / total}
    out["_set"] = {"files": len(items), "seconds": audio_seconds}
    return out


def run(quick: bool) -> list[Row]:
    rows = []
    for kind, chosen in (("real speech", recordings()), ("Festival (yardstick)", synthetic())):
        found = measure(chosen[:6] if quick else chosen)
        print("mouthreal", kind, json.dumps(found), file=sys.stderr, flush=True)
        size = found.pop("_set")
        for label, value in found.items():
            rows.append(Row(f"{kind} ({size['files']:.0f} files, {size['seconds']:.0f} s): {label}",
                            f"{value['exact']:.3f} same shape", f"{value['open_closed']:.3f} same open/closed",
                            None, "report"))
    return rows
