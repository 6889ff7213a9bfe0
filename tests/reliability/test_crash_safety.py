"""kill -9 at seeded random points of ``export`` and ``batch``, then a clean rerun.

Renders are slowed (``render_polls`` on the emulator, a short ``LIP_SYNC_VIDEO_POLL_SECONDS``) so a
kill can land before the submit, between submit and answer, while polling or while downloading.
After the kills a rerun must finish with: one render per draft (never a second one), every output
that was finished before a kill still there and intact, a complete file under every final name at
every moment, and no ``.part`` file left.

Reproduce: ``pytest tests/reliability/test_crash_safety.py -q``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.emulator import Emulator
from tests.media import factory

pytestmark = pytest.mark.slow  # seconds per test; `pytest -m "not slow"` skips this module

KILLS = 6
SEED = 20261121
POLL_SECONDS = "0.05"
LABELS = ("es", "fr", "de")


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LIP_SYNC_VIDEO_POLL_SECONDS": POLL_SECONDS}
    return subprocess.Popen([sys.executable, "-m", "skill", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _kill_after(process: subprocess.Popen[bytes], seconds: float) -> int | None:
    """SIGKILL the process after ``seconds`` unless it already exited; its exit code if it did."""
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        return None
    finally:
        if process.stderr is not None:
            process.stderr.close()


def _finish(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LIP_SYNC_VIDEO_POLL_SECONDS": POLL_SECONDS}
    return subprocess.run([sys.executable, "-m", "skill", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=90, check=False)


def _complete(path: Path, expected: bytes) -> bool:
    return path.read_bytes() == expected


def _render_output(emulator: Emulator) -> bytes:
    from tests.emulator.media import tiny_mp4

    return emulator.state.render_output or tiny_mp4()


def test_export_killed_at_random_points_renders_once(emulator: Emulator, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Each export job, however often it is killed, costs one render; a finished file is never lost.

    Poll counts add up across runs (a resumed render goes on where it was), so kills land before the
    submit, while polling and around the download; an export that got to the end before its kill
    is a finished job: its file is moved aside and the next run starts a new one.
    """
    rng = random.Random(SEED)
    emulator.state.render_polls = 30  # ≈ 1.5 s of polling at 0.05 s, spread over several killed runs
    out = tmp_path / "out" / "final.mp4"
    args = ["export", "-o", str(out)]
    expected = _render_output(emulator)
    finished: list[Path] = []
    moments: list[float] = []
    killed = 0
    for _ in range(KILLS):
        moment = round(rng.uniform(0.3, 2.2), 2)
        moments.append(moment)
        code = _kill_after(_spawn(args, tmp_path), moment)
        killed += code is None
        assert code in (None, 0), f"exit {code} before the kill at {moment} s"
        if out.exists():  # whatever the moment, the final name only ever holds the whole file
            assert _complete(out, expected), f"a partial file under the final name after a kill at {moment} s"
            finished.append(out.rename(tmp_path / f"finished-{len(finished)}.mp4"))
        # one render per export job: those finished, plus at most the one in flight
        assert len(emulator.state.renders) <= len(finished) + 1, (moments, sorted(emulator.state.renders))
    done = _finish(args, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    finished.append(out)
    assert len(emulator.state.renders) <= len(finished), (moments, sorted(emulator.state.renders))
    assert set(emulator.state.render_submits.values()) == {1}, emulator.state.render_submits
    assert all(_complete(path, expected) for path in finished)
    assert not list(out.parent.glob("*.part"))
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were still running at {moments}"
    with capsys.disabled():
        print(f"\nexport: {killed} kill -9 at {moments} s, {len(finished)} export jobs finished, "
              f"{len(emulator.state.renders)} renders")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    root.mkdir()
    factory.video(root / "talk.mp4", width=320, height=240, seconds=1.0)
    voice = factory.audio(root / "voice_es.wav", seconds=1.0)
    for label in LABELS[1:]:
        shutil.copy(voice, root / f"voice_{label}.wav")
    lines = ["video: talk.mp4", "output_dir: out", "tracks:"] + [f"  {label}: voice_{label}.wav" for label in LABELS]
    (root / "batch.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_batch_killed_at_random_points_never_renders_twice_nor_loses_outputs(
        emulator: Emulator, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(SEED + 1)
    emulator.state.render_polls = 60  # ≈ 3 s of polling per pair, spread over the killed runs
    args = ["batch", str(workspace / "batch.yaml"), "--jobs", "2"]
    out = workspace / "out"
    expected = _render_output(emulator)
    finished: dict[Path, bytes] = {}
    killed = 0
    moments: list[float] = []
    for _ in range(KILLS):
        moment = round(rng.uniform(0.4, 2.5), 2)
        moments.append(moment)
        code = _kill_after(_spawn(args, workspace), moment)
        killed += code is None
        outputs = sorted(out.glob("talk.*.mp4")) if out.exists() else []
        for path in outputs:
            assert _complete(path, expected), f"a partial file under {path.name} after a kill at {moment} s"
        for path, content in finished.items():
            assert path.exists() and path.read_bytes() == content, f"{path.name} was lost by a later run"
        finished.update({path: path.read_bytes() for path in outputs})
        renders_per_session: dict[str, int] = {}
        for render in emulator.state.renders.values():
            renders_per_session[render.session_id] = renders_per_session.get(render.session_id, 0) + 1
        assert all(n == 1 for n in renders_per_session.values()), renders_per_session
        if code is not None:
            break  # finished before the kill: nothing left to interrupt
    done = _finish(args, workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert killed >= KILLS // 2, f"only {killed} runs were still running at {moments}"
    outputs = {path.name for path in out.glob("talk.*.mp4")}
    assert outputs == {f"talk.{label}.mp4" for label in LABELS}
    for path, content in finished.items():
        assert path.read_bytes() == content
    assert len(emulator.state.renders) == len(LABELS), sorted(emulator.state.renders)
    assert set(emulator.state.render_submits.values()) == {1}, emulator.state.render_submits
    assert len({render.session_id for render in emulator.state.renders.values()}) == len(LABELS)
    assert not list(out.glob("*.part")) and not list(workspace.glob("*.part"))
    started = time.monotonic()
    again = _finish(args, workspace)  # a finished batch reruns as pure skips
    assert again.returncode == 0 and time.monotonic() - started < 30
    assert len(emulator.state.renders) == len(LABELS)
    with capsys.disabled():
        print(f"\nbatch: {killed} kill -9 at {moments} s, {len(finished)} outputs seen before the rerun, "
              f"{len(emulator.state.renders)} renders for {len(LABELS)} pairs")
