"""Every bad input to ``animate``: one clear line in the person's language, a non-zero exit, no
traceback, and no file (partial or temporary) left behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.local.animate import media


def _refused(result: Any, code: int, *words: str) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and result.out == ""
    line = result.err.strip().splitlines()[-1]
    for word in words:
        assert word in line, (word, line)
    return line


def _empty(folder: Path) -> None:
    assert [p.name for p in folder.iterdir()] == []


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_missing_character_and_missing_audio(animate_cli: Callable[..., Any], assets: SimpleNamespace,
                                             out_dir: Path) -> None:
    result = animate_cli("animate", out_dir / "nobody.png", assets.voice, "-o", out_dir / "a.mp4")
    assert _refused(result, 1, "nobody.png").startswith("File not found")
    result = animate_cli("animate", assets.still, out_dir / "nothing.wav", "-o", out_dir / "a.mp4", "--lang", "zh")
    assert _refused(result, 1, "nothing.wav").startswith("找不到文件")
    _empty(out_dir)


def test_unreadable_character(animate_cli: Callable[..., Any], assets: SimpleNamespace, out_dir: Path,
                              tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not a picture")
    _refused(animate_cli("animate", broken, assets.voice, "-o", out_dir / "a.mp4"), 1, "broken.png", "PNG")
    _refused(animate_cli("animate", assets.voice, assets.voice, "-o", out_dir / "a.mp4", "--lang", "zh"), 1,
             "line.wav", "角色")  # a sound file is no character
    _empty(out_dir)


@pytest.mark.parametrize("box", ["400,10,50,50", "-60,10,50,50", "10,240,50,50"])
def test_box_wholly_outside(animate_cli: Callable[..., Any], assets: SimpleNamespace, out_dir: Path,
                            box: str) -> None:
    # "=" so argparse takes a leading minus for a value, not an option (docs/animate.md says so too)
    result = animate_cli("animate", assets.still, assets.voice, f"--mouth-box={box}", "-o", out_dir / "a.mp4")
    _refused(result, 1, box, "320×240", "outside")
    _empty(out_dir)


@pytest.mark.parametrize("box", ["1,2,3", "a,b,c,d", "1,2,3,4,5", "10,10,0,20"])
def test_malformed_or_empty_box_is_a_usage_error(animate_cli: Callable[..., Any], assets: SimpleNamespace,
                                                 out_dir: Path, box: str) -> None:
    result = animate_cli("animate", assets.still, assets.voice, "--mouth-box", box, "-o", out_dir / "a.mp4")
    _refused(result, 2, "--mouth-box", box)
    _empty(out_dir)


def test_box_partly_outside_is_clipped_with_a_warning(animate_cli: Callable[..., Any], fake_cues: Any,
                                                      assets: SimpleNamespace, out_dir: Path) -> None:
    fake_cues(0.5)
    voice = out_dir.parent / "half.wav"
    media.dialogue(voice, 0.5)
    result = animate_cli("animate", assets.still, voice, "--mouth-box", "280,200,100,60", "-o", out_dir / "a.mp4")
    assert result.code == 0, result.err
    assert "reaches outside the 320×240 picture" in result.err
    assert "cut off" in result.out
    assert [p.name for p in out_dir.iterdir()] == ["a.mp4"]


@pytest.mark.parametrize(("preston_blair", "drop", "named"), [(False, "D", "D"), (True, "D", "AI")])
def test_mouth_folder_without_a_basic_shape(animate_cli: Callable[..., Any], assets: SimpleNamespace,
                                            out_dir: Path, tmp_path: Path, preston_blair: bool, drop: str,
                                            named: str) -> None:
    folder = media.mouth_folder(tmp_path / "mouths", preston_blair, shapes="ABCEFGHX".replace(drop, ""))
    result = animate_cli("animate", assets.still, assets.voice, "--mouths", folder, "-o", out_dir / "a.mp4")
    line = _refused(result, 1, f"{named}.png")
    assert ("Rhubarb's D" in line) == preston_blair
    result = animate_cli("animate", assets.still, assets.voice, "--mouths", folder, "-o", out_dir / "a.mp4",
                         "--lang", "zh")
    _refused(result, 1, f"{named}.png", "缺少口型")
    _empty(out_dir)


def test_mouths_not_a_folder_or_unreadable(animate_cli: Callable[..., Any], assets: SimpleNamespace,
                                           out_dir: Path, tmp_path: Path) -> None:
    _refused(animate_cli("animate", assets.still, assets.voice, "--mouths", assets.still, "-o", out_dir / "a.mp4"),
             1, "not a folder")
    folder = media.mouth_folder(tmp_path / "m")
    (folder / "C.png").write_bytes(b"not an image")
    _refused(animate_cli("animate", assets.still, assets.voice, "--mouths", folder, "-o", out_dir / "a.mp4"),
             1, "C.png")
    _empty(out_dir)


def test_output_that_cannot_be_written(animate_cli: Callable[..., Any], assets: SimpleNamespace,
                                       tmp_path: Path) -> None:
    _refused(animate_cli("animate", assets.still, assets.voice, "-o", tmp_path / "no" / "such" / "a.mp4"),
             1, "doesn't exist")
    _refused(animate_cli("animate", assets.still, assets.voice, "-o", tmp_path), 1, "is a folder")
    _refused(animate_cli("animate", assets.still, assets.voice, "-o", assets.still), 2, "over the input")
    # The OS refuses (even root cannot create files in /proc): the reason, in one line.
    _refused(animate_cli("animate", assets.still, assets.voice, "-o", "/proc/animated.mp4"), 1,
             "Can't write", "/proc/animated.mp4")


def test_failure_while_rendering_leaves_no_file(animate_cli: Callable[..., Any], fake_cues: Any,
                                                assets: SimpleNamespace, out_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from skill.local.animate import encode

    fake_cues(assets.voice_seconds)
    real_add = encode.Writer.add

    def add(self: Any, frame: Any) -> None:
        if self.frames == 20:
            raise OSError(28, "No space left on device")
        real_add(self, frame)

    monkeypatch.setattr(encode.Writer, "add", add)
    result = animate_cli("animate", assets.still, assets.voice, "-o", out_dir / "a.mp4", "--lang", "zh")
    _refused(result, 1, "a.mp4", "No space left on device")
    _empty(out_dir)


@pytest.mark.parametrize("fps", ["nan", "inf", "0", "-5", "500"])
def test_unusable_fps(animate_cli: Callable[..., Any], assets: SimpleNamespace, out_dir: Path, fps: str) -> None:
    _refused(animate_cli("animate", assets.still, assets.voice, "--fps", fps, "-o", out_dir / "a.mp4"), 2, "--fps")
    _empty(out_dir)


def test_dialogue_without_sound(animate_cli: Callable[..., Any], fake_cues: Any, assets: SimpleNamespace,
                                out_dir: Path, tmp_path: Path) -> None:
    fake_cues(1.0)
    silent_video = tmp_path / "picture_only.mp4"
    import av

    with av.open(str(assets.clip)) as src, av.open(str(silent_video), "w") as dst:
        stream = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                dst.mux(packet)
    _refused(animate_cli("animate", assets.still, silent_video, "-o", out_dir / "a.mp4"), 1, "no sound")
    _empty(out_dir)
