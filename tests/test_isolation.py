"""Every test runs in its own temporary working directory, so nothing lands in the checkout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
