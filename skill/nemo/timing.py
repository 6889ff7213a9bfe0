"""``--timing-json``: segment timings per track of the final draft, for animation and subtitle tools.

Draft short keys (NemoVideo's draft format): ``t`` tracks, ``tt`` track type (0 video, 1 audio, 7 text), ``sg``
segments with ``st`` start and ``d`` duration in milliseconds, ``m`` metadata. Frame numbers are
added when the draft says its frame rate, so animators can key mouth shapes directly.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

from skill.errors import MediaError, write_failed
from skill.nemo.envelope import object_field
from skill.nemo.timeline import read_segment

TRACK_TYPES = {0: "video", 1: "audio", 7: "text"}
FORMAT_VERSION = 1


def timings(draft: dict[str, Any]) -> dict[str, Any]:
    """A plain JSON document: every track and its segments, in milliseconds (and frames if known)."""
    meta = object_field(draft, "m")
    fps = meta.get("fps")
    fps = fps if isinstance(fps, (int, float)) and fps > 0 else None
    tracks = [_track(index, track, fps) for index, track in enumerate(draft.get("t") or [], start=1)
              if isinstance(track, dict)]
    return {
        "version": FORMAT_VERSION,
        "title": meta.get("title") or None,
        "duration_ms": _ms(draft.get("d")),
        "fps": fps,
        "tracks": tracks,
    }


def timing_target(path: Path) -> Path:
    """The absolute path the report will go to, its folder made; raises MediaError if it cannot be.

    Export calls this before rendering, so a bad ``--timing-json`` costs no render time.
    """
    path = path.expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(path, exc) from None
    if path.is_dir():
        raise MediaError("errors/media_write_failed", name=str(path), reason=os.strerror(errno.EISDIR))
    return path


def write_timings(draft: dict[str, Any], path: Path, mouth_cues: dict[str, Any] | None = None) -> Path:
    """Write the document atomically (a crash leaves the old file or the new one) and return its path.
    ``mouth_cues``, when given, is the exported video's own mouth-shape track (computed locally)."""
    path = timing_target(path)
    part = path.with_name(path.name + ".part")
    document = timings(draft)
    if mouth_cues is not None:
        document["mouth_cues"] = mouth_cues
    try:
        part.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise write_failed(path, exc) from None
    return path


def _track(index: int, track: dict[str, Any], fps: float | None) -> dict[str, Any]:
    meta = object_field(track, "m")
    kind = track.get("tt")
    segments = sorted((_segment(s, fps) for s in track.get("sg") or [] if isinstance(s, dict)),
                      key=lambda s: s["start_ms"])
    return {
        "index": index,
        "id": track.get("id"),
        "type": TRACK_TYPES.get(kind, "other") if isinstance(kind, int) else "other",
        "name": meta.get("name") or meta.get("role"),
        "segments": segments,
    }


def _segment(segment: dict[str, Any], fps: float | None) -> dict[str, Any]:
    # Times, names and texts are read exactly as the timeline summary reads them (skill.nemo.timeline).
    parsed = read_segment(segment)
    start = parsed.start_ms if parsed is not None and parsed.start_ms is not None else 0
    end = max(start, parsed.end_ms) if parsed is not None and parsed.end_ms is not None else start
    out: dict[str, Any] = {"id": segment.get("id"), "start_ms": start, "end_ms": end, "duration_ms": end - start}
    if fps:
        out["start_frame"] = round(start * fps / 1000)
        out["end_frame"] = round(end * fps / 1000)
    if parsed is not None:
        for key, value in (("text", parsed.text), ("name", parsed.name)):
            if value:
                out[key] = value
    return out


def _ms(value: Any) -> int:
    return round(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
