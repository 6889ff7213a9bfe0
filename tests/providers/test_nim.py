"""The NVIDIA LipSync NIM client against an in-process gRPC server implementing our proto."""

from __future__ import annotations

import json
from pathlib import Path

from skill.providers.nim_pb import lipsync_pb2 as pb
from tests.providers.media import make_mp4, make_wav


def test_dub_streams_inputs_and_writes_the_output(cli, nim, files, tmp_path: Path) -> None:
    target = tmp_path / "synced.mp4"
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--output", target,
                 "--bitrate", "12", "--idr-interval", "4")
    assert result.code == 0, result.err
    assert target.read_bytes() == files.clip.read_bytes()  # the emulator echoes the video
    assert bytes(nim.audio) == files.voice.read_bytes()
    assert result.json()["output"] == str(target) and result.json()["media"] == [str(target)]
    config = nim.configs[0]
    assert config.input_audio_codec == pb.AUDIO_CODEC_WAV and config.output_audio_codec == pb.AUDIO_CODEC_OPUS
    lossy = config.output_video_encoding.lossy
    assert lossy.bitrate_mbps == 12 and lossy.idr_interval == 4
    assert not config.is_speaker_info_provided and not config.HasField("head_movement_speed")
    assert nim.metadata.get("client-session-id")
    assert not list(tmp_path.glob(".*.part"))


def test_every_nim_option_reaches_the_config(cli, nim, files, tmp_path: Path) -> None:
    speakers = tmp_path / "speakers.json"
    speakers.write_text(json.dumps({"frames": [
        {"speakers": [{"bbox": [10, 20, 30, 40], "speaker_id": 2, "is_speaking": True}]},
        {"speakers": [], "bypass": True},
        {"speakers": [{"bbox": [1, 2, 3, 4], "face_tracker_id": 7, "is_speaking": False}]},
    ]}))
    background = make_wav(tmp_path / "room.wav", 1.0)
    slow = make_mp4(tmp_path / "slow.mp4", faststart=False)
    result = cli("dub", "--video", slow, "--audio", files.voice, "--provider", "nim", "--output", tmp_path / "o.mp4",
                 "--speaker-data-input", speakers, "--extend-audio", "silence", "--extend-video", "reverse",
                 "--lossless", "--output-audio-codec", "mp3", "--head-movement-speed", "1",
                 "--background-audio-input", background, "--background-audio-volume", "0.25")
    assert result.code == 0, result.err
    assert "faststart" in result.err  # transactional mode announced, with the fix
    config = nim.configs[0]
    assert config.extend_audio == pb.EXTEND_AUDIO_SILENCE and config.extend_video == pb.EXTEND_VIDEO_REVERSE
    assert config.output_video_encoding.lossless and config.output_audio_codec == pb.AUDIO_CODEC_MP3
    assert config.head_movement_speed == 1 and config.is_speaker_info_provided
    assert config.background_audio_config.is_background_audio_provided
    assert abs(config.background_audio_config.audio_volume - 0.25) < 1e-6
    assert bytes(nim.background) == background.read_bytes()
    boxes = [(f.frame_id, [(s.speaker_bbox.x, s.speaker_id, s.is_speaking) for s in f.speaker_infos], f.bypass)
             for f in nim.frames]
    assert boxes == [(0, [(10.0, 2, True)], False), (1, [(0.0, 0, True)], True), (2, [(1.0, 7, False)], False)]


def test_inputs_are_interleaved_in_64_kib_chunks(cli, nim, tmp_path: Path, files) -> None:
    audio = make_wav(tmp_path / "long.wav", 10.0)  # 160 kB: three chunks
    result = cli("dub", "--video", files.clip, "--audio", audio, "--provider", "nim", "--output", tmp_path / "o.mp4")
    assert result.code == 0, result.err
    assert nim.messages == 3 and bytes(nim.audio) == audio.read_bytes()


def test_variable_frame_rate_is_refused_with_a_fix(cli, nim, tmp_path: Path, files) -> None:
    vfr = make_mp4(tmp_path / "vfr.mp4", variable_rate=True)
    result = cli("dub", "--video", vfr, "--audio", files.voice, "--provider", "nim")
    assert result.code == 1 and "constant frame rate" in result.err and nim.configs == []


