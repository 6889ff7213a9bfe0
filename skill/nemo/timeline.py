"""A NemoVideo draft in plain words: the track summary and what changed between two drafts.

The draft is the backend's compact editor JSON: ``t`` tracks, ``tt`` track type (0 video, 1 audio,
7 text), ``sg`` segments, ``d`` duration in ms, ``m`` metadata. Nothing about it is guaranteed, so
every read here is tolerant: a missing field becomes "unknown", never a ``KeyError``.
The words themselves live in ``prompts/<lang>/timeline/*.j2``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from skill.replies import render

TrackKind = Literal["video", "bgm", "voice", "audio", "title", "caption", "text", "other"]
ChangeKind = Literal["track_added", "track_removed", "segment_added", "segment_removed", "segment_moved",
                     "segment_retimed", "text_changed", "volume_changed"]

_TRACK_TYPES: dict[int, TrackKind] = {0: "video", 1: "audio", 7: "text"}
# Sub-kinds the backend writes into track/segment metadata ("role", "kind", "type").
_AUDIO_ROLES: dict[str, TrackKind] = {"bgm": "bgm", "music": "bgm", "voice": "voice", "voiceover": "voice",
                                      "dub": "voice", "narration": "voice", "speech": "voice"}
_TEXT_ROLES: dict[str, TrackKind] = {"title": "title", "subtitle": "caption", "caption": "caption",
                                     "captions": "caption"}
_START_KEYS = ("st", "s", "start", "startTime", "start_ms", "ts")
_DURATION_KEYS = ("d", "dur", "duration")
_END_KEYS = ("e", "end", "endTime", "end_ms")
_NAME_KEYS = ("name", "title", "label", "n")
_TEXT_KEYS = ("text", "tx", "content")
_VOLUME_KEYS = ("volume", "vol", "v")
# Millisecond tolerance under which two timings count as the same (rounding in the backend).
_SAME_MS = 50


@dataclass(frozen=True)
class Segment:
    start_ms: int | None
    end_ms: int | None
    name: str
    text: str
    volume: int | None  # percent
    key: str  # the segment id when the backend gives one, else its position


@dataclass(frozen=True)
class Track:
    kind: TrackKind
    type_code: Any
    segments: tuple[Segment, ...]
    volume: int | None
    key: str

    @property
    def start_ms(self) -> int | None:
        starts = [s.start_ms for s in self.segments if s.start_ms is not None]
        return min(starts) if starts else None

    @property
    def end_ms(self) -> int | None:
        ends = [s.end_ms for s in self.segments if s.end_ms is not None]
        return max(ends) if ends else None

    @property
    def content(self) -> str:
        """What the person would call this track: the title text, or the clip names."""
        words = [s.text for s in self.segments if s.text] if self.kind in ("title", "caption", "text") else []
        words = words or [s.name for s in self.segments if s.name]
        unique = list(dict.fromkeys(words))
        return ", ".join(unique[:3]) + (f" +{len(unique) - 3}" if len(unique) > 3 else "")


@dataclass(frozen=True)
class Change:
    """One difference between two drafts; ``track`` is the 1-based track number the person sees."""

    kind: ChangeKind
    track: int
    track_kind: TrackKind
    name: str = ""
    before: Any = None
    after: Any = None
    start: str = ""
    end: str = ""

    def render(self, lang: str) -> str:
        return render("timeline/change", lang, **self.params())

    def params(self) -> dict[str, Any]:
        return {"kind": self.kind, "track": self.track, "track_kind": self.track_kind, "name": self.name,
                "before": self.before, "after": self.after, "start": self.start, "end": self.end}


# -- reading the draft ---------------------------------------------------------------------------

def _first(mapping: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        value = mapping.get(key)
        if value is not None and value != "":
            return value
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _meta(item: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = item.get("m")
    return meta if isinstance(meta, Mapping) else {}


def _lookup(item: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """A field from the item itself or from its metadata."""
    value = _first(item, keys)
    return value if value is not None else _first(_meta(item), keys)


def _percent(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    return round(number * 100) if number <= 1 else round(number)  # 0.35 and 35 both mean 35%


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def _segment(raw: Any, position: int) -> Segment | None:
    if not isinstance(raw, Mapping):
        return None
    start = _number(_lookup(raw, _START_KEYS))
    duration = _number(_lookup(raw, _DURATION_KEYS))
    end = _number(_lookup(raw, _END_KEYS))
    if end is None and duration is not None:
        end = (start or 0) + duration
    if start is None and end is not None and duration is not None:
        start = end - duration
    name = _text(_lookup(raw, _NAME_KEYS))
    if not name:
        source = _lookup(raw, ("src", "url", "file"))
        name = _text(source).rsplit("/", 1)[-1].split("?", 1)[0] if source else ""
    ident = raw.get("id")
    return Segment(start_ms=None if start is None else int(start), end_ms=None if end is None else int(end),
                   name=name, text=_text(_lookup(raw, _TEXT_KEYS)), volume=_percent(_lookup(raw, _VOLUME_KEYS)),
                   key=str(ident) if ident is not None else f"#{position}")


def read_segment(raw: Mapping[str, Any]) -> Segment | None:
    """One raw segment of ``draft.t[i].sg`` in plain fields (the timing report reads them here too)."""
    return _segment(raw, 0)


def has_segments(draft: Any) -> TypeGuard[dict[str, Any]]:
    """Ready for export: some track holds at least one real segment (the backend renders only that)."""
    return any(track.segments for track in tracks(draft))


def _kind(raw: Mapping[str, Any]) -> TrackKind:
    type_code = raw.get("tt")
    base = _TRACK_TYPES.get(type_code) if isinstance(type_code, int) else None
    role = str(_lookup(raw, ("role", "kind", "type")) or "").lower()
    if base == "audio":
        return _AUDIO_ROLES.get(role, "audio")
    if base == "text":
        return _TEXT_ROLES.get(role, "title" if role == "" else "text")
    return base or "other"


def tracks(draft: Any) -> list[Track]:
    """The draft's tracks in order; anything that is not a track is skipped."""
    raw_tracks = draft.get("t") if isinstance(draft, Mapping) else None
    if not isinstance(raw_tracks, Sequence) or isinstance(raw_tracks, (str, bytes)):
        return []
    result: list[Track] = []
    seen: dict[TrackKind, int] = {}
    for raw in raw_tracks:
        if not isinstance(raw, Mapping):
            continue
        kind = _kind(raw)
        seen[kind] = seen.get(kind, 0) + 1
        raw_segments = raw.get("sg")
        raw_segments = raw_segments if isinstance(raw_segments, Sequence) and not isinstance(raw_segments, str) else []
        segments = tuple(s for i, raw_seg in enumerate(raw_segments) if (s := _segment(raw_seg, i)) is not None)
        volume = _percent(_lookup(raw, _VOLUME_KEYS))
        if volume is None:
            volume = next((s.volume for s in segments if s.volume is not None), None)
        ident = raw.get("id")
        # Without ids, "the 2nd audio track" survives a track inserted before it; a bare position would not.
        result.append(Track(kind=kind, type_code=raw.get("tt"), segments=segments, volume=volume,
                            key=str(ident) if ident is not None else f"{kind}#{seen[kind]}"))
    return result


