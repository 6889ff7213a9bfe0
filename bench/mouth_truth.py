"""Ground truth for the mouth-cue benchmark: Festival speech with its exact phone times.

Both Debian voices (festvox-kallpc16k: male diphone, 16 kHz; festvox-us-slt-hts: female HTS,
32 kHz) say Harvard sentences; ``utt.save.segs`` writes each phone's end time for exactly the
waveform written. Sentences 0–19 are the DEV split (tune on these), 20–39 the HELD-OUT split
(never tuned on, but scored several times while the engine was built), 40–59 the FRESH split
(added later and scored once before any further change: the clean held-out figure). Degraded
copies: reverb (sox), white noise at 15 dB SNR, MP3 64 kbit/s,
44.1 kHz stereo, AAC inside an MP4 with a picture. Needs: apt-get install -y festival
festvox-kallpc16k festvox-us-slt-hts sox (bench/setup_mouthcues.sh).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SENTENCES = [
    # DEV (0-19)
    "The birch canoe slid on the smooth planks.", "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.", "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.", "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.", "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.", "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.", "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.", "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.", "A pot of tea helps to pass the evening.",
    "Smoky fires lack flame and heat.", "The soft cushion broke the man's fall.",
    "The salt breeze came across from the sea.", "The girl at the booth sold fifty bonds.",
    # HELD-OUT (20-39)
    "The small pup gnawed a hole in the sock.", "The fish twisted and turned on the bent hook.",
    "Press the pants and sew a button on the vest.", "The swan dive was far short of perfect.",
    "The beauty of the view stunned the young boy.", "Two blue fish swam in the tank.",
    "Her purse was full of useless trash.", "The colt reared and threw the tall rider.",
    "It snowed, rained, and hailed the same morning.", "Read verse out loud for pleasure.",
    "Hoist the load to your left shoulder.", "Take the winding path to reach the lake.",
    "Note closely the size of the gas tank.", "Wipe the grease off his dirty face.",
    "Mend the coat before you go out.", "The wrist was badly strained and hung limp.",
    "The stray cat gave birth to kittens.", "The young girl gave no clear response.",
    "The meal was cooked before the bell rang.", "What joy there is in living.",
    # FRESH (40-59): added after 20-39 had been scored several times; scored once before any change
    "A king ruled the state in the early days.", "The ship was torn apart on the sharp reef.",
    "Sickness kept him home the third week.", "The wide road shimmered in the hot sun.",
    "The lazy cow lay in the cool grass.", "Lift the square stone over the fence.",
    "The rope will bind the seven books at once.", "Hop over the fence and plunge in.",
    "The friendly gang left the drug store.", "Mesh wire keeps chicks inside.",
    "The frosty air passed through the coat.", "The crooked maze failed to fool the mouse.",
    "Adding fast leads to wrong sums.", "The show was a flop from the very start.",
    "A saw is a tool used for making boards.", "The wagon moved on well oiled wheels.",
    "March the soldiers past the next hill.", "A cup of sugar makes sweet fudge.",
    "Place a rosebush near the porch steps.", "Both lost their lives in the raging storm.",
]
SPLITS = ("dev", "heldout", "fresh")
VOICES = {"kal": "(voice_kal_diphone)", "slt": "(voice_cmu_us_slt_arctic_hts)"}
DEGRADATIONS = ("reverb", "noise", "mp3", "stereo44k", "mp4")
_FESTIVAL = {"pau": "SIL", "h#": "SIL", "brth": "SIL", "ax": "AX"}


@dataclass(frozen=True)
class Item:
    name: str  # e.g. "kal_03"
    split: str  # "dev" | "heldout" | "fresh"
    text: str
    wav: Path
    phones: list[tuple[str, float, float]]  # (CMU phone | SIL | AX, start s, end s)


def split_of(i: int) -> str:
    return SPLITS[min(i // 20, 2)]


def _synthesise(voice: str, folder: Path, indices: list[int]) -> None:
    lines = [VOICES[voice]]
    for i in indices:
        sentence = SENTENCES[i]
        stem = folder / f"{voice}_{i:02d}"
        quoted = sentence.replace('"', '\\"')
        lines.append(f'(set! utt (Utterance Text "{quoted}"))(utt.synth utt)'
                     f'(utt.save.wave utt "{stem}.wav" \'riff)(utt.save.segs utt "{stem}.segs")')
    script = folder / f"{voice}.scm"
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["festival", "-b", str(script)], check=True, capture_output=True)


def _segs(path: Path) -> list[tuple[str, float, float]]:
    out: list[tuple[str, float, float]] = []
    start = 0.0
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[0] == "#":
            continue
        end = float(parts[0])
        out.append((_FESTIVAL.get(parts[2], parts[2].upper()), start, end))
        start = end
    return out


def items(cache: Path) -> list[Item]:
    """All clean items, synthesising them on first use."""
    folder = cache / "festival"
    folder.mkdir(parents=True, exist_ok=True)
    for voice in VOICES:
        # only the missing ones: other benchmark runs may be reading the existing files
        missing = [i for i in range(len(SENTENCES)) if not (folder / f"{voice}_{i:02d}.segs").exists()]
        if missing:
            _synthesise(voice, folder, missing)
    out = []
    for voice in VOICES:
        for i, sentence in enumerate(SENTENCES):
            stem = folder / f"{voice}_{i:02d}"
            out.append(Item(stem.name, split_of(i), sentence, stem.with_suffix(".wav"),
                            _segs(stem.with_suffix(".segs"))))
    return out


def deviate(text: str, i: int) -> str:
    """The transcript off by one word: a word dropped (even i) or an extra one inserted (odd i)."""
    words = text.rstrip(".").split()
    if i % 2 == 0 and len(words) > 3:
        del words[len(words) // 2]
    else:
        words.insert(len(words) // 2, "really")
    return " ".join(words) + "."


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    import wave

    with wave.open(str(path)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768.0
    return data, rate


def _write_wav(path: Path, data: np.ndarray, rate: int, channels: int = 1) -> None:
    import wave

    pcm = np.clip(data * 32767.0, -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def _encode(path: Path, data: np.ndarray, rate: int, codec: str, with_video: bool) -> None:
    import av

    with av.open(str(path), "w") as out:
        if with_video:
            video = out.add_stream("mpeg4", rate=25)
            video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio = out.add_stream(codec, rate=rate)
        audio.bit_rate = 64000
        audio.layout = "mono"
        samples = data.astype(np.float32)
        step = 1152 if codec == "libmp3lame" else 1024
        fmt = "fltp" if codec == "aac" else "s16p"
        frames_video = int(len(samples) / rate * 25) + 1
        if with_video:
            picture = np.zeros((64, 64, 3), np.uint8)
            for n in range(frames_video):
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                frame.pts = n
                out.mux(video.encode(frame))
            out.mux(video.encode(None))
        for start in range(0, len(samples), step):
            chunk = samples[start:start + step]
            if fmt == "s16p":
                chunk = (np.clip(chunk, -1, 1) * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format=fmt, layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))


def degrade(item: Item, kind: str, cache: Path) -> Path:
    """A degraded copy of the item's audio (cached)."""
    folder = cache / "degraded"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = {"mp3": ".mp3", "mp4": ".mp4"}.get(kind, ".wav")
    target = folder / f"{item.name}.{kind}{suffix}"
    if target.exists():
        return target
    data, rate = _read_wav(item.wav)
    if kind == "reverb":
        subprocess.run(["sox", str(item.wav), str(target), "reverb", "50", "50", "60"], check=True,
                       capture_output=True)
    elif kind == "noise":
        rng = np.random.default_rng(len(item.name) + sum(map(ord, item.name)))
        power = float(np.mean(data[np.abs(data) > 0.01] ** 2)) if np.any(np.abs(data) > 0.01) else 1e-4
        noise = rng.standard_normal(len(data)).astype(np.float32) * np.sqrt(power / 10 ** 1.5)
        _write_wav(target, data + noise, rate)
    elif kind == "stereo44k":
        import soxr

        up = soxr.resample(data, rate, 44100)
        _write_wav(target, np.stack([up, up * 0.8], axis=1).reshape(-1), 44100, channels=2)
    elif kind == "mp3":
        _encode(target, data, rate, "libmp3lame", with_video=False)
    elif kind == "mp4":
        _encode(target, data, rate, "aac", with_video=True)
    return target


def manifest(cache: Path) -> Path:
    """A JSON list of the items (for inspection)."""
    path = cache / "truth.json"
    path.write_text(json.dumps([{"name": i.name, "split": i.split, "text": i.text, "wav": str(i.wav),
                                 "phones": i.phones} for i in items(cache)], indent=1))
    return path
