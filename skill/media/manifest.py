"""Batch manifests: one source video and N labelled voice tracks, in YAML or CSV.

YAML::

    video: talk.mp4            # the one source video
    output_dir: out            # optional; default: the manifest's folder
    tracks:                    # label → audio, or a list of {label, audio[, video]}
      es: voice_es.wav
      fr: voice_fr.wav

CSV: a header with ``label,audio`` and optionally ``video`` (blank cells: the batch's video).

``fit`` (a track's own key, a CSV column, or a top-level YAML default): ``true``/``yes`` fits that
voice to the video's own pauses on this machine before upload (as ``lip-sync-video fit`` does),
a number in (1, 1.5] also sets its ``--max-stretch``; ``false``/``no``/blank leaves it as it is.

Paths are relative to the manifest. Mixing source videos is refused unless *every* pair names its
own video: a stray second video in a batch of one is how outputs get cross-mapped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.config import DEFAULT_MAX_STRETCH, HARD_MAX_STRETCH
from skill.errors import MediaError

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")  # becomes part of a file name


@dataclass(frozen=True)
class Pair:
    label: str
    video: Path
    audio: Path
    fit: float | None = None  # fit the voice first, with this max stretch

    def fitted_name(self) -> str:
        """Where the fitted voice is written, beside the outputs: ``<video-stem>.<label>.fitted.wav``."""
        return f"{self.video.stem}.{self.label}.fitted.wav"

    def output_name(self) -> str:
        """``<video-stem>.<label>.<ext>``: one name per language beside the video, same container as the input."""
        return f"{self.video.stem}.{self.label}{self.video.suffix.lower() or '.mp4'}"


@dataclass(frozen=True)
class Manifest:
    path: Path
    pairs: list[Pair]
    output_dir: Path


def load_manifest(path: Path) -> Manifest:
    path = path.expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MediaError("errors/media_manifest_missing", name=str(path)) from None
    except (OSError, UnicodeDecodeError):
        raise MediaError("errors/media_manifest_unreadable", name=str(path), detail="") from None
    base = path.resolve().parent
    default_fit: Any = None
    if path.suffix.lower() == ".csv":
        default_video, rows, output_dir = None, _csv_rows(text), None
    else:
        default_video, rows, output_dir, default_fit = _yaml_rows(text, path)
    pairs = _pairs(rows, default_video, base, path, default_fit)
    out = base / output_dir if output_dir else base
    return Manifest(path.resolve(), pairs, out)


def _yaml_rows(text: str, path: Path) -> tuple[str | None, list[dict[str, Any]], str | None, Any]:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = f"line {mark.line + 1}" if mark is not None else ""
        raise MediaError("errors/media_manifest_unreadable", name=str(path), detail=detail) from None
    if not isinstance(doc, dict):
        raise MediaError("errors/media_manifest_unreadable", name=str(path), detail="")
    tracks = doc.get("tracks", doc.get("pairs"))
    if isinstance(tracks, dict):
        rows = [{**value, "label": label} if isinstance(value, dict) else {"label": label, "audio": value}
                for label, value in tracks.items()]
    elif isinstance(tracks, list):
        rows = [t if isinstance(t, dict) else {"audio": t} for t in tracks]
    else:
        rows = []
    video = doc.get("video")
    output_dir = doc.get("output_dir", doc.get("output"))
    return _scalar(video, path) or None, rows, _scalar(output_dir, path) or None, doc.get("fit")


_YES, _NO = {"true", "yes", "y", "1", "fit", "是"}, {"", "false", "no", "n", "0", "否"}


def _fit(value: Any, label: str) -> float | None:
    """A ``fit`` cell: yes/no, or the max stretch itself (1 < R ≤ 1.5)."""
    import math

    if value is None or value is False:
        return None
    if value is True:
        return DEFAULT_MAX_STRETCH
    if isinstance(value, str) and value.strip().lower() in _YES | _NO:
        return DEFAULT_MAX_STRETCH if value.strip().lower() in _YES else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not 1.0 < number <= HARD_MAX_STRETCH:
        raise MediaError("errors/media_manifest_bad_fit", label=label, value=str(value)[:40])
    return number


def _scalar(value: Any, path: Path) -> str:
    """A manifest value that names something: text or a number. Anything else (a list, a mapping,
    a YAML alias fan-out that would expand to gigabytes as text) is refused before it is turned into text."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise MediaError("errors/media_manifest_not_text", name=str(path))


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


def _pairs(rows: list[dict[str, Any]], default_video: str | None, base: Path, path: Path,
           default_fit: Any = None) -> list[Pair]:
    if not rows:
        raise MediaError("errors/media_manifest_no_pairs", name=str(path))
    pairs: list[Pair] = []
    explicit = [bool(row.get("video")) for row in rows]
    for number, row in enumerate(rows, start=1):
        label, audio = _scalar(row.get("label"), path), _scalar(row.get("audio"), path)
        video = _scalar(row.get("video"), path) or default_video or ""
        if not label or not audio:
            raise MediaError("errors/media_manifest_incomplete", number=number)
        if not _LABEL.match(label):
            raise MediaError("errors/media_manifest_bad_label", label=label)
        if not video:
            raise MediaError("errors/media_manifest_no_video", name=str(path))
        fit = _fit(row.get("fit", default_fit), label)
        pairs.append(Pair(label, _resolve(base, video), _resolve(base, audio), fit))
    videos = sorted({str(p.video) for p in pairs})
    if len(videos) > 1 and not all(explicit):
        raise MediaError("errors/media_manifest_mixed_videos", videos=", ".join(Path(v).name for v in videos))
    names = [p.output_name() for p in pairs]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise MediaError("errors/media_manifest_duplicate", output=duplicate)
    return pairs


def _resolve(base: Path, value: str) -> Path:
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else base / candidate
