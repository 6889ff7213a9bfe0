"""Local input limits and cost estimates: refused before any upload or charge."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.errors import MediaError, UsageError
from skill.providers import fal_models
from skill.providers.base import JobRequest
from tests.providers.media import make_mp4, make_png, make_wav


def talk(audio: Path, image: Path, **options: object) -> JobRequest:
    return JobRequest("talk", {"image": str(image), "audio": str(audio)}, options=dict(options))


def test_omnihuman_audio_limits_depend_on_resolution(tmp_path: Path, files) -> None:
    long_audio = make_wav(tmp_path / "long.wav", 31)
    with pytest.raises(MediaError) as refused:
        fal_models.check(fal_models.OMNIHUMAN, talk(long_audio, files.face))
    assert "720p" in str(refused.value)
    assert fal_models.check(fal_models.OMNIHUMAN, talk(long_audio, files.face, resolution="720p")) == 4.96
    too_long = make_wav(tmp_path / "too_long.wav", 61)
    with pytest.raises(MediaError):
        fal_models.check(fal_models.OMNIHUMAN, talk(too_long, files.face, resolution="720p"))


def test_cli_refuses_long_audio_before_uploading(cli, fal, tmp_path: Path, files) -> None:
    result = cli("talk", "--image", files.face, "--audio", make_wav(tmp_path / "long.wav", 31), "--provider", "fal")
    assert result.code == 1 and "30" in result.err
    assert fal.log == []


def test_url_inputs_are_left_to_the_service(files) -> None:
    request = JobRequest("talk", {"image": "https://x.test/a.png", "audio": "https://x.test/a.wav"})
    assert fal_models.check(fal_models.OMNIHUMAN, request) is None  # no duration, so no estimate either


def test_dreamactor_image_size_and_bytes(tmp_path: Path, files) -> None:
    def motion(image: Path, video: Path = files.clip) -> JobRequest:
        return JobRequest("motion", {"image": str(image), "video": str(video)})

    with pytest.raises(MediaError, match="480×480"):
        fal_models.check(fal_models.DREAMACTOR, motion(make_png(tmp_path / "small.png", 320, 240)))
    with pytest.raises(MediaError, match="1920×1080"):
        fal_models.check(fal_models.DREAMACTOR, motion(make_png(tmp_path / "wide.png", 2048, 1080)))
    portrait = make_png(tmp_path / "portrait.png", 1080, 1920)
    assert fal_models.check(fal_models.DREAMACTOR, motion(portrait)) == 0.15  # 1 s billed as 3 s
    heavy = tmp_path / "heavy.png"
    heavy.write_bytes(b"\0" * 4_800_000)
    with pytest.raises(MediaError, match=r"4\.7 MB"):
        fal_models.check(fal_models.DREAMACTOR, motion(heavy))
    with pytest.raises(MediaError, match="30 s"):
        fal_models.check(fal_models.DREAMACTOR, motion(files.face, make_mp4(tmp_path / "long.mp4", 31, fps=1)))


def test_payloads_and_options(files) -> None:
    request = JobRequest("motion", {"image": "u1", "video": "u2"}, options={"trim": False})
    assert fal_models.payload(fal_models.DREAMACTOR, request) == {"image_url": "u1", "video_url": "u2",
                                                                  "trim_first_second": False}
    talk_request = JobRequest("talk", {"image": "u1", "audio": "u2"})
    assert fal_models.payload(fal_models.OMNIHUMAN, talk_request)["resolution"] == "1080p"
    with pytest.raises(UsageError):
        fal_models.check(fal_models.SYNC, JobRequest("dub", {"video": "https://x/v", "audio": "https://x/a"},
                                                     options={"sync_mode": "stretch"}))
    with pytest.raises(UsageError):
        fal_models.check(fal_models.PIXVERSE, talk_request)  # a dub model asked to talk


def test_dub_estimates_bill_the_audio(files) -> None:
    request = JobRequest("dub", {"video": str(files.clip), "audio": str(files.voice)})
    assert fal_models.check(fal_models.PIXVERSE, request) == 0.08
    assert fal_models.check(fal_models.SYNC, request) == 0.02


@pytest.mark.timeout(10)
@pytest.mark.parametrize("box", [
    b"\x00\x00\x00\x01free" + (0).to_bytes(8, "big"),  # a 64-bit size of 0: the reader stepped back onto it
    b"\x00\x00\x00\x01free" + (9).to_bytes(8, "big"),  # smaller than its own 16-byte header
    b"\x00\x00\x00\x04free",  # smaller than its own 8-byte header
])
def test_a_box_size_smaller_than_its_header_is_not_faststart_and_never_hangs(tmp_path: Path, box: bytes) -> None:
    from skill.providers.mp4_checks import is_faststart

    path = tmp_path / "hostile.mp4"
    path.write_bytes(box + b"\x00\x00\x00\x08moov")
    assert is_faststart(path) is False
