"""Build test media on disk from a clock model: the video's camera sound and the new recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soxr

from tests.local.speechsynth import camera_chain, speech_like, studio_copy, write_video, write_wav

RATE = 48_000


def pair(tmp: Path, seconds: float, k: float, b: float, seed: int = 1, snr_db: float = 20.0,
         wav_rate: int = RATE, room: str = "close") -> tuple[Path, Path]:
    """``(video.mp4, voice.wav)`` where an event at t in the WAV happens at k·t + b in the video."""
    performance = speech_like(seconds, RATE, seed)
    video = write_video(tmp / f"video{seed}.mp4", camera_chain(performance, RATE, seed, snr_db, room), RATE)
    voice = studio_copy(performance, RATE, k, b)
    if wav_rate != RATE:
        voice = soxr.resample(voice, RATE, wav_rate, quality="VHQ")
    return video, write_wav(tmp / f"voice{seed}.wav", voice, wav_rate)


def truth_error_ms(segment_k: float, segment_b: float, k: float, b: float, seconds: float) -> float:
    """Largest disagreement (ms) between a fitted and the true line over the track."""
    t = np.linspace(0, seconds, 101)
    b_true = round(b * RATE) / RATE  # the generator shifts by whole samples
    return float(np.max(np.abs((segment_k * t + segment_b) - (k * t + b_true))) * 1000)


def drop_in_pause(performance: np.ndarray, around: float, seconds: float) -> tuple[np.ndarray, float]:
    """The performance with ``seconds`` removed in the middle of the longest pause within ±3 s of
    ``around`` (a camera that dropped a chunk), and where the cut is (s)."""
    energy = np.convolve(performance**2, np.ones(4800) / 4800, mode="same")
    lo = int((around - 3) * RATE)
    quiet = (energy[lo: lo + 6 * RATE] < 1e-7).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet, [0]))))
    start, end = max(zip(edges[::2], edges[1::2]), key=lambda span: span[1] - span[0])
    cut = lo + (start + end) // 2
    return np.concatenate((performance[:cut], performance[cut + int(seconds * RATE):])), cut / RATE


def remux_copy(source: Path, target: Path) -> Path:
    """Every stream of ``source`` copied into ``target``'s container (MPEG-TS starts its clock late)."""
    import av

    with av.open(str(source)) as src, av.open(str(target), "w") as dst:
        streams = {s.index: dst.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                dst.mux(packet)
    return target
