"""The memory-mapped WAV reader gives exactly what the general decoder gives."""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
import pytest

from skill.media import decode


def _write(path: Path, codec: str, fmt: str, layout: str, samples: np.ndarray, rate: int) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(samples, format=fmt, layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, 0, fractions.Fraction(1, rate)
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(("codec", "layout"), [
    ("pcm_s16le", "mono"), ("pcm_s32le", "stereo"), ("pcm_f32le", "stereo"),
])
def test_mapped_wav_matches_the_decoder(tmp_path: Path, codec: str, layout: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rate, channels = 44_100, 1 if layout == "mono" else 2
    signal = np.random.default_rng(0).uniform(-0.5, 0.5, (channels, rate)).astype(np.float32)
    path = _write(tmp_path / "x.wav", codec, "fltp", layout, signal, rate)
    assert decode._wav_samples(path) is not None
    mapped_native, mapped = decode.decode_native(path), decode.decode_mono(path)
    monkeypatch.setattr(decode, "_wav_samples", lambda _path: None)
    decoded_native, decoded = decode.decode_native(path), decode.decode_mono(path)
    assert mapped_native.rate == decoded_native.rate == rate
    assert np.allclose(mapped_native.samples, decoded_native.samples, atol=1e-6)
    assert len(mapped.samples) == len(decoded.samples)
    assert np.allclose(mapped.samples, decoded.samples, atol=1e-6)


def test_a_truncated_wav_is_left_to_the_decoder(tmp_path: Path) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt ")
    assert decode._wav_samples(path) is None


@pytest.mark.parametrize("expected", [0.0, 1.0, 5.0, 600.0], ids=["unknown", "short", "right", "long"])
def test_downsampling_buffer_holds_any_length(expected: float) -> None:
    """A wrong or missing duration hint only costs a copy, never samples."""
    x = np.random.default_rng(1).standard_normal(5 * 48_000).astype(np.float32)
    sink = decode._Downsample(16_000)
    sink.expect(expected)
    for start in range(0, len(x), 1024):
        sink.add(x[start: start + 1024], 48_000)
    track = sink.finish(48_000)
    whole = decode._Downsample(16_000)
    whole.add(x, 48_000)
    assert np.array_equal(track.samples, whole.finish(48_000).samples)
    assert len(track.samples) == 5 * 16_000
