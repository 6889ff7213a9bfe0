"""Every test runs in its own temporary working directory, so nothing lands in the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.emulator import Emulator


def test_an_export_without_output_writes_into_the_tests_own_directory(cli: Callable, emulator: Emulator,
                                                                      tmp_path: Path) -> None:
    before = set(REPO.glob("*.lipsync*"))
    result = cli("export")
    assert result.code == 0, result.err
    assert Path.cwd() == tmp_path
    assert list(tmp_path.glob("city_timelapse.lipsync*.mp4"))
    assert set(REPO.glob("*.lipsync*")) == before


# A value for every registry variable that would show if it leaked into a test: real-looking keys,
# unreachable services, folders outside the test's own, waits that would stall.
def _hostile_environment(root: Path) -> dict[str, str]:
    from skill import env

    values = {var.name: "leaked-secret-value" for var in env.REGISTRY}
    values.update({var.name: "http://127.0.0.1:9" for var in env.REGISTRY if var.name.endswith("_BASE")})
    values.update({var.name: "3600" for var in env.WAITS})
    values.update({
        env.HOME.name: str(root / "real-store"), env.OUTPUT_DIR.name: str(root / "real-output"),
        env.LOG_FILE.name: str(root / "real.log"), env.LANG.name: "zh", env.MAX_UPLOAD_MB.name: "1",
        env.NIM_TARGET.name: "127.0.0.1:9", env.FAL_MULTIPART_THRESHOLD.name: "1", env.FAL_MULTIPART_CHUNK.name: "1",
    })
    return values


@pytest.mark.slow
def test_the_isolation_holds_with_every_registry_variable_set(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    environ = {**os.environ, **_hostile_environment(outside)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_isolation.py",
                           "-k", "not every_registry_variable"], cwd=REPO, env=environ, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert sorted(p.name for p in outside.iterdir()) == [], "a test wrote outside its own folder"
