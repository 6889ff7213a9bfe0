"""Bad input is refused before a model loads, in the person's language, with no traceback and no
model log noise; the check never touches the network; a missing extra names the install line."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from skill.errors import MediaError
from skill.local import facecheck
from skill.local.facecheck import runtime

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow


@pytest.fixture
def bad_inputs(tmp_path: Path, clips: dict[str, Path]) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n", encoding="utf-8")
    folder = tmp_path / "folder.mp4"
    folder.mkdir()
    import av
    import numpy as np

    still = tmp_path / "still.png"
    with av.open(str(still), "w") as c:
        s = c.add_stream("png")
        s.width, s.height, s.pix_fmt = 64, 64, "rgb24"
        for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")):
            c.mux(p)
    return {
        "missing": (tmp_path / "nope.mp4", "errors/face_missing_file"),
        "text": (text, "errors/face_not_video"),
        "folder": (folder, "errors/face_not_video"),
        "still": (still, "errors/face_not_video"),
        "audio_only": (clips["wav"], "errors/face_audio_only"),
    }


@pytest.mark.parametrize("name", ["missing", "text", "folder", "still", "audio_only"])
def test_bad_input_is_refused_before_any_model_loads(bad_inputs: dict[str, tuple[Path, str]], name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(*args: object) -> None:
        raise AssertionError("a model was loaded for bad input")

    monkeypatch.setattr(runtime, "Model", no_model)
    path, key = bad_inputs[name]
    with pytest.raises(MediaError) as caught:
        facecheck.check(path)
    assert caught.value.message_key == key
    for lang in ("en", "zh"):
        assert path.name in caught.value.render(lang)


def test_without_the_extra_the_message_names_the_install_line(clips: dict[str, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "available", lambda: False)
    with pytest.raises(MediaError) as caught:
        facecheck.check(clips["ok"])
    assert caught.value.message_key == "errors/face_extra_missing"
    for lang in ("en", "zh"):
        assert "pip install 'lip-sync-video[face]'" in caught.value.render(lang)


def test_the_check_never_opens_a_network_connection(clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert facecheck.check(clips["late3"])["verdict"] == "warn"


@pytest.mark.slow
def test_the_model_runtime_prints_nothing(tmp_path: Path, clips: dict[str, Path]) -> None:
    """LiteRT's C++ "INFO: Created TensorFlow Lite XNNPACK delegate" goes to fd 2: it must not show."""
    import subprocess
    import sys

    code = ("import json, sys; from pathlib import Path; from skill.local import facecheck; "
            "print(json.dumps(facecheck.check(Path(sys.argv[1]))['verdict']))")
    done = subprocess.run([sys.executable, "-c", code, str(clips["ok"])], capture_output=True, text=True,
                          timeout=120, check=False, cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "ok"
    assert done.stderr == ""


def test_the_cli_reports_bad_input_on_one_line_or_as_json(cli: Callable,
                                                          bad_inputs: dict[str, tuple[Path, str]]) -> None:
    for path, key in bad_inputs.values():
        plain = cli("face-check", path, "--lang", "en")
        assert plain.code == 1 and plain.out == ""
        assert len(plain.err.strip().splitlines()) == 1 and "Traceback" not in plain.err
        shown = cli("face-check", path, "--json", "--lang", "zh")
        assert shown.code == 1
        body = json.loads(shown.out)
        assert body["ok"] is False and body["error"] == key and "Traceback" not in shown.out + shown.err


def test_the_cli_json_has_the_contract_fields(cli: Callable, clips: dict[str, Path]) -> None:
    result = cli("face-check", clips["late3"], "--json", "--lang", "en")
    assert result.code == 0, result.err
    body = result.json()
    for field in ("face_frames", "face_height_px", "face_height_ratio", "yaw_deg", "lighting", "mouth_visible",
                  "verdict", "reasons", "av_offset_ms", "av_offset_frames", "av_confidence", "reply"):
        assert field in body
    assert body["verdict"] == "warn" and abs(body["av_offset_frames"] - 3) <= 1
