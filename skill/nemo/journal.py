"""The batch journal: one SQLite row per (video, audio, label) pair, so a rerun picks up where it stopped.

A pair moves through stages ``new → uploaded → syncing → synced → rendering → done`` (or ``failed``,
remembering the stage it failed in). The row also keeps the pair's pending render id and the draft
before its lip-sync turn, so a rerun never uploads, lip-syncs or renders twice what already happened
(the pair's own editing session lives in the store, under a record named after the pair).
SQLite (stdlib) gives atomic commits for free; one connection is shared under a lock because the
pairs run on worker threads.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.errors import MediaError, write_failed

STAGES = ("new", "uploaded", "syncing", "synced", "rendering", "done", "failed")
_COLUMNS = ("key", "label", "video", "audio", "stage", "failed_stage", "draft_before", "sent_at", "render_id",
            "render_draft", "output", "error", "updated")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pairs (
    key TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    video TEXT NOT NULL,
    audio TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT 'new',
    failed_stage TEXT,
    draft_before TEXT,     -- draft fingerprint before the lip-sync turn: tells a landed edit on rerun
    sent_at REAL,          -- when that turn was sent: one that may still be running is never re-sent
    render_id TEXT,
    render_draft TEXT,     -- fingerprint of the draft that render_id renders
    output TEXT,
    error TEXT,
    updated REAL NOT NULL
)
"""


def pair_key(label: str, video: Path, audio: Path) -> str:
    """Identity of a pair: its label and both files *as they are now* (a re-recorded voice is new work)."""
    parts = [label]
    for path in (video, audio):
        try:
            st = path.stat()
            parts += [str(path.resolve()), str(st.st_size), str(st.st_mtime_ns)]
        except OSError:  # a missing file still names a pair; preflight reports it
            parts += [str(path.absolute()), "-", "-"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class PairRow:
    key: str
    label: str
    video: str
    audio: str
    stage: str
    failed_stage: str | None
    draft_before: str | None
    sent_at: float | None
    render_id: str | None
    render_draft: str | None
    output: str | None
    error: str | None
    updated: float


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_failed(path.parent, exc) from None
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process (what a rerun must recover from) without an
            # fsync per stage change; only a power cut can lose the last few changes.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            # Not started afresh on our own: it is what says which pairs were already sent.
            self._db.close()
            raise MediaError("errors/media_batch_journal", path=str(path), reason=str(exc)) from None

    def row(self, key: str) -> PairRow | None:
        with self._lock:
            found = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM pairs WHERE key = ?", (key,)).fetchone()
        return PairRow(*found) if found else None

    def ensure(self, key: str, label: str, video: Path, audio: Path) -> PairRow:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO pairs (key, label, video, audio, updated) VALUES (?, ?, ?, ?, ?)",
                             (key, label, str(video), str(audio), time.time()))
        row = self.row(key)
        assert row is not None
        return row

    def update(self, key: str, **fields: Any) -> None:
        unknown = set(fields) - set(_COLUMNS[4:])
        if unknown:
            raise ValueError(f"not journal columns: {sorted(unknown)}")
        if "stage" in fields and fields["stage"] not in STAGES:
            raise ValueError(f"unknown stage {fields['stage']!r}")
        assignments = ", ".join(f"{name} = ?" for name in [*fields, "updated"])
        with self._lock:
            self._db.execute(f"UPDATE pairs SET {assignments} WHERE key = ?", (*fields.values(), time.time(), key))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class JournalLedger:
    """``skill.nemo.render.Ledger`` backed by a pair's journal row."""

    def __init__(self, journal: Journal, key: str) -> None:
        self.journal, self.key = journal, key

    def load(self) -> dict[str, Any] | None:
        row = self.journal.row(self.key)
        if row is None or not row.render_id:
            return None
        return {"render_id": row.render_id, "draft": row.render_draft}

    def save(self, record: dict[str, Any]) -> None:
        self.journal.update(self.key, stage="rendering", render_id=record["render_id"], render_draft=record["draft"])

    def clear(self) -> None:
        self.journal.update(self.key, render_id=None, render_draft=None)
