"""Measurement accuracy on generated speech through a camera chain, and honest refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skill.errors import AlignmentError
from skill.local.align.engine import measure
from skill.media.decode import decode_mono, decode_native
from tests.local.media import RATE, drop_in_pause, pair, truth_error_ms
from tests.local.speechsynth import camera_chain, speech_like, studio_copy, write_video, write_wav

pytestmark = pytest.mark.slow  # seconds per test; `pytest -m "not slow"` skips this module


def _measure(video: Path, voice: Path):  # type: ignore[no-untyped-def]
    return measure(decode_mono(video), decode_mono(voice), video.name, voice.name)


@pytest.mark.parametrize(("k", "b", "ratio", "wav_rate", "snr_db"), [
    (1 + 90e-6, 0.3456, "measured", RATE, 20.0),
    (1.0, -0.1875, "1", 44_100, 20.0),            # a true 44.1 kHz file, labelled correctly
    (48_000 / 44_100, 0.25, "48k/44.1k", RATE, 20.0),  # 44.1 kHz samples flagged as 48 kHz
    (1000 / 1001, -0.2, "1000/1001", RATE, 20.0),  # NTSC pull-down
    (25 / 24, 0.05, "25/24", RATE, 20.0),          # PAL speed-up
    (1 - 45e-6, 1.2, "measured", RATE, 0.0),       # noise as loud as the voice
], ids=["drift90ppm", "true44k1", "44k1-flagged-48k", "ntsc", "pal", "snr0"])
def test_offset_and_drift_within_a_millisecond(tmp_path: Path, k: float, b: float, ratio: str, wav_rate: int,
                                               snr_db: float) -> None:
    video, voice = pair(tmp_path, 10.0, k, b, seed=3, snr_db=snr_db, wav_rate=wav_rate)
    result = _measure(video, voice)
    segment = result.fit.segments[0]
    assert len(result.fit.segments) == 1
    assert truth_error_ms(segment.k, segment.b, k, b, 10.0) <= 1.0
    assert result.ratio_name == ratio
    assert result.fit.confidence > 0.8


@pytest.mark.parametrize(("k", "b", "ratio"), [
    (1 - 120e-6, 0.4321, "measured"),
    (1000 / 1001, -0.15, "1000/1001"),
], ids=["drift-120ppm", "ntsc"])
def test_camera_two_metres_away_in_a_reverberant_room(tmp_path: Path, k: float, b: float, ratio: str) -> None:
    """RT60 0.5 s, as much reverberant energy as direct sound, strong reflections 3–8 ms after it:
    the earliest strong peak is still the direct sound."""
    video, voice = pair(tmp_path, 10.0, k, b, seed=7, room="2m")
    result = _measure(video, voice)
    segment = result.fit.segments[0]
    assert len(result.fit.segments) == 1
    assert truth_error_ms(segment.k, segment.b, k, b, 10.0) <= 1.0
    assert result.ratio_name == ratio


def test_jump_in_the_middle_gives_two_segments_split_in_a_pause(tmp_path: Path) -> None:
    """The camera dropped 60 ms in a pause: one offset before, another after."""
    performance = speech_like(16.0, RATE, seed=11)
    dropped, cut = drop_in_pause(performance, 8.0, 0.060)
    video = write_video(tmp_path / "cut.mp4", camera_chain(dropped, RATE, seed=11), RATE)
    voice = write_wav(tmp_path / "voice.wav", performance, RATE)
    result = _measure(video, voice)
    before, after = result.fit.segments[0], result.fit.segments[-1]
    assert len(result.fit.segments) == 2
    assert abs(before.b * 1000) <= 1.0 and abs(after.b * 1000 + 60.0) <= 1.0
    assert abs(before.end - cut) < 0.4  # the split sits in the pause where the chunk went


@pytest.mark.parametrize(("seed", "take"), [(5, 0), (4, 1)], ids=["unrelated", "re-recorded-take"])
def test_other_speech_is_refused(tmp_path: Path, seed: int, take: int) -> None:
    """Unrelated speech, and a re-take with the very same rhythm (a dub or ADR line): no offset."""
    video = write_video(tmp_path / "v.mp4", camera_chain(speech_like(10.0, RATE, seed=4), RATE), RATE)
    voice = write_wav(tmp_path / "other.wav", speech_like(10.0, RATE, seed=seed, take=take), RATE)
    with pytest.raises(AlignmentError) as caught:
        _measure(video, voice)
    assert caught.value.message_key == "errors/align_no_match"
    assert "lip-sync-video chat" in caught.value.render("en")


def test_silent_audio_is_refused(tmp_path: Path) -> None:
    video, _ = pair(tmp_path, 4.0, 1.0, 0.1)
    silence = write_wav(tmp_path / "silence.wav", np.zeros(4 * RATE, np.float32), RATE)
    with pytest.raises(AlignmentError) as caught:
        _measure(video, silence)
    assert caught.value.message_key == "errors/align_silent"


def test_video_without_audio_is_refused(tmp_path: Path) -> None:
    mute = write_video(tmp_path / "mute.mp4", None)
    with pytest.raises(AlignmentError) as caught:
        decode_mono(mute)
    assert caught.value.message_key == "errors/align_no_audio"


def test_late_start_is_kept_on_the_container_clock(tmp_path: Path) -> None:
    """An audio stream that starts after the video is padded, not pulled to time 0."""
    import fractions

    import av

    path = tmp_path / "late.mkv"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=16_000, layout="mono")
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 32, 32, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
        frame.pts = 0
        out.mux(video.encode(frame))
        out.mux(video.encode(None))
        tone = np.full((1, 1600), 0.5, np.float32)
        audio = av.AudioFrame.from_ndarray(tone.astype(np.float32), format="flt", layout="mono")
        audio.sample_rate, audio.pts, audio.time_base = 16_000, 4000, fractions.Fraction(1, 16_000)
        out.mux(stream.encode(audio))
        out.mux(stream.encode(None))
    track = decode_mono(path)
    first_sound = int(np.flatnonzero(np.abs(track.samples) > 0.1)[0])
    assert abs(first_sound - 4000) <= 2


def test_a_voice_covering_part_of_the_video_is_found_inside_it(tmp_path: Path) -> None:
    performance = speech_like(20.0, RATE, seed=9)
    video = write_video(tmp_path / "long.mp4", camera_chain(performance, RATE, seed=9), RATE)
    voice = write_wav(tmp_path / "part.wav", studio_copy(performance, RATE, 1.0, 9.5)[: 7 * RATE], RATE)
    segment = _measure(video, voice).fit.segments[0]
    assert truth_error_ms(segment.k, segment.b, 1.0, 9.5, 7.0) <= 1.0


def test_stereo_24_bit_audio_is_averaged_to_mono(tmp_path: Path) -> None:
    import fractions

    import av

    left = np.sin(np.linspace(0, 2000, 44_100)).astype(np.float32) * 0.5
    path = tmp_path / "stereo.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s24le", rate=44_100, layout="stereo")
        frame = av.AudioFrame.from_ndarray(np.stack([left, left * 0.5]), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 44_100, 0, fractions.Fraction(1, 44_100)
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    track = decode_native(path)
    assert track.rate == 44_100 and len(track.samples) == 44_100
    assert np.allclose(track.samples, left * 0.75, atol=1e-4)
