"""``animate`` as a person runs it: the whole command in its own process (start-up, mouth-cue
analysis with the transcript, rendering, encoding), wall clock against the dialogue's length, on
a still picture and on a looped clip, at 640×480@24 and 1920×1080@30; and the process's peak RSS
for 1 and 10 minutes of dialogue (flat in length: everything streams).

Dialogue: Festival (kal diphone voice) reading sentences, repeated to length, with the sentences
as ``--text``. Characters are drawn here with Pillow: flat-colour cartoon art like a person's
(the clip sways and blinks over a still background, as cut-out animation does). There is no
anchor: no offline tool does this; the goals are the issue's. Needs: apt-get install -y festival
festvox-kallpc16k (the machine has them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from bench.common import REPO, Row

SENTENCES = ("The quick brown fox jumps over the lazy dog.", "Please pass me the blue book on the table.",
             "We will meet at the old mill before the sun goes down.",
             "My mother made a warm apple pie for the whole family.")
CACHE = Path.home() / ".cache" / "lip-sync-video-bench" / "animate"


def _speech(seconds: float) -> tuple[Path, str]:
    """A WAV of about ``seconds`` (16 kHz mono): the sentences read by Festival, repeated."""
    CACHE.mkdir(parents=True, exist_ok=True)
    parts = []
    for n, sentence in enumerate(SENTENCES):
        wav = CACHE / f"s{n}.wav"
        if not wav.exists():
            subprocess.run(["text2wave", "-o", str(wav), "-F", "16000"], input=sentence, text=True, check=True,
                           capture_output=True)
        with av.open(str(wav)) as container:
            parts.append(np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)]))
    gap = np.zeros(4000, np.int16)
    once = np.concatenate([np.concatenate([p, gap]) for p in parts])
    repeats = max(1, round(seconds * 16000 / len(once)))
    path = CACHE / f"dialogue_{repeats}.wav"
    if not path.exists():
        samples = np.tile(once, repeats)
        with av.open(str(path), "w") as out:
            stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
            for start in range(0, len(samples), 1 << 16):
                frame = av.AudioFrame.from_ndarray(samples[None, start:start + (1 << 16)], format="s16", layout="mono")
                frame.sample_rate = 16000
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
    return path, " ".join(SENTENCES * repeats)


def _cartoon(size: tuple[int, int], sway: float = 0.0, blink: bool = False) -> Image.Image:
    w, h = size
    image = Image.new("RGB", size, (120, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(h * 0.8), w, h), fill=(110, 180, 90))
    dx = int(sway * w * 0.02)
    cx, cy, r = w // 2 + dx, int(h * 0.5), int(h * 0.36)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 214, 170), outline=(60, 30, 20), width=max(2, h // 160))
    for ex in (cx - r // 2.5, cx + r // 2.5):
        if blink:
            draw.line((ex - r // 8, cy - r // 4, ex + r // 8, cy - r // 4), fill=(30, 20, 20), width=max(2, h // 120))
        else:
            draw.ellipse((ex - r // 8, cy - r // 3, ex + r // 8, cy - r // 6), fill=(255, 255, 255),
                         outline=(30, 20, 20), width=max(1, h // 240))
    return image


def _characters(size: tuple[int, int], fps: int) -> tuple[Path, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    still = CACHE / f"still_{size[0]}x{size[1]}.png"
    if not still.exists():
        _cartoon(size).save(still)
    clip = CACHE / f"clip_{size[0]}x{size[1]}_{fps}.mp4"
    if not clip.exists():
        with av.open(str(clip), "w") as out:
            stream = out.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "veryfast"})
            stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
            for i in range(2 * fps):  # two seconds, looped by animate
                frame = av.VideoFrame.from_ndarray(
                    np.asarray(_cartoon(size, np.sin(2 * np.pi * i / (2 * fps)), blink=(i % fps) < 3)), format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
    return still, clip


def _run(character: Path, audio: Path, text: str | None, fps: int,
         box: str) -> tuple[float, float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MiB) and the --json report of one whole
    ``animate`` process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.mp4"
        said = ["--text", text] if text else []
        cmd = [sys.executable, "-m", "skill", "animate", str(character), str(audio), *said,
               "--fps", str(fps), "--mouth-box", box, "-o", str(out), "--json"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)
        assert process.stdout is not None
        body = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"animate failed: {body[-500:]}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, json.loads(body)


def run(quick: bool) -> list[Row]:
    """Two figures per case. Wall clock is the goal's measure, but this machine is shared (the
    load average is printed with each row); CPU time (user + system) bounds what the same process
    does with 2 idle cores: a CPU-bound process alone never takes longer than its CPU time."""
    seconds = 15.0 if quick else 60.0
    audio, text = _speech(seconds)
    rows: list[Row] = []
    for (w, h), fps, goal in (((640, 480), 24, 5.0), ((1920, 1080), 30, 1.0)):
        still, clip = _characters((w, h), fps)
        box = f"{w // 2 - w // 10},{int(h * 0.64)},{w // 5},{h // 8}"
        for kind, character in (("still", still), ("clip", clip)):
            load = os.getloadavg()[0]
            wall, cpu, rss, report = _run(character, audio, text, fps, box)
            duration = float(report["duration"])  # type: ignore[arg-type]
            factor, bound = duration / wall, duration / cpu
            name = f"animate {w}×{h}@{fps} {kind}, {duration:.0f} s (whole command)"
            rows.append(Row(name + " wall", f"{factor:.2f}× real time, {rss:.0f} MiB", "— (no offline anchor)",
                            factor, f"≥ {goal:g}× real time", factor >= goal,
                            f"load average {load:.1f} on 2 cores; {report['frames']} frames, {report['cues']} cues"))
            rows.append(Row(name + " CPU-time bound", f"{bound:.2f}× real time ({cpu:.1f} CPU s)", "—", bound,
                            f"≥ {goal:g}× real time", bound >= goal, "duration / (user + system CPU seconds)"))
    if not quick:
        rows += memory_rows()
    return rows


def memory_rows(with_text: tuple[bool, ...] = (True, False)) -> list[Row]:
    """Peak RSS of the whole command for 1 and 10 minutes of dialogue, with and without the
    transcript (the cue engine's alignment of a long transcript is part of the command)."""
    still, _ = _characters((640, 480), 24)
    rows = []
    for text_given in with_text:
        peaks = {}
        for minutes in (1, 10):
            audio, text = _speech(60.0 * minutes)
            wall, _, rss, report = _run(still, audio, text if text_given else None, 24, "256,307,128,60")
            peaks[minutes] = (rss, wall, float(report["duration"]))  # type: ignore[arg-type]
        ratio = peaks[1][0] / peaks[10][0]
        said = "with --text" if text_given else "no text"
        rows.append(Row(f"animate peak RSS, 640×480@24 still, {said}: 1 min vs 10 min",
                        f"{peaks[1][0]:.0f} MiB / {peaks[10][0]:.0f} MiB", "—", ratio,
                        "flat (10 min within 1.25× of 1 min)", peaks[10][0] <= 1.25 * peaks[1][0],
                        f"10 min took {peaks[10][1]:.0f} s ({peaks[10][2] / peaks[10][1]:.1f}× real time)"))
    return rows