def test_urls_and_async_do_not_apply(cli, nim, files) -> None:
    url = cli("dub", "--video-url", "https://x.test/v.mp4", "--audio", files.voice, "--provider", "nim")
    assert url.code == 2 and "local file" in url.err
    later = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--async")
    assert later.code == 2 and "--async" in later.err


def test_bad_speaker_json_is_a_usage_error(cli, nim, files, tmp_path: Path) -> None:
    speakers = tmp_path / "s.json"
    speakers.write_text(json.dumps({"frames": [{"speakers": [{"bbox": [1, 2]}]}]}))
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim",
                 "--speaker-data-input", speakers, "--output", tmp_path / "o.mp4")
    assert result.code == 2 and "s.json" in result.err and not (tmp_path / "o.mp4").exists()


def test_a_server_error_leaves_no_partial_output(cli, nim, files, tmp_path: Path) -> None:
    import grpc

    nim.abort = (grpc.StatusCode.INVALID_ARGUMENT, "no face found in frame 0")
    target = tmp_path / "o.mp4"
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--output", target)
    assert result.code == 1 and "no face found" in result.err
    assert not target.exists() and not list(tmp_path.glob(".*.part"))


def test_an_empty_answer_is_an_error(cli, nim, files, tmp_path: Path) -> None:
    nim.send_nothing = True
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--output",
                 tmp_path / "o.mp4")
    assert result.code == 1 and not (tmp_path / "o.mp4").exists()


def test_an_unreachable_target_is_reported(cli, files, tmp_path: Path) -> None:
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim",
                 "--target", "127.0.0.1:1", "--timeout", "5", "--output", tmp_path / "o.mp4")
    assert result.code == 1 and "NVIDIA LipSync NIM" in result.err


def test_output_never_overwrites_an_earlier_result(cli, nim, files, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim")
    second = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim")
    assert first.json()["output"] != second.json()["output"]
    assert Path(second.json()["output"]).name == "lipsync_dub_output-2.mp4"


def test_an_output_folder_gets_a_new_file_inside(cli, nim, files, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "lipsync_dub_output.mp4").write_bytes(b"earlier")
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--output", folder)
    assert result.code == 0, result.err
    assert result.json()["output"] == str(folder / "lipsync_dub_output-2.mp4")
    assert (folder / "lipsync_dub_output.mp4").read_bytes() == b"earlier"


def test_missing_grpc_extra_is_one_clear_line(cli, files, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "grpc", None)  # as if the "nim" extra were not installed
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim")
    assert result.code == 1 and "lip-sync-video[nim]" in result.err and "Traceback" not in result.err


def test_nvcf_credentials_travel_as_metadata_and_never_in_clear_to_other_hosts(cli, nim, files, tmp_path: Path,
                                                                                monkeypatch) -> None:
    monkeypatch.setenv("NVIDIA_API_KEY", "nvapi-test-0123456789")
    monkeypatch.setenv("NIM_FUNCTION_ID", "fn-123")
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--output",
                 tmp_path / "o.mp4")
    assert result.code == 0, result.err
    assert nim.metadata["authorization"] == "Bearer nvapi-test-0123456789" and nim.metadata["function-id"] == "fn-123"
    remote = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--target", "10.0.0.9:8001")
    assert remote.code == 1 and "--nim-tls" in remote.err and "nvapi-test-0123456789" not in remote.err


def test_an_output_in_a_new_folder_is_written_like_every_other_download(cli, nim, files, tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "synced.mp4"
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim", "--output", target)
    assert result.code == 0, result.err
    assert target.read_bytes() == files.clip.read_bytes()


def test_an_unwritable_output_is_a_clear_message(cli, nim, files, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = cli("dub", "--video", files.clip, "--audio", files.voice, "--provider", "nim",
                 "--output", tmp_path / "blocker" / "synced.mp4")
    assert result.code == 1 and "Can't write" in result.err and "internal" not in result.err.lower()
