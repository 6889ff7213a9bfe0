"""Preflight on real generated media: each warning and each hard error, before any network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skill.errors import MediaError
from skill.media.preflight import human_size, max_upload_bytes, preflight
from skill.replies import render
from tests.media.conftest import MediaSet


def _warnings(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.key for w in result.warnings]


def test_clean_pair_has_no_warning(media: MediaSet) -> None:
    result = preflight([media.clip, media.voice])
    assert _warnings(result) == []
    assert [f.kind for f in result.files] == ["video", "audio"]
    assert result.files[0].height == 480 and result.files[1].sample_rate == 48000


def test_an_mp3_with_cover_art_is_audio_not_a_low_resolution_video(media: MediaSet, tmp_path: Path) -> None:
    from tests.media.factory import audio_with_cover

    voice = audio_with_cover(tmp_path / "voice.mp3", seconds=5.0)
    result = preflight([media.clip, voice])
    assert [f.kind for f in result.files] == ["video", "audio"]
    assert result.files[1].width is None and result.files[1].video_codec is None
    # paired with the clip as any voice track is, and never told its album art is "below 480p"
    assert "media/warn_low_resolution" not in _warnings(result)
    assert "media/warn_duration_mismatch" in _warnings(result)


def test_low_resolution_warns(media: MediaSet) -> None:
    result = preflight([media.small])
    assert _warnings(result) == ["media/warn_low_resolution"]
    assert "480p" in render("media/warn_low_resolution", "en", **result.warnings[0].params)
    assert "480p" in render("media/warn_low_resolution", "zh", **result.warnings[0].params)


def test_duration_mismatch_over_ten_percent_warns(media: MediaSet) -> None:
    result = preflight([media.clip, media.voice_long])
    finding = next(w for w in result.warnings if w.key == "media/warn_duration_mismatch")
    assert finding.params["percent"] == 30
    for lang in ("en", "zh"):  # it offers the offline fit, with the two files named
        text = render(finding.key, lang, **finding.params)
        assert f"lip-sync-video fit {media.clip.name} {media.voice_long.name}" in text


def test_sample_rate_mismatch_warns(media: MediaSet) -> None:
    result = preflight([media.clip, media.voice_44k])
    finding = next(w for w in result.warnings if w.key == "media/warn_sample_rate")
    assert (finding.params["audio_rate"], finding.params["video_rate"]) == (44100, 48000)
    assert "采样率" in render(finding.key, "zh", **finding.params)


def test_long_clip_suggests_splitting(media: MediaSet) -> None:
    result = preflight([media.long_voice])
    assert _warnings(result) == ["media/warn_long_clip"]
    assert "pauses" in render("media/warn_long_clip", "en", **result.warnings[0].params)


def test_several_videos_are_not_paired_by_guess(media: MediaSet) -> None:
    result = preflight([media.clip, media.webm, media.voice_long])
    assert "media/warn_duration_mismatch" not in _warnings(result)


@pytest.mark.parametrize("name", ["clip.mp4", "clip.webm", "voice.wav", "voice.m4a", "face.png", "voice_long.mp3"])
def test_supported_files_pass(media: MediaSet, name: str) -> None:
    assert preflight([media.root / name]).files[0].path.name == name


def test_wrong_extension_for_content_is_refused(media: MediaSet, tmp_path: Path) -> None:
    disguised = shutil.copy(media.voice, tmp_path / "voice.mp4")
    with pytest.raises(MediaError) as caught:
        preflight([Path(disguised)])
    assert caught.value.message_key == "errors/media_wrong_extension"
    assert "rename it to .wav" in caught.value.render("en").lower()


def test_audio_only_mp4_family_suggests_m4a(media: MediaSet, tmp_path: Path) -> None:
    disguised = Path(shutil.copy(media.voice_m4a, tmp_path / "voice.avi"))
    with pytest.raises(MediaError) as caught:
        preflight([disguised])
    assert caught.value.params["suggested"] == "m4a"


def test_same_family_extensions_are_accepted(media: MediaSet, tmp_path: Path) -> None:
    as_mov = Path(shutil.copy(media.clip, tmp_path / "clip.mov"))
    as_mkv = Path(shutil.copy(media.webm, tmp_path / "clip.mkv"))
    assert len(preflight([as_mov, as_mkv]).files) == 2


def test_size_limit_comes_from_the_environment(media: MediaSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIP_SYNC_VIDEO_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(MediaError) as caught:
        preflight([media.clip])
    assert caught.value.message_key == "errors/media_too_large"
    monkeypatch.setenv("LIP_SYNC_VIDEO_MAX_UPLOAD_MB", "lots")
    with pytest.raises(MediaError) as caught:
        max_upload_bytes()
    assert caught.value.message_key == "errors/media_limit_number"


@pytest.mark.parametrize(("size", "text"), [(0, "0 B"), (1536, "1.5 KB"), (5 * 1024**2, "5.0 MB"),
                                            (3 * 1024**3, "3.0 GB")])
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text
