"""``lip-sync-video fit`` end to end: outputs, the copied video stream, every refusal."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from tests.local.dubfit.conftest import DUB, DURATION, ORIGINAL
from tests.local.dubfit.synth import track
from tests.local.speechsynth import write_video, write_wav

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


def _decoded(path: Path) -> tuple[np.ndarray, int]:
    """Every decoded sample (channels x samples, as FFmpeg gives them: priming and gapless info
    honoured) and the rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = []
        for frame in container.decode(stream):
            data = frame.to_ndarray()
            if not frame.format.is_planar:
                data = data.reshape(-1, len(frame.layout.channels)).T
            chunks.append(data.astype(np.float32) / (32768 if data.dtype == np.int16 else 1))
        return np.concatenate(chunks, axis=1), int(stream.sample_rate)


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_video_out_copies_the_picture_and_carries_the_fitted_dub(fit_cli: Callable, video: Path,
                                                                 pair: tuple[Path, Path], tmp_path: Path,
                                                                 suffix: str) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"fitted{suffix}"
    result = fit_cli("fit", video, pair[1], "--output", out, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["output"] == str(out) and report["video_copied"]
    assert _packets(out) == _packets(video)  # same packets, byte for byte: nothing re-encoded
    with av.open(str(out)) as written, av.open(str(video)) as source:
        assert written.streams.video[0].codec_context.name == source.streams.video[0].codec_context.name
        assert len(written.streams.audio) == 1 and written.streams.audio[0].codec_context.name == "aac"
        assert abs(written.duration - source.duration) / av.time_base <= 1 / 12  # one frame at 12 fps
    samples, rate = _decoded(out)
    assert len(samples) == 2 and abs(samples.shape[1] / rate - DURATION) <= 1 / 12  # the dub's channels
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left beside it


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3"])
def test_audio_out_is_exactly_as_long_as_the_original_in_the_dubs_rate_and_channels(
        fit_cli: Callable, pair: tuple[Path, Path], tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"fitted{suffix}"
    assert fit_cli("fit", *pair, "-o", out).code == 0
    samples, rate = _decoded(out)  # MP3: LAME's header gives the encoder delay and padding
    assert rate == 44_100  # the dub's own rate
    assert samples.shape == (2, round(DURATION * rate))


def test_m4a_out_is_exact_by_its_edit_list_and_decodes_under_one_aac_frame_longer(
        fit_cli: Callable, pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "fitted.m4a"
    assert fit_cli("fit", *pair, "-o", out).code == 0
    with av.open(str(out)) as container:
        assert container.duration == round(DURATION * av.time_base)  # the edit list says exactly this
    samples, rate = _decoded(out)
    expected = round(DURATION * rate)
    # FFmpeg skips the priming the edit list names but keeps the last, partly edited frame whole
    assert len(samples) == 2 and 0 <= samples.shape[1] - expected < 1024
    assert np.abs(samples[:, expected:]).max(initial=0.0) < 1e-3  # and that tail is silence


def test_a_stereo_dub_stays_stereo_its_channels_cut_alike(fit_cli: Callable, pair: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    left = track(DUB, 11.0, 44_100, 190, seed=3)
    right = 0.5 * np.concatenate((np.zeros(7, np.float32), left[:-7]))  # half as loud, 7 samples later
    dub = write_wav(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 44_100)
    out = tmp_path / "fitted.flac"
    assert fit_cli("fit", pair[0], dub, "-o", out).code == 0
    (l_out, r_out), rate = _decoded(out)
    assert len(l_out) == round(DURATION * rate)
    lags = list(range(-20, 21))
    corr = [float(np.dot(l_out[40:-40], r_out[40 + lag: len(r_out) - 40 + lag])) for lag in lags]
    assert lags[int(np.argmax(corr))] == 7  # the image is where it was: no channel moved against the other
    residual = r_out[7:] - 0.5 * l_out[:-7]
    assert np.sqrt(np.mean(residual**2)) < 0.05 * np.sqrt(np.mean(r_out**2))


@pytest.mark.parametrize(("suffix", "channels"), [(".flac", 6), (".mp3", 2)])
def test_a_six_channel_dub_keeps_its_channels_where_the_format_can(fit_cli: Callable, pair: tuple[Path, Path],
                                                                  tmp_path: Path, suffix: str, channels: int) -> None:
    voice = track(DUB, 11.0, 44_100, 190, seed=3)
    dub = write_wav(tmp_path / "six.wav", np.stack([voice * (0.3 + 0.1 * k) for k in range(6)], axis=1), 44_100)
    out = tmp_path / f"fitted{suffix}"
    assert fit_cli("fit", pair[0], dub, "-o", out).code == 0
    samples, rate = _decoded(out)  # MP3 holds two: the six are mixed down to stereo
    assert samples.shape == (channels, round(DURATION * rate))


def test_phrases_land_where_the_original_speaks(fit_cli: Callable, pair: tuple[Path, Path], tmp_path: Path) -> None:
    result = fit_cli("fit", *pair, "-o", tmp_path / "f.wav", "--json")
    report = result.json()
    assert len(report["phrases"]) == len(ORIGINAL)
    for entry, (start, length) in zip(report["phrases"], ORIGINAL):
        assert abs(entry["original"][0] - start) <= 0.01 and abs(entry["original"][1] - start - length) <= 0.01
        assert abs(entry["placed"][0] - start) <= 0.015
        assert abs(entry["placed"][1] - start - length) <= 0.03
        assert entry["warning"] is None
    assert report["warnings"] == []
    # and the written sound agrees (an energy gate, not the engine's own VAD)
    stereo, rate = _decoded(tmp_path / "f.wav")
    samples = stereo[0]
    for start, length in ORIGINAL:
        before = samples[int((start - 0.08) * rate): int((start - 0.02) * rate)]
        inside = samples[int((start + 0.02) * rate): int((start + length - 0.05) * rate)]
        assert np.abs(before).max() < 0.01 < np.sqrt(np.mean(inside**2))


@pytest.mark.slow  # three whole fits
def test_default_output_is_a_new_named_file_never_an_existing_one(fit_cli: Callable, pair: tuple[Path, Path],
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "results"
    results.mkdir()
    monkeypatch.setenv("LIP_SYNC_VIDEO_OUTPUT_DIR", str(results))
    first = fit_cli("fit", *pair, "--json").json()["output"]
    second = fit_cli("fit", *pair, "--json").json()["output"]
    assert first != second and Path(first).parent == results and Path(second).is_file()
    assert Path(first).name == "original.dub.fitted.wav"
    result = fit_cli("fit", *pair)
    assert "Saved" in result.out and "original.dub.fitted-3.wav" in result.out


def test_nothing_touches_the_network(fit_cli: Callable, pair: tuple[Path, Path], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("fit opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = fit_cli("fit", *pair, "-o", tmp_path / "f.wav")
    assert result.code == 0, result.err


def _no_speech(folder: Path) -> Path:
    return write_wav(folder / "hiss.wav", track([], 5.0, 16_000, 100, noise_db=-50), 16_000)


BAD = {
    "missing": lambda d, p: (d / "nope.wav", p[1]),
    "empty": lambda d, p: ((d / "empty.wav").write_bytes(b"") or d / "empty.wav", p[1]),
    "not media": lambda d, p: ((d / "notes.wav").write_text("hello " * 100) or d / "notes.wav", p[1]),
    "no audio stream": lambda d, p: (write_video(d / "silent.mp4", None), p[1]),
    "no speech in original": lambda d, p: (_no_speech(d), p[1]),
    "no speech in dub": lambda d, p: (p[0], _no_speech(d)),
    "same file": lambda d, p: (p[0], p[0]),
    "same content": lambda d, p: (p[0], (d / "copy.wav").write_bytes(p[0].read_bytes()) or d / "copy.wav"),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_input_is_one_clear_line_and_leaves_nothing(fit_cli: Callable, pair: tuple[Path, Path],
                                                        tmp_path: Path, case: str, lang: str) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    original, dub = BAD[case](inputs, pair)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = fit_cli("fit", original, dub, "-o", out_dir / "fitted.mp4", "--lang", lang)
    assert result.code == 1, (case, result.err)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]) == (lang == "zh"), lines[0]
    assert list(out_dir.iterdir()) == []


def test_a_failed_write_leaves_no_partial_file(fit_cli: Callable, video: Path, pair: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "fitted.webm"  # WebM cannot hold the original's H.264 picture
    result = fit_cli("fit", video, pair[1], "-o", out)
    assert result.code == 1 and "Traceback" not in result.err
    assert list(out.parent.iterdir()) == []


def test_video_out_from_an_audio_original_is_refused_before_any_work(fit_cli: Callable, pair: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    result = fit_cli("fit", *pair, "-o", tmp_path / "x.mp4")
    assert result.code == 1 and "no picture" in result.err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "2", "1.0", "0.8", "fast"])
def test_max_stretch_outside_its_range_is_a_usage_error(fit_cli: Callable, pair: tuple[Path, Path],
                                                        tmp_path: Path, value: str) -> None:
    result = fit_cli("fit", *pair, "-o", tmp_path / "f.wav", "--max-stretch", value)
    assert result.code == 2 and list(tmp_path.glob("f*")) == []


@pytest.mark.parametrize("name", ["f.txt", "missing_dir/f.wav"])
def test_bad_output_paths_are_refused(fit_cli: Callable, pair: tuple[Path, Path], tmp_path: Path, name: str) -> None:
    result = fit_cli("fit", *pair, "-o", tmp_path / name)
    assert result.code == 2 and "Traceback" not in result.err


def test_output_over_an_input_is_refused(fit_cli: Callable, pair: tuple[Path, Path]) -> None:
    before = pair[1].read_bytes()
    assert fit_cli("fit", pair[0], pair[1], "-o", pair[1]).code == 2
    assert pair[1].read_bytes() == before


def test_as_a_real_process_a_bad_input_is_one_line_and_exit_1(run_cli: Callable, tmp_path: Path) -> None:
    result = run_cli("fit", tmp_path / "missing.mp4", tmp_path / "dub.wav", "-o", tmp_path / "f.wav")
    assert result.code == 1 and result.err.strip().count("\n") == 0 and "Traceback" not in result.err
    assert "missing.mp4" in result.err
