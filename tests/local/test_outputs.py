"""``align``'s output follows the one rule (issue 18): -o FILE there, -o FOLDER inside, no -o a new
numbered name (``--force`` replaces), ``.wav``/``.flac`` the corrected audio alone; folder inputs named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "media"
CLIP, VOICE = FIXTURES / "interview.mp4", FIXTURES / "voice_studio.wav"


def test_a_second_run_never_replaces_the_first_result(cli: Callable[..., Any], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = cli("align", str(CLIP), str(VOICE), "--json")
    assert first.code == 0, first.err
    kept = (tmp_path / "interview.synced.mp4").read_bytes()
    (tmp_path / "interview.synced.mp4").write_bytes(kept + b"mark")  # so a replacement would show
    second = cli("align", str(CLIP), str(VOICE), "--json")
    assert second.code == 0, second.err
    assert second.json()["output"] == str(tmp_path / "interview.synced-2.mp4")
    assert (tmp_path / "interview.synced.mp4").read_bytes() == kept + b"mark"
    forced = cli("align", str(CLIP), str(VOICE), "--force", "--json")
    assert forced.code == 0 and forced.json()["output"] == str(tmp_path / "interview.synced.mp4")
    assert (tmp_path / "interview.synced.mp4").read_bytes() != kept + b"mark"
    assert not (tmp_path / "interview.synced-3.mp4").exists()


def test_an_existing_folder_as_output_gets_the_file_inside(cli: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    result = cli("align", str(CLIP), str(VOICE), "-o", str(folder), "--json")
    assert result.code == 0, result.err
    assert result.json()["output"] == str(folder / "interview.synced.mp4")
    again = cli("align", str(CLIP), str(VOICE), "-o", str(folder), "--json")
    assert again.json()["output"] == str(folder / "interview.synced-2.mp4")


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_an_audio_name_writes_the_corrected_audio_alone(cli: Callable[..., Any], tmp_path: Path,
                                                        suffix: str) -> None:
    out = tmp_path / f"fixed{suffix}"
    result = cli("align", str(CLIP), str(VOICE), "-o", str(out), "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["output"] == str(out) and body["audio_only"] is True
    assert body["residual_ms"] is not None and body["residual_ms"] <= 1.0  # re-measured, still in sync
    assert "audio alone" in body["reply"]
    with av.open(str(out)) as written:
        assert not written.streams.video and written.streams.audio
    assert not list(tmp_path.glob(".*partial*"))


def test_another_audio_name_says_which_outputs_exist(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("align", str(CLIP), str(VOICE), "-o", str(tmp_path / "fixed.mp3"))
    assert result.code == 2
    assert ".wav" in result.err and ".mp4" in result.err and "fixed.mp3" in result.err
    assert not (tmp_path / "fixed.mp3").exists()


@pytest.mark.parametrize("which", ["video", "audio"])
def test_a_folder_as_input_is_called_a_folder(cli: Callable[..., Any], tmp_path: Path, which: str) -> None:
    args = [str(tmp_path), str(VOICE)] if which == "video" else [str(CLIP), str(tmp_path)]
    result = cli("align", *args)
    assert result.code == 1
    assert "is a folder" in result.err and "not found" not in result.err.lower()
    zh = cli("align", *args, "--lang", "zh")
    assert "文件夹" in zh.err
