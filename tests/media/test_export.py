"""Export end to end against the emulator: real file, both status shapes, failures, resume, truncation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import av
import pytest

from tests.emulator import Emulator


def _render_ids(emulator: Emulator) -> list[str]:
    return [c.json["id"] for c in emulator.calls("render-submit")]


@pytest.mark.parametrize("shape", ["top", "data"])
def test_export_downloads_a_real_video_and_names_it_for_openclaw(cli: Callable, emulator: Emulator, tmp_path: Path,
                                                                 shape: str) -> None:
    emulator.state.render_shape = shape
    emulator.state.render_polls = 3
    out = tmp_path / "final.mp4"
    result = cli("export", "--output", out)
    assert result.code == 0, result.err
    assert f"MEDIA:{out}" in result.out.splitlines()
    with av.open(str(out)) as container:
        assert container.streams.video and container.duration
    [submit] = emulator.calls("render-submit")
    assert submit.json["output"] == {"format": "mp4", "quality": "high"}
    assert submit.json["sessionId"] and submit.json["id"].startswith("render_")
    assert submit.json["draft"]["t"]
    assert len(emulator.calls("render-status")) >= 3
    assert "Rendering" in result.err and not list(tmp_path.glob("*.part"))


def test_default_name_keeps_the_source_stem_and_never_overwrites(
        cli: Callable, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first, second = cli("export"), cli("export")
    assert first.code == second.code == 0, first.err + second.err
    outputs = sorted(p.name for p in tmp_path.glob("city_timelapse.lipsync*.mp4"))
    assert outputs == ["city_timelapse.lipsync-2.mp4", "city_timelapse.lipsync.mp4"]  # one rule: numbered
    assert "city_timelapse.lipsync-2.mp4" in second.out  # and the reply says which file it wrote


def test_timing_json_lists_segments_per_track(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    result = cli("export", "-o", tmp_path / "v.mp4", "--timing-json", tmp_path / "timing.json")
    assert result.code == 0, result.err
    timing = json.loads((tmp_path / "timing.json").read_text())
    assert [t["type"] for t in timing["tracks"]] == ["video", "audio", "text"]
    title = timing["tracks"][2]["segments"][0]
    assert (title["start_ms"], title["end_ms"], title["end_frame"], title["text"]) == (0, 3000, 90, "Urban Dreams")


def test_an_unwritable_timing_json_is_refused_before_rendering(cli: Callable, emulator: Emulator,
                                                              tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = cli("export", "-o", tmp_path / "v.mp4", "--timing-json", tmp_path / "blocker" / "timing.json")
    assert result.code == 1
    assert "Can't write" in result.err and "internal" not in result.err.lower()
    assert emulator.calls("render-submit") == []  # minutes of rendering are not spent on a bad path


def test_an_unwritable_output_is_refused_before_rendering(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = cli("export", "-o", tmp_path / "blocker" / "v.mp4")
    assert result.code == 1 and "Can't write" in result.err
    assert emulator.calls("render-submit") == []


@pytest.mark.parametrize("how", ["new folder/", "existing"])
def test_an_output_folder_gets_the_file_inside_it(cli: Callable, emulator: Emulator, tmp_path: Path, how: str) -> None:
    folder = tmp_path / how.rstrip("/")
    if how == "existing":
        folder.mkdir()
    result = cli("export", "-o", f"{folder}/" if how.endswith("/") else folder)
    assert result.code == 0, result.err
    assert [p.name for p in folder.iterdir()] == ["city_timelapse.lipsync.mp4"]
    assert f"MEDIA:{folder / 'city_timelapse.lipsync.mp4'}" in result.out


def test_empty_timeline_is_refused_politely(cli: Callable, emulator: Emulator) -> None:
    emulator.state.use_fixture("empty")
    result = cli("export")
    assert result.code == 1
    assert "nothing to export" in result.out
    assert emulator.calls("render-submit") == []


def test_failed_submit_is_retried_once_with_a_new_id(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    emulator.inject("render-submit", "http:500")
    result = cli("export", "-o", tmp_path / "v.mp4")
    assert result.code == 0, result.err
    first, second = _render_ids(emulator)
    assert first != second


def test_two_failed_submits_give_up_with_a_clear_message(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    emulator.inject("render-submit", "http:500", times=2)
    result = cli("export", "-o", tmp_path / "v.mp4")
    assert result.code == 1 and "Traceback" not in result.err
    assert len(_render_ids(emulator)) == 2


@pytest.mark.slow
def test_a_submit_that_timed_out_is_sent_again_under_the_same_id(cli: Callable, emulator: Emulator,
                                                                tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The first submit reaches the backend but answers after the client gave up: the backend may
    # be rendering it, so a retry under a new id would render the same draft twice.
    monkeypatch.setenv("LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS", "0.5")
    emulator.inject("render-submit", "slow:1.5")
    result = cli("export", "-o", tmp_path / "v.mp4")
    assert result.code == 0, result.err
    first, second = _render_ids(emulator)
    assert first == second
    time.sleep(1.2)  # the slow first submit lands too
    assert len(emulator.state.renders) == 1


@pytest.mark.parametrize("shape", ["top", "data"])
def test_a_finished_render_without_a_url_is_fetched_from_the_download_route(
        cli: Callable, emulator: Emulator, tmp_path: Path, shape: str) -> None:
    emulator.state.render_shape, emulator.state.render_url = shape, False
    out = tmp_path / "v.mp4"
    result = cli("export", "-o", out)
    assert result.code == 0, result.err
    assert out.is_file() and len(emulator.calls("render-download")) == 1
    assert emulator.calls("render-download")[0].headers["authorization"].startswith("Bearer ")


def test_render_failure_is_reported(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    emulator.state.render_fail = True
    result = cli("export", "-o", tmp_path / "v.mp4")
    assert result.code == 1
    assert "render" in result.err and "failed" in result.err
    assert not (tmp_path / "v.mp4").exists()


def test_plan_required_is_a_plan_message_not_credits(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    emulator.inject("render-submit", "http:402")
    result = cli("export", "-o", tmp_path / "v.mp4")
    assert result.code == 1
    assert "credit" not in result.err.lower()
    assert len(_render_ids(emulator)) == 1  # a plan problem is not retried with a new id


def test_truncated_download_leaves_no_final_file_and_a_rerun_finishes(cli: Callable, emulator: Emulator,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "v.mp4"
    emulator.inject("file", "truncated")
    broken = cli("export", "-o", out)
    assert broken.code == 1
    assert "stopped before the end" in broken.err
    assert not out.exists()
    fixed = cli("export", "-o", out)
    assert fixed.code == 0, fixed.err
    assert len(_render_ids(emulator)) == 1  # the finished render was downloaded again, not re-rendered
    with av.open(str(out)) as container:
        assert container.streams.video


@pytest.mark.slow
def test_killed_export_resumes_the_same_render(emulator: Emulator, tmp_path: Path) -> None:
    emulator.state.render_polls = 10_000  # the first run never sees the end
    out = tmp_path / "v.mp4"
    env = {**os.environ, "LIP_SYNC_VIDEO_POLL_SECONDS": "0.05"}
    first = subprocess.Popen([sys.executable, "-m", "skill", "export", "-o", str(out)], env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # ≤ 30 s: wait until the render is submitted and being polled
            if emulator.calls("render-status"):
                break
            time.sleep(0.05)
        assert emulator.calls("render-status"), "the first export never started polling"
    finally:
        first.kill()
        first.wait(timeout=10)
    emulator.state.render_polls = 1
    done = subprocess.run([sys.executable, "-m", "skill", "export", "-o", str(out)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert len(_render_ids(emulator)) == 1, "a duplicate render was submitted"
    assert sum(emulator.state.render_submits.values()) == 1
    assert "Resuming" in done.stderr
    assert out.is_file()


def test_a_run_killed_before_its_submit_arrived_submits_once(cli: Callable, emulator: Emulator,
                                                             tmp_path: Path) -> None:
    from skill.app import App
    from skill.nemo.render import StoreLedger, draft_fingerprint

    assert cli("state").code == 0  # opens the session
    app = App()
    session_id = app.store.session().session_id
    draft = emulator.state.sessions[session_id].state["draft"]
    StoreLedger(app.store, session_id).save({"render_id": "render_1", "draft": draft_fingerprint(draft)})
    result = cli("export", "-o", tmp_path / "v.mp4")
    assert result.code == 0, result.err
    assert _render_ids(emulator) != ["render_1"] and len(_render_ids(emulator)) == 1
    assert app.store.read_json(StoreLedger.RECORD) is None  # cleared once the file is home


def test_timing_json_carries_the_exported_videos_mouth_cues(cli: Callable, emulator: Emulator,
                                                            tmp_path: Path) -> None:
    """Computed on this machine from the downloaded file's own audio (issue 11)."""
    result = cli("export", "-o", tmp_path / "v.mp4", "--timing-json", tmp_path / "timing.json")
    assert result.code == 0, result.err
    mouth = json.loads((tmp_path / "timing.json").read_text())["mouth_cues"]
    # the emulator's file carries a tone, not speech: the mouth rests throughout, on frame 1
    assert {k: v for k, v in mouth.items() if k != "cues"} == {
        "source": "local", "shapes": "rhubarb", "duration": 1.02, "path_used": "recognised", "fps": 30}
    assert mouth["cues"] == [{"start": 0.0, "end": 1.02, "value": "X", "frame": 1}]
