"""Pure pieces: source classification, render status shapes and ids, the ledger, timing JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skill.console import RecordingEvents
from skill.errors import JobFailed, PlanRequired, ServerError
from skill.media.sources import LocalSource, UrlSource, classify
from skill.nemo.render import new_render_id, parse_status, render_draft
from skill.nemo.timeline import has_segments
from skill.nemo.timing import timings, write_timings


@pytest.mark.parametrize(("raw", "kind"), [
    ("clip.mp4", LocalSource), ("C:\\Users\\me\\clip.mp4", LocalSource), ("~/v.mov", LocalSource),
    ("https://cdn.example/v.mp4", UrlSource), ("HTTP://cdn.example/v", UrlSource),
    ("https://example.com/watch.php?id=3", UrlSource),
])
def test_classify(raw: str, kind: type) -> None:
    assert isinstance(classify(raw), kind)


def test_both_render_status_shapes() -> None:
    top = parse_status({"taskId": "r", "status": "completed", "progress": 100, "output": {"url": "https://o/1.mp4"}})
    data = parse_status({"success": True, "data": {"id": "r", "status": "completed", "progress": 100,
                                                    "outputUrl": "https://o/2.mp4"}})
    assert (top.state, top.url, top.progress) == ("completed", "https://o/1.mp4", 1.0)
    assert (data.state, data.url) == ("completed", "https://o/2.mp4")
    assert parse_status({"data": {"status": "processing", "progress": 40}}).progress == 0.4
    assert parse_status(None).state == "pending"


def test_render_ids_are_unique_even_within_one_millisecond() -> None:
    ids = [new_render_id() for _ in range(500)]
    assert len(set(ids)) == 500 and all(i.startswith("render_") and i[7:].isdigit() for i in ids)


def test_has_segments() -> None:
    assert has_segments({"t": [{"sg": []}, {"sg": [{"st": 0}]}]})
    assert not has_segments({"t": [{"sg": []}]}) and not has_segments(None) and not has_segments({"t": "x"})


@pytest.mark.parametrize("junk", ["clip", {"st": 0}, ["clip"], 7])
def test_state_and_export_agree_on_a_draft_whose_segments_are_junk(junk: Any) -> None:
    from skill.nemo.timeline import tracks

    draft = {"t": [{"tt": 0, "sg": junk}]}
    # `state` says "not ready" from the parsed tracks; export must not render what state refuses.
    assert has_segments(draft) == any(track.segments for track in tracks(draft)) is False


def test_timings_read_segment_times_as_the_timeline_summary_does() -> None:
    from skill.nemo.timeline import tracks

    draft = {"t": [{"tt": 0, "sg": [{"id": "a", "start": 1000, "end": 4000, "m": {"name": "intro.mp4"}}]}]}
    [segment] = timings(draft)["tracks"][0]["segments"]
    [parsed] = tracks(draft)[0].segments
    assert (segment["start_ms"], segment["end_ms"]) == (parsed.start_ms, parsed.end_ms) == (1000, 4000)
    assert segment["duration_ms"] == 3000 and segment["name"] == "intro.mp4"


class FakeApi:
    """Answers scripted in order; records what was asked."""

    def __init__(self, *answers: Any) -> None:
        self.answers, self.asked = list(answers), []

    def request(self, method: str, path: str, *, json: Any = None) -> Any:
        self.asked.append((method, path, json))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class MemoryLedger:
    def __init__(self) -> None:
        self.record: dict[str, Any] | None = None
        self.saved: list[str] = []

    def load(self) -> dict[str, Any] | None:
        return self.record

    def save(self, record: dict[str, Any]) -> None:
        self.record = record
        self.saved.append(record["render_id"])

    def clear(self) -> None:
        self.record = None


DRAFT = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000}]}]}


def test_id_is_in_the_ledger_before_the_submit_leaves() -> None:
    ledger = MemoryLedger()

    class Checking(FakeApi):
        def request(self, method: str, path: str, *, json: Any = None) -> Any:
            if method == "POST":
                assert ledger.record and ledger.record["render_id"] == json["id"]
            return super().request(method, path, json=json)

    api = Checking({"status": "pending"}, {"status": "completed", "output": {"url": "https://o/v.mp4"}})
    result = render_draft(api, "sid", DRAFT, ledger, RecordingEvents(), 0, sleep=lambda s: None)
    assert result.url == "https://o/v.mp4" and not result.resumed


def test_transient_poll_errors_are_tolerated() -> None:
    api = FakeApi({"status": "pending"}, ServerError(status=502), {"status": "completed", "outputUrl": "u"})
    assert render_draft(api, "sid", DRAFT, MemoryLedger(), RecordingEvents(), 0, sleep=lambda s: None).url == "u"


def test_failed_status_on_submit_retries_once_then_gives_up() -> None:
    ledger = MemoryLedger()
    api = FakeApi({"status": "failed", "error": "boom"}, {"status": "failed", "error": "boom"})
    with pytest.raises(JobFailed):
        render_draft(api, "sid", DRAFT, ledger, RecordingEvents(), 0, sleep=lambda s: None)
    assert len(set(ledger.saved)) == 2 and ledger.record is None


def test_plan_required_is_never_retried() -> None:
    api = FakeApi(PlanRequired(status=402))
    with pytest.raises(PlanRequired):
        render_draft(api, "sid", DRAFT, MemoryLedger(), RecordingEvents(), 0, sleep=lambda s: None)
    assert len(api.asked) == 1


def test_a_render_for_an_older_draft_is_not_resumed() -> None:
    ledger = MemoryLedger()
    ledger.record = {"render_id": "render_1", "draft": "someotherdraft"}
    api = FakeApi({"status": "completed", "outputUrl": "new"})
    result = render_draft(api, "sid", DRAFT, ledger, RecordingEvents(), 0, sleep=lambda s: None)
    assert api.asked[0][0] == "POST" and result.render_id != "render_1"


def test_timings_document(tmp_path: Path) -> None:
    draft = {"d": 4000, "m": {"fps": 25}, "t": [
        {"id": "v", "tt": 0, "sg": [{"id": "b", "st": 2000, "d": 2000}, {"id": "a", "st": 0, "d": 2000}]},
        {"id": "s", "tt": 7, "sg": [{"id": "t", "st": 500, "d": 1000, "m": {"text": "¡Hola!"}}]},
        {"id": "x", "tt": 42, "sg": []},
    ]}
    doc = timings(draft)
    assert [s["id"] for s in doc["tracks"][0]["segments"]] == ["a", "b"]
    assert doc["tracks"][1]["segments"][0] == {"id": "t", "start_ms": 500, "end_ms": 1500, "duration_ms": 1000,
                                               "start_frame": 12, "end_frame": 38, "text": "¡Hola!"}
    assert doc["tracks"][2]["type"] == "other"
    path = write_timings(draft, tmp_path / "sub" / "t.json")
    assert json.loads(path.read_text(encoding="utf-8")) == doc


def test_render_patience_is_time_not_a_number_of_polls() -> None:
    # LIP_SYNC_VIDEO_POLL_SECONDS=1 for snappier progress must not cut the wait for a 3-minute render
    # to one minute: the export would fail "still running" although the render was fine.
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    polls = [{"status": "processing"}] * 180
    api = FakeApi({"status": "pending"}, *polls, {"status": "completed", "outputUrl": "u"})
    result = render_draft(api, "sid", DRAFT, MemoryLedger(), RecordingEvents(), 1.0, sleep=sleep, clock=lambda: now[0])
    assert result.url == "u" and now[0] == 181


def test_a_render_past_the_patience_is_reported_still_running() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    api = FakeApi({"status": "pending"}, *[{"status": "processing"}] * 100)
    with pytest.raises(JobFailed) as caught:
        render_draft(api, "sid", DRAFT, MemoryLedger(), RecordingEvents(), 30.0, sleep=sleep, clock=lambda: now[0],
               timeout_seconds=600.0)
    assert caught.value.message_key == "errors/media_render_slow" and now[0] <= 600
