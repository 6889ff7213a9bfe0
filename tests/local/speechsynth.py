"""Speech-like test media: voiced/unvoiced syllables with formants and pauses, a simulated camera
chain (reverb, band-pass, noise, AAC) and known clock models. Used by the tests, the committed
fixtures' generator and the alignment benchmark; nothing here is part of the product."""

from __future__ import annotations

import fractions
import wave
from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np
import soxr


def speech_like(seconds: float, rate: int = 48_000, seed: int = 0, take: int = 0) -> np.ndarray:
    """Syllables of glottal pulses shaped by three formants, fricative bursts, and pauses.

    ``seed`` fixes the words' rhythm (syllable lengths, voicing, pauses); ``take`` the voice that
    says them (pitch, formants, noise, level): another take is a re-recorded performance with the
    same rhythm, the hardest case for a waveform matcher to refuse.
    """
    rhythm = np.random.default_rng(seed)
    voice = np.random.default_rng((seed, take))
    out = np.zeros(int(seconds * rate), np.float32)
    t = 0.1
    while t < seconds - 0.3:
        if rhythm.random() < 0.12:
            t += rhythm.uniform(0.25, 0.7)  # a pause between phrases
            continue
        length = rhythm.uniform(0.08, 0.25)
        n = int(length * rate)
        if rhythm.random() < 0.75:  # voiced
            f0 = voice.uniform(95, 220) * (1 + 0.05 * np.sin(np.linspace(0, 3, n)))
            phase = np.cumsum(f0 / rate)
            source = (np.diff(np.floor(phase), prepend=0) > 0).astype(np.float64)
            formants = voice.uniform((300, 900, 2200), (800, 2200, 3200))
        else:
            source = voice.standard_normal(n) * 0.3
            formants = voice.uniform((2500, 4000, 5500), (3500, 5500, 7000))
        spectrum = np.fft.rfft(source)
        freqs = np.fft.rfftfreq(n, 1 / rate)
        shape = sum(1 / (1 + ((freqs - f) / (60 + 0.08 * f)) ** 2) for f in formants)
        syllable = np.fft.irfft(spectrum * shape, n)
        syllable *= np.hanning(n) * voice.uniform(0.3, 1.0) / (np.abs(syllable).max() + 1e-9)
        start = int(t * rate)
        out[start: start + n] += syllable[: len(out) - start].astype(np.float32)
        t += length + rhythm.uniform(0.0, 0.08)
    return 0.5 * out


def _fft_convolve(x: np.ndarray, h: np.ndarray, block: int = 1 << 18) -> np.ndarray:
    """Overlap-add convolution, so hour-long signals stay in memory bounds."""
    n = 1 << int(np.ceil(np.log2(block + len(h) - 1)))
    hf = np.fft.rfft(h, n)
    y = np.zeros(len(x) + len(h) - 1)
    for i in range(0, len(x), block):
        seg = np.fft.irfft(np.fft.rfft(x[i: i + block], n) * hf, n)[: min(block, len(x) - i) + len(h) - 1]
        y[i: i + len(seg)] += seg
    return y[: len(x)]


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float], n: int) -> np.ndarray:
    """Impulse response of a causal biquad (RBJ cookbook coefficients, a[0] = 1)."""
    h = np.zeros(n)
    x1 = x2 = y1 = y2 = 0.0
    for i in range(n):
        x0 = 1.0 if i == 0 else 0.0
        y0 = b[0] * x0 + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        h[i], x2, x1, y2, y1 = y0, x1, x0, y1, y0
    return h


def _butterworth(kind: str, cutoff: float, rate: int, n: int = 8192) -> np.ndarray:
    w = 2 * np.pi * cutoff / rate
    alpha, cos = np.sin(w) / np.sqrt(2), np.cos(w)
    gain = (1 + cos) / 2 if kind == "high" else (1 - cos) / 2
    b = (gain, -2 * gain if kind == "high" else 2 * gain, gain)
    norm = 1 + alpha
    return _biquad_response(tuple(c / norm for c in b), (1.0, -2 * cos / norm, (1 - alpha) / norm), n)


ROOMS = ("close", "2m")


