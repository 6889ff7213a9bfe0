"""``lip-sync-video mouth-cues`` end to end: outputs, formats, folders, and every bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from tests.local.mouthcues.conftest import FIXTURES, RATE
from tests.local.speechsynth import write_wav

BOB = FIXTURES / "bob_kal.wav"
TEXT = "Bob bought a big map of the farm."


def _outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".mouth" in p.name or p.name.endswith(".tmp"))


def test_default_output_goes_to_the_results_folder_and_never_over_a_file(cli: Callable[..., Any],
                                                                        tmp_path: Path) -> None:
    first = cli("mouth-cues", BOB, "--text", TEXT)
    assert first.code == 0, first.err
    assert (tmp_path / "bob_kal.mouth.json").is_file()
    assert f"MEDIA:{tmp_path / 'bob_kal.mouth.json'}" in first.out
    second = cli("mouth-cues", BOB, "--format", "tsv")
    third = cli("mouth-cues", BOB, "--format", "tsv")
    assert second.code == third.code == 0
    assert _outputs(tmp_path) == ["bob_kal.mouth-2.tsv", "bob_kal.mouth.json", "bob_kal.mouth.tsv"]
    body = json.loads((tmp_path / "bob_kal.mouth.json").read_text())
    assert body["metadata"]["soundFile"] == str(BOB.resolve())


def test_json_reply_carries_cues_path_and_speed(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("mouth-cues", BOB, "--text", TEXT, "-o", tmp_path / "cues.xml", "--json")
    assert result.code == 0, result.err
    reply = result.json()
    assert reply["outputs"] == [str(tmp_path / "cues.xml")]
    assert reply["path_used"] == "transcript"
    assert reply["duration"] == pytest.approx(2.9, abs=0.1)
    assert reply["realtime_factor"] > 0
    assert reply["cues"][0] == {"start": 0.0, "end": reply["cues"][0]["end"], "value": "X"}
    assert reply["reply"]
    assert (tmp_path / "cues.xml").read_text().startswith("<?xml")  # the format from the extension


def test_output_dash_writes_only_the_result_to_stdout(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("mouth-cues", BOB, "--format", "dat", "--fps", "12", "--preston-blair", "-o", "-")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "MohoSwitch1" and lines[1] == "1 rest"
    assert "MBP" in result.out
    assert _outputs(tmp_path) == []


def test_text_file_and_extended_shapes(cli: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "line.txt").write_text(TEXT, encoding="utf-8")
    result = cli("mouth-cues", BOB, "--text-file", tmp_path / "line.txt", "--extended-shapes", "", "-o", "-",
                 "--format", "tsv")
    assert result.code == 0, result.err
    shapes = {line.split("\t")[1] for line in result.out.splitlines()}
    assert shapes <= set("ABCDEF")


def test_a_folder_gives_one_output_each_and_skips_those_up_to_date(cli: Callable[..., Any], tmp_path: Path) -> None:
    lines = tmp_path / "lines"
    lines.mkdir()
    for name in ("a.wav", "b.wav"):
        shutil.copy(BOB, lines / name)
    out = tmp_path / "out"
    out.mkdir()
    first = cli("mouth-cues", lines, "-o", out, "--format", "tsv", "--json")
    assert first.code == 0, first.err
    assert first.json()["written"] == 2
    assert "2 of 2 done" in first.err  # a progress line per file
    assert sorted(p.name for p in out.iterdir()) == ["a.mouth.tsv", "b.mouth.tsv"]
    again = cli("mouth-cues", lines, "-o", out, "--format", "tsv", "--json")
    assert (again.json()["written"], again.json()["skipped"]) == (0, 2)


def _video_without_audio(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for n in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            frame.pts = n
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    (path / "readme.txt").write_text("no media here")
    return path


@pytest.mark.parametrize(("make", "key"), [
    (lambda d: d / "missing.wav", "errors/mouth_missing_file"),
    (lambda d: _file(d / "empty.wav", b""), "errors/mouth_empty"),
    (lambda d: _file(d / "notes.wav", b"not audio at all\n" * 20), "errors/mouth_unreadable"),
    (lambda d: _video_without_audio(d / "silent.mp4"), "errors/mouth_no_audio"),
    (lambda d: _folder(d / "nothing"), "errors/mouth_empty_folder"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_bad_input_is_one_clear_line(cli: Callable[..., Any], tmp_path: Path, make: Callable[[Path], Path],
                                           key: str, lang: str) -> None:
    bad = make(tmp_path)
    result = cli("mouth-cues", bad, "--lang", lang)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert bad.name in lines[0]
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])
    assert _outputs(tmp_path) == []
    as_json = cli("mouth-cues", bad, "--json")
    assert as_json.json()["error"] == key


@pytest.mark.parametrize("args", [["--fps", "0"], ["--fps", "nan"], ["--fps", "121"], ["--fps", "2.5"],
                                  ["--format", "srt"], ["--extended-shapes", "GQ"]])
def test_bad_options_are_usage_errors(cli: Callable[..., Any], tmp_path: Path, args: list[str]) -> None:
    result = cli("mouth-cues", BOB, *args)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert _outputs(tmp_path) == []


def test_silence_gives_only_the_rest_shape(cli: Callable[..., Any], tmp_path: Path) -> None:
    quiet = write_wav(tmp_path / "room.wav", np.random.default_rng(1).standard_normal(32000) * 0.002, RATE)
    result = cli("mouth-cues", quiet, "--text", "hello there", "-o", "-", "--format", "tsv")
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["0.00\tX", "2.00\tX"]


def test_any_format_and_rate_decodes(cli: Callable[..., Any], tmp_path: Path) -> None:
    """44.1 kHz stereo in an MP3: the same closures as the 16 kHz original."""
    import soxr

    from skill.local.mouthcues import audio

    samples = soxr.resample(audio.load(BOB), 16000, 44100)
    mp3 = tmp_path / "line.mp3"
    with av.open(str(mp3), "w") as out:
        stream = out.add_stream("libmp3lame", rate=44100)
        stream.layout = "stereo"
        stereo = np.stack([samples, samples]).astype(np.float32)
        for start in range(0, stereo.shape[1], 1152):
            chunk = (np.clip(stereo[:, start:start + 1152], -1, 1) * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16p", layout="stereo")
            frame.sample_rate, frame.pts = 44100, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    result = cli("mouth-cues", mp3, "--text", TEXT, "--json", "-o", tmp_path / "x.json")
    assert result.code == 0, result.err
    assert result.json()["path_used"] == "transcript"
    assert sum(c["value"] == "A" for c in result.json()["cues"]) >= 4


def test_the_mouth_cues_tool_runs_the_same_handler(tmp_path: Path) -> None:
    from skill.agent import tools
    from tests.agent.helpers import fresh_app

    result = tools.call("mouth_cues", {"inputs": [str(BOB)], "text": TEXT, "format": "dat", "fps": 12,
                                       "output": str(tmp_path / "line.dat")}, fresh_app())
    assert result["ok"], result
    assert result["path_used"] == "transcript"
    assert (tmp_path / "line.dat").read_text().startswith("MohoSwitch1\n1 X\n")
