"""Dub-fit benchmark cases with exactly known phrase boundaries.

Original: English sentences said by Festival (kal diphone or slt HTS, two voices), one phrase each,
joined by random pauses after a leading silence, at 48 kHz, with noise added. Dub: other sentences
in Spanish, German or French said by espeak-ng (another voice), each one's speed chosen so it runs
30 % shorter to 30 % longer than the original phrase it stands for, other pauses, another leading
silence, at 44.1 kHz. Some cases have a phrase more (one original phrase said as two dub phrases) or
a phrase fewer (two original phrases said as one). Boundaries are where each clean phrase's 1 ms
RMS first and last exceeds -50 dBFS, the same rule ``bench_fit`` scores the outputs by.

Needs ``apt-get install -y festival festvox-kallpc16k festvox-us-slt-hts espeak-ng`` (bench only).
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soxr

ORIGINAL_RATE, DUB_RATE = 48_000, 44_100
GATE_DB = -50.0  # the boundary rule: 1 ms RMS above this (phrases are normalised to -6 dBFS peak)

EN = [
    "I never thought the harbour would look this quiet in the morning.",
    "Take the second road on the left and follow it to the river.",
    "We finished the report late last night.",
    "Honestly, nobody expected the weather to change so fast.",
    "She opened the window and listened to the rain.",
    "That was the best coffee I have had all week.",
    "Please keep the receipt until the parcel arrives.",
    "Our train leaves at seven, so we should hurry.",
    "He spent the whole summer repairing an old boat.",
    "Let me show you how the new machine works.",
    "The museum closes early on Sundays.",
    "Maybe we can talk about it after lunch.",
    "Every child in the village knew the story.",
    "Turn the volume down a little, please.",
    "I have been waiting for this moment for years.",
    "The bridge was built more than a century ago.",
    "Could you send me the pictures from yesterday?",
    "Nothing in this kitchen is where I left it.",
    "They walked along the beach until sunset.",
    "Sometimes the simplest answer is the right one.",
]
DUB = {
    "es": ["Nunca pensé que el puerto estaría tan tranquilo.", "Toma la segunda calle a la izquierda.",
           "Terminamos el informe muy tarde anoche.", "Nadie esperaba que el tiempo cambiara tan rápido.",
           "Abrió la ventana y escuchó la lluvia.", "Fue el mejor café de toda la semana.",
           "Guarda el recibo hasta que llegue el paquete.", "Nuestro tren sale a las siete.",
           "Pasó todo el verano reparando un barco viejo.", "Déjame enseñarte cómo funciona la máquina.",
           "El museo cierra temprano los domingos.", "Quizás podamos hablar después de comer."],
    "de": ["Ich hätte nie gedacht, dass der Hafen so ruhig ist.", "Nimm die zweite Straße links.",
           "Wir haben den Bericht gestern spät beendet.", "Niemand hat mit diesem Wetter gerechnet.",
           "Sie öffnete das Fenster und hörte dem Regen zu.", "Das war der beste Kaffee der Woche.",
           "Bitte bewahre die Quittung auf.", "Unser Zug fährt um sieben, wir sollten uns beeilen.",
           "Er hat den ganzen Sommer ein altes Boot repariert.", "Das Museum schließt sonntags früh."],
    "fr": ["Je n'aurais jamais cru que le port serait si calme.", "Prends la deuxième rue à gauche.",
           "Nous avons fini le rapport tard hier soir.", "Personne ne s'attendait à ce changement de temps.",
           "Elle a ouvert la fenêtre pour écouter la pluie.", "C'était le meilleur café de la semaine.",
           "Garde le reçu jusqu'à l'arrivée du colis.", "Notre train part à sept heures.",
           "Il a passé tout l'été à réparer un vieux bateau.", "Le musée ferme tôt le dimanche."],
}
VOICES = ("voice_kal_diphone", "voice_cmu_us_slt_arctic_hts")
DUB_VOICES = {"es": ("es", "es+f3"), "de": ("de", "de+m3"), "fr": ("fr", "fr+f2")}


@dataclass
class Case:
    name: str
    original: Path
    dub: Path
    # truth: per group (what the fit should produce) the original's span, and the dub phrases in it
    groups: list[tuple[float, float]] = field(default_factory=list)
    original_phrases: list[tuple[float, float]] = field(default_factory=list)
    dub_groups: list[tuple[float, float]] = field(default_factory=list)
    duration: float = 0.0


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        return data, w.getframerate()


def _write(path: Path, x: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def gate(x: np.ndarray, rate: int) -> np.ndarray:
    """Per millisecond (exact: 44.1 samples at 44.1 kHz), whether its RMS is above GATE_DB."""
    n = int(len(x) * 1000 // rate)
    bounds = (np.arange(n + 1) * rate) // 1000
    power = np.add.reduceat(x[: bounds[-1]].astype(np.float64) ** 2, bounds[:-1]) / np.diff(bounds)
    return 10 * np.log10(power + 1e-20) > GATE_DB


def _trim(x: np.ndarray, rate: int) -> np.ndarray:
    """The phrase from its first to its last audible millisecond, peak at -6 dBFS."""
    x = 0.5 * x / (np.abs(x).max() + 1e-9)
    on = np.flatnonzero(gate(x, rate))
    return x[on[0] * rate // 1000: (on[-1] + 1) * rate // 1000]


def _festival(text: str, voice: str, rate: int, tmp: Path) -> np.ndarray:
    (tmp / "t.txt").write_text(text)
    subprocess.run(["text2wave", "-eval", f"({voice})", str(tmp / "t.txt"), "-o", str(tmp / "f.wav")],
                   check=True, capture_output=True)
    x, r = _read(tmp / "f.wav")
    return _trim(soxr.resample(x, r, rate), rate)


def _espeak(text: str, voice: str, speed: int, rate: int, tmp: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(tmp / "e.wav"), text],
                   check=True, capture_output=True)
    x, r = _read(tmp / "e.wav")
    return _trim(soxr.resample(x, r, rate), rate)


def _dub_phrase(texts: list[str], voice: str, target: float, tmp: Path) -> np.ndarray:
    """espeak-ng at the speed that makes a phrase ``target`` seconds long (within 4 %): the first
    of ``texts`` that gets there at a natural speed (110-300 words a minute), else the closest."""
    best: np.ndarray | None = None
    for text in texts:
        speed = 160
        x = _espeak(text, voice, speed, DUB_RATE, tmp)
        for _ in range(4):
            length = len(x) / DUB_RATE
            if abs(length / target - 1) < 0.04:
                return x
            speed = int(np.clip(speed * length / target, 110, 300))
            x = _espeak(text, voice, speed, DUB_RATE, tmp)
        if best is None or abs(len(x) / DUB_RATE - target) < abs(len(best) / DUB_RATE - target):
            best = x
    assert best is not None
    return best


def _texts(pool: list[str], n: int) -> list[str]:
    """Candidate texts for dub phrase ``n``: single sentences first, then two or three joined, so
    any slot can be met at a natural speaking rate."""
    single = [pool[(n + k) % len(pool)] for k in range(len(pool))]

    def join(parts: list[str]) -> str:
        return " ".join([parts[0].rstrip(".")] + [p[0].lower() + p[1:].rstrip(".") for p in parts[1:]]) + "."

    doubles = [join(single[k: k + 2]) for k in range(len(single) - 1)]
    triples = [join(single[k: k + 3]) for k in range(len(single) - 2)]
    return single[:4] + doubles[:4] + triples[:3]


def make(name: str, folder: Path, seed: int, phrases: int = 8, extra: int = 0, snr_db: float = 25.0) -> Case:
    """One case; ``extra`` +1: a dub phrase more, -1: a phrase fewer."""
    rng = np.random.default_rng(seed)
    lang = ("es", "de", "fr")[seed % 3]
    voice = VOICES[seed % 2]
    dub_voice = DUB_VOICES[lang][(seed // 2) % 2]
    texts = list(rng.permutation(EN))[:phrases]
    dub_texts = list(rng.permutation(DUB[lang]))
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        said = [_festival(s, voice, ORIGINAL_RATE, tmp) for s in texts]
        pauses = rng.uniform(0.3, 1.4, phrases)
        lead = rng.uniform(0.8, 2.5)
        spans, pos = [], lead
        for x, pause in zip(said, pauses):
            spans.append((pos, pos + len(x) / ORIGINAL_RATE))
            pos += len(x) / ORIGINAL_RATE + pause
        duration = pos + rng.uniform(0.5, 1.5)
        # groups: original index ranges said as dub phrase counts
        plan: list[tuple[list[int], int]] = [([i], 1) for i in range(phrases)]
        if extra > 0:
            k = int(rng.integers(1, phrases - 1))
            plan[k] = ([k], 2)
        elif extra < 0:
            k = int(np.argmin(pauses[1:-2])) + 1  # merge across the shortest pause, as a translator would
            plan = [*plan[:k], ([k, k + 1], 1), *plan[k + 2:]]
        dub_parts: list[np.ndarray] = []
        dub_groups: list[tuple[float, float]] = []
        groups: list[tuple[float, float]] = []
        dpos = rng.uniform(0.2, 0.8)
        dub_parts.append(np.zeros(int(dpos * DUB_RATE), np.float32))
        for n, (idx, count) in enumerate(plan):
            o0, o1 = spans[idx[0]][0], spans[idx[-1]][1]
            groups.append((o0, o1))
            target = (o1 - o0) * rng.uniform(0.7, 1.3)
            start = dpos
            if count == 1:
                pieces = [_dub_phrase(_texts(dub_texts, n), dub_voice, target, tmp)]
            else:
                inner = rng.uniform(0.3, 0.5)
                part = (target - inner) / 2
                pieces = [_dub_phrase(_texts(dub_texts, n), dub_voice, part * 1.1, tmp),
                          np.zeros(int(inner * DUB_RATE), np.float32),
                          _dub_phrase(_texts(dub_texts, n + 5), dub_voice, part * 0.9, tmp)]
            for p in pieces:
                dub_parts.append(p)
                dpos += len(p) / DUB_RATE
            dub_groups.append((start, dpos))
            gap = rng.uniform(0.3, 1.0)
            dub_parts.append(np.zeros(int(gap * DUB_RATE), np.float32))
            dpos += gap
        dub = np.concatenate(dub_parts)
    orig = np.zeros(int(duration * ORIGINAL_RATE), np.float32)
    for (s, _), x in zip(spans, said):
        i = round(s * ORIGINAL_RATE)
        orig[i: i + len(x)] = x
    speech_rms = np.sqrt(np.mean(np.concatenate(said) ** 2))
    noise = np.random.default_rng(seed + 99).standard_normal(len(orig)).astype(np.float32)
    orig += noise * speech_rms * 10 ** (-snr_db / 20)
    folder.mkdir(parents=True, exist_ok=True)
    case = Case(name, folder / f"{name}.original.wav", folder / f"{name}.dub.wav", groups, spans, dub_groups,
                duration)
    _write(case.original, orig, ORIGINAL_RATE)
    _write(case.dub, dub, DUB_RATE)
    return case