def seconds(ms: int | None) -> str:
    """``10000`` → ``"10"``, ``2500`` → ``"2.5"``, unknown → ``"?"``."""
    if ms is None:
        return "?"
    value = round(ms / 1000, 1)
    return f"{value:g}"


def _track_view(track: Track, number: int) -> dict[str, Any]:
    return {"number": number, "kind": track.kind, "type_code": track.type_code, "content": track.content,
            "start": seconds(track.start_ms), "end": seconds(track.end_ms),
            "timed": track.start_ms is not None or track.end_ms is not None,
            "volume": track.volume if track.kind in ("bgm", "voice", "audio") else None}


def summarize(draft: dict[str, Any] | None, lang: str) -> str:
    """``Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) …``"""
    views = [_track_view(track, i) for i, track in enumerate(tracks(draft), start=1)]
    duration = _number(draft.get("d")) if isinstance(draft, Mapping) else None
    return render("timeline/summary", lang, tracks=views,
                  duration=seconds(int(duration)) if duration is not None else None)


# -- diffing two drafts ----------------------------------------------------------------------------

def _match(before: Sequence[Any], after: Sequence[Any]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair items by their key (id or position): (pairs of indexes, removed indexes, added indexes)."""
    after_index = {item.key: i for i, item in enumerate(after)}
    pairs: list[tuple[int, int]] = []
    removed: list[int] = []
    for i, item in enumerate(before):
        j = after_index.pop(item.key, None)
        if j is None:
            removed.append(i)
        else:
            pairs.append((i, j))
    return pairs, removed, sorted(after_index.values())


def _segment_changes(old: Segment, new: Segment, number: int, kind: TrackKind) -> list[Change]:
    name = new.text or new.name or old.text or old.name
    changes: list[Change] = []
    if old.text != new.text and (old.text or new.text):
        changes.append(Change("text_changed", number, kind, name, before=old.text, after=new.text))
    old_length = None if old.start_ms is None or old.end_ms is None else old.end_ms - old.start_ms
    new_length = None if new.start_ms is None or new.end_ms is None else new.end_ms - new.start_ms
    moved = old.start_ms is not None and new.start_ms is not None and abs(old.start_ms - new.start_ms) > _SAME_MS
    if old_length is not None and new_length is not None and abs(old_length - new_length) > _SAME_MS:
        changes.append(Change("segment_retimed", number, kind, name,
                              before=f"{seconds(old.start_ms)}–{seconds(old.end_ms)}",
                              after=f"{seconds(new.start_ms)}–{seconds(new.end_ms)}"))
    elif moved:
        changes.append(Change("segment_moved", number, kind, name,
                              before=seconds(old.start_ms), after=seconds(new.start_ms)))
    if old.volume != new.volume and new.volume is not None:
        changes.append(Change("volume_changed", number, kind, name, before=old.volume, after=new.volume))
    return changes


def _span(item: Track | Segment) -> dict[str, str]:
    return {"start": seconds(item.start_ms), "end": seconds(item.end_ms)}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """What an edit did to the draft, in the order a person would read it."""
    old_tracks, new_tracks = tracks(before), tracks(after)
    pairs, removed, added = _match(old_tracks, new_tracks)
    changes: list[Change] = []
    for i in removed:
        track = old_tracks[i]
        changes.append(Change("track_removed", i + 1, track.kind, track.content, **_span(track)))
    for j in added:
        track = new_tracks[j]
        changes.append(Change("track_added", j + 1, track.kind, track.content, **_span(track)))
    for i, j in pairs:
        old, new = old_tracks[i], new_tracks[j]
        number = j + 1
        seg_pairs, seg_removed, seg_added = _match(old.segments, new.segments)
        for k in seg_removed:
            seg = old.segments[k]
            changes.append(Change("segment_removed", number, new.kind, seg.text or seg.name, **_span(seg)))
        for k in seg_added:
            seg = new.segments[k]
            changes.append(Change("segment_added", number, new.kind, seg.text or seg.name, **_span(seg)))
        for k, m in seg_pairs:
            changes.extend(_segment_changes(old.segments[k], new.segments[m], number, new.kind))
        if old.volume != new.volume and new.volume is not None and not any(
                c.kind == "volume_changed" and c.track == number for c in changes):
            changes.append(Change("volume_changed", number, new.kind, new.content, before=old.volume,
                                  after=new.volume))
    return changes


def describe_changes(changes: Sequence[Change], lang: str) -> list[str]:
    """Each change as one line in the person's language."""
    return [change.render(lang) for change in changes]
