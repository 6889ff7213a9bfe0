"""Nothing is overwritten silently (issue 18): export and batch number a new name unless the person
named the file (or ``--force``), and the reply says which file was written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from skill.media.download import result_path
from tests.emulator import Emulator
from tests.media.conftest import MediaSet

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow


def test_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIP_SYNC_VIDEO_OUTPUT_DIR", str(tmp_path))
    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    assert result_path(None, "a.mp4") == tmp_path / "a-2.mp4"  # nobody named it: numbered
    assert result_path(None, "a.mp4", force=True) == tmp_path / "a.mp4"
    assert result_path(tmp_path / "a.mp4", "b.mp4") == tmp_path / "a.mp4"  # named for this run
    assert result_path(tmp_path / "sub", "a.mp4") == tmp_path / "sub" / "a.mp4"  # a folder: inside
    assert result_path(f"{tmp_path}/new/", "a.mp4") == tmp_path / "new" / "a.mp4"  # a folder to be
    (tmp_path / "sub" / "a.mp4").write_bytes(b"x")
    assert result_path(tmp_path / "sub", "a.mp4") == tmp_path / "sub" / "a-2.mp4"


def test_export_force_replaces_the_default_name(cli: Callable, emulator: Emulator, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("export").code == 0
    (tmp_path / "city_timelapse.lipsync.mp4").write_bytes(b"old")
    forced = cli("export", "--force", "--json")
    assert forced.code == 0, forced.err
    assert forced.json()["path"] == str(tmp_path / "city_timelapse.lipsync.mp4")
    assert (tmp_path / "city_timelapse.lipsync.mp4").read_bytes()[4:8] == b"ftyp"
    assert sorted(p.name for p in tmp_path.glob("city_timelapse*")) == ["city_timelapse.lipsync.mp4"]


def test_an_explicit_output_file_is_written_where_asked(cli: Callable, emulator: Emulator, tmp_path: Path) -> None:
    target = tmp_path / "mine.mp4"
    target.write_bytes(b"old")
    result = cli("export", "-o", target, "--json")
    assert result.code == 0 and result.json()["path"] == str(target)
    assert target.read_bytes()[4:8] == b"ftyp"


def _pair(root: Path, media: MediaSet) -> None:
    shutil.copy(media.clip, root / "clip.mp4")
    shutil.copy(media.voice, root / "es.wav")


def test_a_csv_batch_after_a_yaml_batch_keeps_the_first_result(cli: Callable, emulator: Emulator,
                                                               media: MediaSet, tmp_path: Path) -> None:
    _pair(tmp_path, media)
    (tmp_path / "batch.yaml").write_text("video: clip.mp4\ntracks:\n  es: es.wav\n", encoding="utf-8")
    (tmp_path / "pairs.csv").write_text("label,audio,video\nes,es.wav,clip.mp4\n", encoding="utf-8")
    first = cli("batch", tmp_path / "batch.yaml", "--json")
    assert first.code == 0, first.err
    earlier = tmp_path / "clip.es.mp4"
    earlier.write_bytes(earlier.read_bytes() + b"first")  # so a replacement would show
    second = cli("batch", tmp_path / "pairs.csv", "--json")
    assert second.code == 0, second.err
    assert second.json()["pairs"][0]["output"] == str(tmp_path / "clip.es-2.mp4")
    assert "clip.es-2.mp4" in second.json()["reply"]
    assert earlier.read_bytes().endswith(b"first")
    rerun = cli("batch", tmp_path / "pairs.csv", "--json")  # its own finished pair: skipped, same file
    assert rerun.json()["skipped"] == 1 and rerun.json()["pairs"][0]["output"] == str(tmp_path / "clip.es-2.mp4")
    assert not (tmp_path / "clip.es-3.mp4").exists()


def test_batch_force_replaces_what_another_run_left(cli: Callable, emulator: Emulator, media: MediaSet,
                                                    tmp_path: Path) -> None:
    _pair(tmp_path, media)
    (tmp_path / "clip.es.mp4").write_bytes(b"someone else's")
    (tmp_path / "pairs.csv").write_text("label,audio,video\nes,es.wav,clip.mp4\n", encoding="utf-8")
    result = cli("batch", tmp_path / "pairs.csv", "--force", "--json")
    assert result.code == 0, result.err
    assert result.json()["pairs"][0]["output"] == str(tmp_path / "clip.es.mp4")
    assert (tmp_path / "clip.es.mp4").read_bytes()[4:8] == b"ftyp"
