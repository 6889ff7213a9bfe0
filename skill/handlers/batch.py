"""Batch localization: one source video, N labelled voice tracks, one lip-synced video per label.

Each pair gets its **own editing session**, so the cloud agent never sees another language's
audio when it is asked to sync this one (one shared session would let it pick the wrong track).
Pairs run on a bounded thread pool; a failure is recorded against its pair and the others go on.
The SQLite journal (``skill.nemo.journal``) makes a rerun skip finished pairs, resume pending renders
and retry failed pairs from the stage they failed in.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from skill.app import App
from skill.config import DEFAULT_BATCH_JOBS, DEFAULT_MAX_STRETCH
from skill.console import NullEvents
from skill.errors import JobFailed, LipSyncError
from skill.handlers import face_check
from skill.media.download import result_path
from skill.media.manifest import Manifest, Pair, load_manifest
from skill.media.preflight import preflight
from skill.nemo import pipeline
from skill.nemo.delivery import place, render_and_download
from skill.nemo.journal import Journal, JournalLedger, pair_key
from skill.nemo.render import StoreLedger, draft_fingerprint
from skill.nemo.timeline import has_segments
from skill.nemo.upload import upload_files
from skill.replies import Reply, render
from skill.store import SESSION_FILE, Store

log = logging.getLogger("skill.batch")


@dataclass
class PairResult:
    label: str
    audio: str
    status: str  # done | skipped | failed
    output: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


class PairStore(Store):
    """The shared store (token, client id) with this pair's own session and pending-render records."""

    _PER_PAIR = (SESSION_FILE, StoreLedger.RECORD)

    def __init__(self, base: Store, key: str) -> None:
        super().__init__(base.home, base.events)
        self._suffix = key[:16]

    def path(self, name: str) -> Path:
        return super().path(f"{name}-batch-{self._suffix}" if name in self._PER_PAIR else name)


def batch(app: App, manifest: Path, jobs: int = DEFAULT_BATCH_JOBS, *, force: bool = False) -> Reply:
    """Every pair of ``manifest``; results named ``<video>.<label>.<ext>`` beside it, numbered instead
    of replacing a file another run left there (another manifest's, or the person's), unless ``force``."""
    spec = load_manifest(manifest)
    journal = Journal(spec.output_dir / f".{spec.path.stem}.journal.sqlite")
    try:
        work = [(pair, pair_key(pair.label, pair.video, pair.audio)) for pair in spec.pairs]
        for pair, key in work:
            journal.ensure(key, pair.label, pair.video, pair.audio)
        results = _Runner(app, spec, journal, force=force).run(work, jobs)
    finally:
        journal.close()
    failed = [r for r in results if r.status == "failed"]
    return Reply("batch/done", {
        "pairs": [asdict(r) for r in results],
        "done": sum(r.status == "done" for r in results),
        "skipped": sum(r.status == "skipped" for r in results),
        "failed": len(failed),
        "warnings": list(dict.fromkeys(w for r in results for w in r.warnings)),  # a video's warning once
        "journal": str(journal.path),
    }, media=[r.output for r in results if r.output and r.status in ("done", "skipped")], ok=not failed)