def _room_response(room: str, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Impulse response from the talker's mouth to the camera mic; sample 0 is the direct sound.

    ``close``: the original chain — direct path 1.0, then nothing for 4 ms, then a diffuse tail of
    white noise at 0.08 per sample (RT60 0.3 s), no discrete reflections. Summed over 48 kHz samples
    that tail carries ~7.5 dB more energy than the direct sound; what makes it easy is that nothing
    arrives in the first 4 ms and no single reflection stands out.
    ``2m``: a camera about 2 m away in a furnished room of ~150 m³ — RT60 0.5 s, discrete first
    reflections 3–8 ms after the direct sound (ceiling, floor, desk, side walls, back wall; gain ≈
    path-length ratio × reflection coefficient), a diffuse tail from 8 ms, all reverberant energy
    scaled to equal the direct sound (DRR 0 dB), about two thirds of it in the first reflections.
    """
    if room == "close":
        length = int(0.35 * rate)
        ir = rng.standard_normal(length) * np.exp(-6.9 * np.arange(length) / (0.3 * rate)) * 0.08
        ir[: int(0.004 * rate)] = 0
        ir[0] = 1.0
        return ir
    if room != "2m":
        raise ValueError(f"unknown room {room!r}")
    rt60, onset = 0.5, 0.008
    length = int(0.6 * rate)
    t = np.arange(length) / rate
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    tail *= np.clip((t - onset) / 0.004, 0, 1)  # the diffuse field builds up after the first reflections
    early = np.zeros(length)
    # (delay s, gain): ceiling, floor, desk, two side walls, back wall — image-source distances for a
    # talker 2 m from the camera, both 1.5 m high, ceiling 2.7 m; reflection coefficients 0.6–0.85
    for delay, gain in ((0.0033, 0.35), (0.0046, 0.50), (0.0052, 0.30), (0.0061, 0.30), (0.0072, 0.25),
                        (0.0080, 0.20)):
        early[round(delay * rate)] += gain
    reverb = early + tail * np.sqrt(max(1.0 - np.sum(early**2), 0.0) / np.sum(tail**2))
    reverb[0] = 1.0  # direct sound; Σ reverb[1:]² = 1, i.e. DRR 0 dB
    return reverb


def camera_chain(x: np.ndarray, rate: int, seed: int = 1, snr_db: float = 20.0, room: str = "close") -> np.ndarray:
    """What a camera mic records: room reverb (see ``_room_response``), the causal 150 Hz
    high-pass and 4 kHz low-pass of its preamp (real group delay, which biases plain
    cross-correlation), and noise. The direct sound is the truth."""
    rng = np.random.default_rng(seed)
    ir = _room_response(room, rate, rng)
    response = np.convolve(_butterworth("high", 150, rate), _butterworth("low", 4000, rate))[:8192]
    y = _fft_convolve(x, np.convolve(ir, response))
    noise = rng.standard_normal(len(y)) * np.sqrt(np.mean(y**2) / 10 ** (snr_db / 10))
    y = y + noise
    return (0.5 * y / (np.abs(y).max() + 1e-9)).astype(np.float32)


def studio_copy(performance: np.ndarray, rate: int, k: float, b: float) -> np.ndarray:
    """The new recording such that an event at t in it happens at k·t + b in ``performance``."""
    shifted = performance[round(b * rate):] if b >= 0 else np.concatenate(
        (np.zeros(round(-b * rate), np.float32), performance))
    return soxr.resample(shifted, rate, rate / k, quality="VHQ").astype(np.float32)


def write_wav(path: Path, x: np.ndarray, rate: int, channels: int = 1) -> Path:
    """16-bit PCM WAV of samples in -1..1: mono (``channels`` > 1 repeats it in each channel), or
    samples x channels."""
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    if pcm.ndim == 2:
        channels = pcm.shape[1]
        pcm = pcm.reshape(-1)
    elif channels > 1:
        pcm = np.repeat(pcm[:, None], channels, axis=1).reshape(-1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def write_video(path: Path, audio: np.ndarray | None, rate: int = 48_000, fps: int = 12,
                size: tuple[int, int] = (96, 64), audio_bitrate: int = 64_000) -> Path:
    """A tiny H.264 clip (a moving bar) with ``audio`` as AAC, starting at time 0; None: no audio track."""
    seconds = (len(audio) / rate) if audio is not None else 3.0
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps, options={"crf": "35", "preset": "veryfast"})
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        sound = out.add_stream("aac", rate=rate, layout="mono") if audio is not None else None
        if sound is not None:
            sound.bit_rate = audio_bitrate
        mux_pictures(out, video, (_bar(size, i) for i in range(int(seconds * fps))))
        if sound is not None and audio is not None:
            mux_mono(out, sound, audio, rate)
    return path


def _bar(size: tuple[int, int], i: int) -> np.ndarray:
    img = np.zeros((size[1], size[0], 3), np.uint8)
    img[:, (i * 3) % size[0]] = 255
    return img


def mux_pictures(out: av.container.OutputContainer, video: av.video.stream.VideoStream,
                 pictures: Iterable[np.ndarray]) -> None:
    """Encode RGB pictures into ``video``, one per frame (pts = its index), then flush it."""
    for i, img in enumerate(pictures):
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = i
        out.mux(video.encode(frame))
    out.mux(video.encode(None))


def mux_mono(out: av.container.OutputContainer, sound: av.audio.stream.AudioStream, audio: np.ndarray,
             rate: int) -> None:
    """Encode mono float samples into ``sound`` in 1024-sample frames, then flush it."""
    for start in range(0, len(audio), 1024):
        frame = av.AudioFrame.from_ndarray(audio[None, start: start + 1024].astype(np.float32),
                                           format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = fractions.Fraction(1, rate)
        out.mux(sound.encode(frame))
    out.mux(sound.encode(None))
