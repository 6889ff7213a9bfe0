"""Timeline summaries and draft diffs: the spec's example, Chinese, and drafts that lie about their shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from skill.nemo.timeline import describe_changes, diff, seconds, summarize, tracks

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "state"


@pytest.fixture
def draft() -> dict:
    return json.loads((FIXTURES / "timeline_titled.json").read_text())["draft"]


def test_summary_matches_the_spec_example(draft: dict) -> None:
    assert summarize(draft, "en") == ('Timeline (3 tracks): 1. Video: city timelapse (0-10s) '
                                      '2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)')


def test_summary_in_chinese(draft: dict) -> None:
    assert summarize(draft, "zh") == ("时间线（3 条轨道）：1. 视频：city timelapse（0-10秒） "
                                      "2. 背景音乐：Lo-fi（0-10秒，35%） 3. 标题：“Urban Dreams”（0-3秒）")


@pytest.mark.parametrize("broken", [
    None, {}, {"t": None}, {"t": "oops"}, {"t": [None, 3, "x"]}, {"t": [{}]},
    {"t": [{"tt": 42, "sg": [{"st": "soon", "d": None}]}]}, {"t": [{"tt": "7", "sg": {"not": "a list"}}]},
    {"t": [{"tt": 1, "m": "nope", "sg": [{"m": [1, 2]}]}]},
])
def test_broken_drafts_degrade_instead_of_raising(broken: object) -> None:
    for lang in ("en", "zh"):
        assert summarize(broken, lang)  # type: ignore[arg-type]
    assert diff(broken, broken) == []  # type: ignore[arg-type]


def test_unknown_track_type_is_named_by_its_code() -> None:
    text = summarize({"t": [{"tt": 42, "sg": [{"st": 0, "d": 1500, "m": {"name": "sticker"}}]}]}, "en")
    assert text == "Timeline (1 track): 1. Track (type 42): sticker (0-1.5s)"


def test_empty_timeline_is_said_plainly() -> None:
    assert summarize({"t": []}, "en") == "The timeline is empty: no tracks yet."
    assert "空" in summarize({"t": []}, "zh")


def test_alternative_field_spellings() -> None:
    draft = {"t": [{"tt": 1, "m": {"kind": "voiceover"}, "sg": [{"start": 1000, "end": 4000, "name": "es.wav",
                                                                  "volume": 80}]}]}
    assert summarize(draft, "en") == "Timeline (1 track): 1. Voiceover: es.wav (1-4s, 80%)"


def test_seconds_formatting() -> None:
    assert [seconds(v) for v in (0, 10000, 2500, 333, None)] == ["0", "10", "2.5", "0.3", "?"]


def test_added_title_track_reads_like_the_spec(draft: dict) -> None:
    before = copy.deepcopy(draft)
    before["t"] = before["t"][:2]
    changes = diff(before, draft)
    assert [c.kind for c in changes] == ["track_added"]
    assert describe_changes(changes, "en") == ['Added track 3: Title "Urban Dreams" 0–3s']
    assert describe_changes(changes, "zh") == ["新增第 3 条轨道：标题 “Urban Dreams” 0–3秒"]


def test_removed_track(draft: dict) -> None:
    after = copy.deepcopy(draft)
    del after["t"][1]
    assert describe_changes(diff(draft, after), "en") == ["Removed track 2: BGM Lo-fi (0–10s)"]


def test_text_volume_move_and_retime(draft: dict) -> None:
    after = copy.deepcopy(draft)
    after["t"][2]["sg"][0]["m"]["text"] = "City Nights"
    after["t"][2]["sg"][0]["d"] = 5000
    after["t"][1]["m"]["volume"] = 0.2
    after["t"][0]["sg"][0]["st"] = 2000
    kinds = {c.kind: c for c in diff(draft, after)}
    assert set(kinds) == {"text_changed", "segment_retimed", "volume_changed", "segment_moved"}
    lines = describe_changes(list(kinds.values()), "en")
    assert 'Track 3 (Title): text changed from "Urban Dreams" to "City Nights"' in lines
    assert "Track 2 (BGM): volume 35% → 20%" in lines
    assert "Track 1 (Video): moved city timelapse from 0s to 2s" in lines
    assert 'Track 3 (Title): "City Nights" now runs 0–5s (was 0–3s)' in lines


def test_segments_added_and_removed_without_ids() -> None:
    before = {"t": [{"tt": 7, "sg": [{"st": 0, "d": 1000, "m": {"text": "Hi"}}]}]}
    after = {"t": [{"tt": 7, "sg": [{"st": 0, "d": 1000, "m": {"text": "Hi"}},
                                    {"st": 2000, "d": 1000, "m": {"text": "Bye"}}]}]}
    assert describe_changes(diff(before, after), "en") == ['Track 1 (Title): added "Bye" at 2–3s']
    assert describe_changes(diff(after, before), "zh") == ["第 1 条轨道（标题）：删除了 “Bye”（2–3秒）"]


def test_identical_drafts_have_no_changes(draft: dict) -> None:
    assert diff(draft, copy.deepcopy(draft)) == []


def test_tracks_reads_kinds(draft: dict) -> None:
    assert [t.kind for t in tracks(draft)] == ["video", "bgm", "title"]


def test_tracks_without_ids_match_by_kind_not_position() -> None:
    video = {"tt": 0, "sg": [{"st": 0, "d": 4000, "m": {"name": "clip"}}]}
    music = {"tt": 1, "m": {"role": "bgm", "volume": 0.5}, "sg": [{"st": 0, "d": 4000, "m": {"name": "Lo-fi"}}]}
    title = {"tt": 7, "sg": [{"st": 0, "d": 1000, "m": {"text": "Hi"}}]}
    lines = describe_changes(diff({"t": [video, music]}, {"t": [title, video, music]}), "en")
    assert lines == ['Added track 1: Title "Hi" 0–1s']
