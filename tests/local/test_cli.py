"""``lip-sync-video align`` end to end on the committed fixtures and on generated media."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

from tests.local.media import RATE, drop_in_pause, pair
from tests.local.speechsynth import camera_chain, speech_like, write_video, write_wav

pytestmark = pytest.mark.slow  # seconds per test; `pytest -m "not slow"` skips this module

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "media"
CLIP, VOICE = FIXTURES / "interview.mp4", FIXTURES / "voice_studio.wav"


def _video_packets(path: Path) -> list[tuple[int | None, bytes]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(p.pts, bytes(p)) for p in container.demux(stream) if p.size]


def test_fixture_pair_is_fixed_with_the_video_stream_copied(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "synced.mp4"
    result = cli("align", str(CLIP), str(VOICE), "-o", str(out), "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert abs(report["offset_ms"] - 234.5) <= 1.0  # fixtures/media/make_fixtures.py: B = 0.2345 s
    assert abs(report["drift_ppm"] - 150) <= 30
    assert report["visible"] and report["side"] == "early" and report["detectable_bt1359"]
    assert report["residual_ms"] <= 1.0
    assert report["output"] == str(out) and report["media"] == [str(out)]
    assert _video_packets(out) == _video_packets(CLIP)
    with av.open(str(out)) as written, av.open(str(CLIP)) as original:
        assert written.format.name == original.format.name
        assert written.streams.audio[0].codec_context.name == "aac"
    assert "Measuring offset and drift" in result.err  # progress goes to stderr


def test_check_only_writes_nothing_but_the_timing_json(cli: Callable[..., Any], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("align", str(CLIP), str(VOICE), "--check-only", "--timing-json", "timing.json", "--lang", "zh")
    assert result.code == 0, result.err
    assert "仅检查" in result.out and "提前" in result.out
    assert sorted(p.name for p in work.iterdir()) == ["timing.json"]
    timing = json.loads((work / "timing.json").read_text(encoding="utf-8"))
    assert timing["output"] is None and len(timing["segments"]) == 1 and len(timing["anchors"]) >= 6


def test_drifting_ntsc_pair_round_trips_below_a_millisecond(cli: Callable[..., Any], tmp_path: Path) -> None:
    video, voice = pair(tmp_path, 8.0, 1000 / 1001 * (1 + 40e-6), -0.15, seed=21, wav_rate=44_100)
    out = tmp_path / "fixed.mov"
    result = cli("align", str(video), str(voice), "-o", str(out), "--json")
    assert result.code == 0, result.err
    assert result.json()["residual_ms"] <= 1.0
    assert _video_packets(out) == _video_packets(video)


def test_default_output_goes_to_the_working_folder(cli: Callable[..., Any], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("align", str(CLIP), str(VOICE))
    assert result.code == 0, result.err
    assert (tmp_path / "interview.synced.mp4").is_file()
    assert "MEDIA:" in result.out and "0." in result.out


def test_mute_video_is_refused_towards_the_cloud(cli: Callable[..., Any], tmp_path: Path) -> None:
    mute = write_video(tmp_path / "mute.mp4", None)
    result = cli("align", str(mute), str(VOICE), "-o", str(tmp_path / "x.mp4"))
    assert result.code == 1
    assert "no audio track" in result.err and "lip-sync-video chat" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(("args", "code"), [
    (["missing.mp4", str(VOICE)], 1),  # a missing input is a handled error, as for upload
    ([str(CLIP), str(VOICE), "-o", str(CLIP)], 2),
    ([str(CLIP), str(VOICE), "-o", "/no/such/dir/out.mp4"], 2),
])
def test_bad_paths_are_refused_in_one_line(cli: Callable[..., Any], args: list[str], code: int) -> None:
    result = cli("align", *args)
    assert result.code == code
    assert "Traceback" not in result.err and result.err.strip().count("\n") == 0


def test_unreadable_audio_is_a_handled_error(cli: Callable[..., Any], tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 10)
    result = cli("align", str(CLIP), str(junk), "--json")
    assert result.code == 1
    assert json.loads(result.out.splitlines()[0])["error"] == "errors/align_unreadable"


def test_dropped_chunk_is_fixed_piecewise_and_reported_in_the_timing_json(cli: Callable[..., Any],
                                                                          tmp_path: Path) -> None:
    performance = speech_like(14.0, RATE, seed=12)
    dropped, _ = drop_in_pause(performance, 7.0, 0.048)
    video = write_video(tmp_path / "cut.mp4", camera_chain(dropped, RATE, seed=12), RATE)
    voice = write_wav(tmp_path / "voice.wav", performance, RATE)
    result = cli("align", str(video), str(voice), "-o", str(tmp_path / "out.mp4"), "--timing-json",
                 str(tmp_path / "timing.json"), "--json")
    assert result.code == 0, result.err
    timing = json.loads((tmp_path / "timing.json").read_text(encoding="utf-8"))
    assert [round(s["offset_ms"]) for s in timing["segments"]] == [0, -48]
    assert timing["residual_ms"] <= 1.0
    assert "not linear" in result.json()["reply"]


def test_files_in_the_wrong_order_are_refused_before_the_analysis(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("align", str(VOICE), str(CLIP), "-o", str(tmp_path / "x.mp4"))
    assert result.code == 1
    assert "no video stream" in result.err and "Measuring" not in result.err


def test_a_container_that_cannot_hold_the_video_leaves_no_file(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("align", str(CLIP), str(VOICE), "-o", str(tmp_path / "x.webm"))
    assert result.code == 1
    assert "x.webm" in result.err and "Traceback" not in result.err
    assert not any(p.name.endswith(".webm") for p in tmp_path.iterdir())


def test_readme_main_job_command_runs_as_a_real_process(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    result = run_cli("align", CLIP, VOICE, "-o", "synced.mp4")
    assert result.code == 0, result.err
    assert (tmp_path / "synced.mp4").is_file() and "MEDIA:" in result.out


def test_a_transport_stream_keeps_picture_and_sound_on_its_late_clock(cli: Callable[..., Any],
                                                                     tmp_path: Path) -> None:
    """MPEG-TS clocks do not start at 0: the written sound must start where the copied picture's
    clock does, which the closed-loop residual checks (it includes any move of the picture)."""
    from tests.local.media import remux_copy

    video, voice = pair(tmp_path, 6.0, 1.0, 0.2, seed=31)
    clip = remux_copy(video, tmp_path / "clip.ts")
    out = tmp_path / "out.ts"
    result = cli("align", str(clip), str(voice), "-o", str(out), "--json")
    assert result.code == 0, result.err
    assert result.json()["residual_ms"] <= 1.0
    assert _video_packets(out) == _video_packets(clip)
