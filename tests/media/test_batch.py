"""Batch localization against the emulator: ≥ 10 pairs, one failure, resumed reruns, manifest rules."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import av
import pytest

from tests.emulator import Emulator
from tests.media.conftest import MediaSet

LABELS = ["es", "fr", "de", "it", "pt-BR", "ja", "ko", "zh", "ar", "hi"]


def _workspace(root: Path, media: MediaSet, broken: str | None = None) -> Path:
    shutil.copy(media.clip, root / "talk.mp4")
    for label in LABELS:
        target = root / f"voice_{label}.wav"
        if label == broken:
            target.write_bytes(b"this is not audio at all" * 10)
        else:
            shutil.copy(media.voice, target)
    lines = ["video: talk.mp4", "output_dir: out", "tracks:"] + [f"  {label}: voice_{label}.wav" for label in LABELS]
    (root / "batch.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "batch.yaml"


@pytest.mark.slow
def test_batch_of_ten_with_a_local_and_a_cloud_failure_then_a_rerun_finishes_only_those(
        cli: Callable, emulator: Emulator, media: MediaSet, tmp_path: Path) -> None:
    manifest = _workspace(tmp_path, media, broken="ja")
    emulator.play("error_event")  # the first lip-sync turn to arrive fails in the cloud
    first = cli("batch", manifest, "--jobs", "4")
    assert first.code == 1, first.err
    outputs = sorted(p.name for p in (tmp_path / "out").glob("talk.*.mp4"))
    assert len(outputs) == 8 and "talk.ja.mp4" not in outputs
    assert "| ja | voice_ja.wav | FAILED |" in first.out and first.out.count("FAILED") == 2
    assert len(emulator.state.uploads) == 9  # the broken pair stopped before the network
    # each pair had its own session, and each session heard exactly one lip-sync request
    assert len(emulator.state.messages) == 9 and all(len(m) == 1 for m in emulator.state.messages.values())
    with av.open(str(tmp_path / "out" / next(iter(outputs)))) as container:
        assert container.streams.video

    shutil.copy(media.voice, tmp_path / "voice_ja.wav")
    second = cli("batch", manifest, "--json")
    assert second.code == 0, second.err
    body = second.json()
    assert (body["done"], body["skipped"], body["failed"]) == (2, 8, 0)
    assert len(body["media"]) == 10
    assert sum(emulator.state.render_submits.values()) == 10  # no pair rendered twice
    assert len(emulator.state.uploads) == 10  # the cloud-failed pair kept its upload


@pytest.mark.slow
def test_rerun_resumes_pending_renders_instead_of_submitting_again(
        cli: Callable, emulator: Emulator, media: MediaSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = _workspace(tmp_path, media)
    monkeypatch.setenv("LIP_SYNC_VIDEO_RENDER_TIMEOUT_SECONDS", "0.3")
    emulator.state.render_polls = 1000  # renders outlast the first run
    first = cli("batch", manifest, "--jobs", "5")
    assert first.code == 1 and first.out.count("FAILED") == 10
    submitted = sum(emulator.state.render_submits.values())
    assert submitted == 10
    emulator.state.render_polls = 1
    second = cli("batch", manifest, "--jobs", "5")
    assert second.code == 0, second.out
    assert sum(emulator.state.render_submits.values()) == submitted  # the same renders, polled to the end
    assert len(emulator.state.uploads) == 10 and sum(map(len, emulator.state.messages.values())) == 10
    assert len(list((tmp_path / "out").glob("talk.*.mp4"))) == 10


def test_csv_manifest_with_explicit_videos_may_mix_sources(cli: Callable, emulator: Emulator, media: MediaSet,
                                                           tmp_path: Path) -> None:
    shutil.copy(media.clip, tmp_path / "a.mp4")
    shutil.copy(media.webm, tmp_path / "b.webm")
    shutil.copy(media.voice, tmp_path / "es.wav")
    (tmp_path / "pairs.csv").write_text("label,audio,video\nes,es.wav,a.mp4\nes,es.wav,b.webm\n", encoding="utf-8")
    result = cli("batch", tmp_path / "pairs.csv")
    assert result.code == 0, result.out + result.err
    assert (tmp_path / "a.es.mp4").is_file()
    assert any(tmp_path.glob("b.es.*"))


@pytest.mark.parametrize(("manifest", "message"), [
    ("video: a.mp4\ntracks:\n  es: es.wav\n  fr: {audio: fr.wav, video: b.mp4}\n", "mixes source videos"),
    ("video: a.mp4\ntracks: {}\n", "no voice tracks"),
    ("tracks:\n  es: es.wav\n", "which video"),
    ("video: a.mp4\ntracks:\n  ../evil: es.wav\n", "can't be used in a file name"),
    ("video: a.mp4\ntracks:\n  - {label: es, audio: es.wav}\n  - {label: es, audio: fr.wav}\n", "would both write"),
    ("video: [unclosed\n", "Can't read the manifest"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
     "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nvideo: a.mp4\ntracks:\n  es: *g\n", "not a plain name"),
])
def test_bad_manifests_are_refused_before_the_network(cli: Callable, emulator: Emulator, tmp_path: Path,
                                                      manifest: str, message: str) -> None:
    (tmp_path / "m.yaml").write_text(manifest, encoding="utf-8")
    result = cli("batch", tmp_path / "m.yaml")
    assert result.code == 1
    assert message in result.err
    assert emulator.calls() == []


@pytest.mark.parametrize("jobs", ["0", "65", "many"])
def test_jobs_out_of_range_is_a_usage_error(cli: Callable, emulator: Emulator, tmp_path: Path, jobs: str) -> None:
    result = cli("batch", tmp_path / "m.yaml", "--jobs", jobs)
    assert result.code == 2 and "--jobs" in result.err
    assert emulator.calls() == []


def test_a_turn_with_an_unknown_outcome_is_not_resent_while_it_may_still_be_running(
        cli: Callable, emulator: Emulator, media: MediaSet, tmp_path: Path) -> None:
    import sqlite3

    shutil.copy(media.clip, tmp_path / "talk.mp4")
    shutil.copy(media.voice, tmp_path / "voice_es.wav")
    manifest = tmp_path / "batch.yaml"
    manifest.write_text("video: talk.mp4\noutput_dir: out\ntracks:\n  es: voice_es.wav\n", encoding="utf-8")
    sent = lambda: sum(map(len, emulator.state.messages.values()))  # noqa: E731

    emulator.play("drop_unapplied")  # the stream drops before the edit shows: did it land? unknown
    assert cli("batch", manifest).code == 1 and sent() == 1
    pending = cli("batch", manifest)
    assert pending.code == 1 and "not sent again" in pending.out + pending.err
    assert sent() == 1  # no second charge while the first turn may still be working

    # Once the turn cap has passed, the first turn has certainly ended without changing anything.
    (journal,) = (tmp_path / "out").glob(".*.journal.sqlite")
    with sqlite3.connect(journal) as db:
        db.execute("UPDATE pairs SET sent_at = sent_at - 3600")
    finished = cli("batch", manifest)
    assert finished.code == 0, finished.out
    assert sent() == 2 and (tmp_path / "out" / "talk.es.mp4").is_file()


def test_a_batch_whose_files_are_all_missing_contacts_no_one(cli: Callable, emulator: Emulator,
                                                              tmp_path: Path) -> None:
    manifest = tmp_path / "batch.yaml"
    manifest.write_text("video: gone.mp4\ntracks:\n  es: gone_es.wav\n  fr: gone_fr.wav\n", encoding="utf-8")
    result = cli("batch", manifest)
    assert result.code == 1 and result.out.count("FAILED") == 2
    assert emulator.calls() == []  # no account, no session: nothing here needed the network


@pytest.mark.slow
def test_ctrl_c_starts_no_further_pair(emulator: Emulator, media: MediaSet, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from skill.app import App
    from skill.handlers import batch as batch_module

    manifest = _workspace(tmp_path, media)
    reports: list[str] = []

    def interrupted(self, finished: int, total: int, result) -> None:  # type: ignore[no-untyped-def]
        reports.append(result.label)
        raise KeyboardInterrupt  # the person pressed Ctrl-C while the first pairs were running

    monkeypatch.setattr(batch_module._Runner, "_report", interrupted)
    app = App()
    try:
        with pytest.raises(KeyboardInterrupt):
            batch_module.batch(app, manifest, jobs=2)
    finally:
        app.close()
    # The running pairs end their step (and the worker freed by the first may already have taken
    # one more); the rest of the ten never start: before, all ten ran to the end first.
    assert len(reports) == 1 and len(emulator.state.uploads) <= 3


def test_a_damaged_journal_is_named_not_an_internal_error(cli: Callable, emulator: Emulator, media: MediaSet,
                                                          tmp_path: Path) -> None:
    manifest = _workspace(tmp_path, media)
    (tmp_path / "out").mkdir()
    journal = tmp_path / "out" / ".batch.journal.sqlite"
    journal.write_bytes(b"not a database at all, but a file someone copied here" * 100)
    for lang in ("en", "zh"):
        result = cli("batch", manifest, "--lang", lang)
        assert result.code == 1 and str(journal) in result.err
        assert "internal" not in result.err.lower() and "内部" not in result.err
    assert emulator.calls("upload") == []  # nothing is sent before the journal can say what is done
