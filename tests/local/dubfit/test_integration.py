"""``fit`` where other commands meet it: ``dub --fit`` fits before anything is uploaded."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import av
import pytest

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

FAST = ("--poll-interval", "0.01", "--timeout", "10")


def test_dub_fit_uploads_the_fitted_voice_not_the_raw_one(cli: Callable, fal, video: Path,
                                                          pair: tuple[Path, Path]) -> None:
    result = cli("dub", "--video", video, "--audio", pair[1], "--provider", "fal", "--fit", *FAST)
    assert result.code == 0, result.err
    out = result.json()
    assert out["fit"]["groups"] == 4 and out["fit"]["warnings"] == []
    submitted = next(iter(fal.jobs.values()))
    uploaded = fal.files[submitted.body["audio_url"].split("/cdn/files/", 1)[1]]
    assert uploaded != pair[1].read_bytes()
    with av.open(io.BytesIO(uploaded)) as fitted, av.open(str(video)) as original:
        assert abs(fitted.duration - original.duration) / av.time_base < 0.05  # as long as the video
    assert "before uploading" in result.err
    assert not list(Path(tempfile.gettempdir()).glob("lip-sync-video-fit-*"))  # the fitted copy is not left behind


def test_dub_fit_needs_local_files_and_uploads_nothing(cli: Callable, fal, video: Path) -> None:
    result = cli("dub", "--video", video, "--audio-url", "https://example.test/es.wav", "--provider", "fal",
                 "--fit", *FAST)
    assert result.code == 2 and "local files" in result.err
    assert fal.jobs == {} and fal.files == {}


def test_dub_fit_refuses_a_bad_max_stretch(cli: Callable, video: Path, pair: tuple[Path, Path]) -> None:
    result = cli("dub", "--video", video, "--audio", pair[1], "--fit", "--max-stretch", "nan")
    assert result.code == 2


def test_align_refusing_a_dub_offers_fit_with_both_files(cli: Callable, tmp_path: Path) -> None:
    from tests.local.speechsynth import speech_like, write_video, write_wav

    video = write_video(tmp_path / "clip.mp4", speech_like(10.0, seed=1))
    voice = write_wav(tmp_path / "es.wav", speech_like(10.0, seed=5), 48_000)  # other words: not the same take
    for lang, word in (("en", "fit it"), ("zh", "对齐")):
        result = cli("align", video, voice, "-o", tmp_path / "synced.mp4", "--lang", lang)
        assert result.code == 1 and word in result.err
        assert f"lip-sync-video fit {video} {voice}" in result.err


def _manifest(root: Path, video: Path, dub: Path, fit: str) -> Path:
    import shutil

    shutil.copy(video, root / "talk.mp4")
    shutil.copy(dub, root / "voice_es.wav")
    shutil.copy(dub, root / "voice_fr.wav")
    text = f"video: talk.mp4\noutput_dir: out\ntracks:\n  es: {{audio: voice_es.wav, fit: {fit}}}\n  fr: voice_fr.wav\n"
    (root / "batch.yaml").write_text(text, encoding="utf-8")
    return root / "batch.yaml"


def test_a_batch_manifest_can_ask_for_fit_per_pair(cli: Callable, emulator, video: Path, pair: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, video, pair[1], "yes")
    result = cli("batch", manifest, "--json")
    assert result.code == 0, result.err
    uploaded = sorted(name for u in emulator.state.uploads for name in u.filenames)
    assert "talk.es.fitted.wav" in uploaded and "voice_fr.wav" in uploaded and "voice_es.wav" not in uploaded
    fitted = tmp_path / "out" / "talk.es.fitted.wav"
    with av.open(str(fitted)) as audio, av.open(str(video)) as original:
        assert abs(audio.duration - original.duration) / av.time_base < 0.05


def test_a_bad_fit_value_is_refused_before_the_network(cli: Callable, emulator, video: Path,
                                                       pair: tuple[Path, Path], tmp_path: Path) -> None:
    result = cli("batch", _manifest(tmp_path, video, pair[1], "2.5"))
    assert result.code == 1 and "fit" in result.err and "Traceback" not in result.err
    assert emulator.state.uploads == []