class _Runner:
    def __init__(self, app: App, spec: Manifest, journal: Journal, *, force: bool = False) -> None:
        self.app, self.spec, self.journal, self.force = app, spec, journal, force

    def run(self, work: list[tuple[Pair, str]], jobs: int) -> list[PairResult]:
        results: dict[str, PairResult] = {}
        pending = []
        for pair, key in work:
            skipped = self._already_done(pair, key)
            if skipped:
                results[key] = skipped
            else:
                pending.append((pair, key))
        if pending:
            pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="batch")
            try:
                futures = {pool.submit(self._pair, pair, key): key for pair, key in pending}
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    self._report(len(results), len(work), results[futures[future]])
            except BaseException:
                # Ctrl-C: the queued pairs never start (the journal lets a rerun pick them up);
                # the running ones end their current step rather than being cut mid-request.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
        return [results[key] for _, key in work]

    def _pair_app(self, key: str) -> App:
        pair_app = App(self.app.settings, NullEvents(self.app.lang), lang=self.app.lang)
        pair_app.store = PairStore(self.app.store, key)  # replaces the App's own (a cached property)
        return pair_app

    def _report(self, finished: int, total: int, result: PairResult) -> None:
        self.app.events.progress("batch/progress", fraction=finished / total, finished=finished, total=total,
                                 label=result.label, status=result.status)

    def _already_done(self, pair: Pair, key: str) -> PairResult | None:
        row = self.journal.row(key)
        if row and row.stage == "done" and row.output and Path(row.output).is_file():
            return PairResult(pair.label, pair.audio.name, "skipped", output=row.output)
        return None

    def _pair(self, pair: Pair, key: str) -> PairResult:
        """Every stage this pair still needs; never raises (a failure is the pair's result)."""
        row = self.journal.row(key)
        assert row is not None
        stage = (row.failed_stage or "new") if row.stage == "failed" else row.stage
        stage = "rendering" if stage == "done" else stage  # finished earlier, but the file is gone
        pair_app = self._pair_app(key)
        result = PairResult(pair.label, pair.audio.name, "done")
        try:
            if stage == "new":
                if pair.fit is not None:  # on this machine, before anything is uploaded
                    result.warnings += self._fit(pair_app, pair)
                face_check.gate(pair_app, pair.video)  # a face no lip-sync can work with fails the pair here
                checked = preflight([pair.video, self._voice(pair)])
                result.warnings += [render(w.key, self.app.lang, **w.params) for w in checked.warnings]
                upload_files(pair_app.client, pair_app.events, [pair.video, self._voice(pair)])
                stage = self._advance(key, "uploaded")
            if stage in ("uploaded", "syncing"):
                stage = self._lip_sync(pair_app, pair, key, resend=stage == "uploaded")
            if stage != "done":
                self._export(pair_app, pair, key)
        except Exception as error:  # one pair's failure, even a bug, must not stop the others
            if not isinstance(error, LipSyncError):
                log.debug("batch pair %s failed", pair.label, exc_info=True)
                error = LipSyncError("errors/internal", kind=type(error).__name__)
            failed_in = self.journal.row(key).stage  # type: ignore[union-attr]
            result.status, result.error = "failed", error.render(self.app.lang)
            self.journal.update(key, stage="failed", failed_stage=failed_in if failed_in != "failed" else stage,
                                error=result.error)
        finally:
            pair_app.close()
        if result.status == "done":
            result.output = result.output or self.journal.row(key).output  # type: ignore[union-attr]
        return result

    def _voice(self, pair: Pair) -> Path:
        """The voice this pair uploads: the fitted copy when the manifest asks for ``fit``."""
        return self.spec.output_dir / pair.fitted_name() if pair.fit is not None else pair.audio

    def _fit(self, pair_app: App, pair: Pair) -> list[str]:
        from skill.handlers.fit import fit

        reply = fit(pair_app, pair.video, pair.audio, output=self._voice(pair),
                    max_stretch=pair.fit or DEFAULT_MAX_STRETCH)
        return list(reply.data["warnings"])

    def _advance(self, key: str, stage: str, **fields: Any) -> str:
        self.journal.update(key, stage=stage, error=None, failed_stage=None, **fields)
        return stage

    def _lip_sync(self, pair_app: App, pair: Pair, key: str, *, resend: bool) -> str:
        """Ask the cloud agent to sync this pair — once: a turn that may still be running is not re-sent."""
        client = pair_app.client
        before = draft_fingerprint(client.state().get("draft"))
        row = self.journal.row(key)
        if not resend and row is not None and row.draft_before:
            if row.draft_before != before:
                return self._advance(key, "synced")  # the earlier turn changed the draft: it landed
            if row.sent_at and time.time() - row.sent_at < self.app.settings.sse_timeout_seconds:
                # Sent on an earlier run, outcome unknown, and it may still be working: a second
                # send could be charged twice. Past the turn cap it has certainly ended, unapplied.
                raise JobFailed("errors/media_batch_sync_pending", label=pair.label)
        self._advance(key, "syncing", draft_before=before, sent_at=time.time())
        instruction = pipeline.lip_sync_instruction(
            self.app.lang, "dub", {"video": pair.video.name, "audio": self._voice(pair).name}, label=pair.label)
        reply = pipeline.edit(pair_app, instruction, export_asked=True)  # the pair's file is the point
        if not reply.ok:
            if reply.data.get("outcome") == "backend_error":
                self._advance(key, "uploaded")  # the cloud said the turn failed: asking again is safe
            raise JobFailed("errors/media_batch_sync_failed", label=pair.label)
        if reply.media:  # the backend's "click Export" was acted on inside the turn: keep that file
            output = str(place(Path(reply.media[0]), self._target(pair, key), force=True))
            return self._advance(key, "done", output=output)
        return self._advance(key, "synced")

    def _export(self, pair_app: App, pair: Pair, key: str) -> None:
        draft = pair_app.client.state().get("draft")
        if not has_segments(draft):
            raise JobFailed("errors/media_batch_nothing_to_export", label=pair.label)
        path, _, _ = render_and_download(pair_app, draft, JournalLedger(self.journal, key),
                                         self._target(pair, key))
        self._advance(key, "done", output=str(path))

    def _target(self, pair: Pair, key: str) -> Path:
        """The pair's output file, chosen once (``result_path``) and kept in the journal, so a rerun
        finishes the same file (resuming its ``.part``) instead of numbering a new one."""
        row = self.journal.row(key)
        if row is not None and row.output:
            return Path(row.output)
        # (a trailing separator: the folder, even before it exists)
        target = result_path(f"{self.spec.output_dir}{os.sep}", pair.output_name(), force=self.force)
        self.journal.update(key, output=str(target))
        return target

