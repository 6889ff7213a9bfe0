"""Each verdict on constructed clips whose truth is known (facesynth.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from skill.app import App
from skill.handlers.face_check import face_check

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow


def _codes(report: dict) -> set[str]:
    return {r["code"] for r in report["reason_codes"]}


def test_a_frontal_well_lit_face_in_sync_is_ok(reports: Callable[[str], dict]) -> None:
    report = reports("ok")
    assert report["verdict"] == "ok", report
    assert report["face_frames"] == 1.0
    assert 170 < report["face_height_px"] < 215  # built at 190 px forehead-to-chin
    assert report["face_height_ratio"] == pytest.approx(report["face_height_px"] / 480, abs=0.002)
    assert abs(report["yaw_deg"]) < 10
    assert report["lighting"] == "ok"
    assert report["mouth_visible"] is True
    assert abs(report["av_offset_frames"]) <= 1
    assert report["av_offset_ms"] == pytest.approx(report["av_offset_frames"] * 40, abs=0.5)
    assert report["av_confidence"] >= 0.3


@pytest.mark.parametrize(("name", "truth", "fps"), [("late3", 3, 25), ("early2_30", -2, 30)])
def test_a_known_offset_is_measured_within_a_frame_and_warned(reports: Callable[[str], dict], name: str, truth: int,
                                                               fps: int) -> None:
    report = reports(name)
    assert abs(report["av_offset_frames"] - truth) <= 1, report
    assert report["av_offset_ms"] == pytest.approx(report["av_offset_frames"] * 1000 / fps, abs=0.5)
    assert report["verdict"] == "warn"
    assert "out_of_sync" in _codes(report)


@pytest.mark.parametrize(("name", "code", "field", "value"), [
    ("small", "face_small", "lighting", "ok"),
    ("dark", "dark", "lighting", "too dark"),
    ("backlit", "backlit", "lighting", "backlit"),
])
def test_small_dark_and_backlit_faces_are_found_and_warned(reports: Callable[[str], dict], name: str, code: str,
                                                           field: str, value: str) -> None:
    report = reports(name)
    assert report["verdict"] == "warn", report
    assert code in _codes(report)
    assert report[field] == value
    assert report["face_frames"] >= 0.9
    assert abs(report["av_offset_frames"]) <= 1


def test_a_small_face_is_measured_at_its_size(reports: Callable[[str], dict]) -> None:
    assert 60 < reports("small")["face_height_px"] < 80  # built at 70 px


@pytest.mark.parametrize(("name", "code"), [("cartoon", "drawn_face"), ("pattern", "no_face"),
                                            ("landscape", "no_face")])
def test_no_real_face_is_unusable_and_sync_cannot_be_judged(reports: Callable[[str], dict], name: str,
                                                            code: str) -> None:
    report = reports(name)
    assert report["verdict"] == "unusable", report
    assert code in _codes(report)
    assert report["face_height_px"] is None and report["mouth_visible"] is None
    assert report["av_offset_ms"] is None and report["av_offset_frames"] is None
    assert report["av_status"] == "no_face"


def test_a_mouth_cut_off_by_the_frame_is_unusable_and_not_judged(reports: Callable[[str], dict]) -> None:
    report = reports("mouth_cut")
    assert report["verdict"] == "unusable", report
    assert report["mouth_visible"] is False
    assert "mouth_hidden" in _codes(report)
    assert report["av_offset_ms"] is None and report["av_status"] == "mouth_hidden"


@pytest.mark.parametrize("name", ["silent", "room_tone", "no_audio"])
def test_without_speech_the_face_is_judged_and_the_sync_is_not(reports: Callable[[str], dict], name: str) -> None:
    report = reports(name)
    assert report["verdict"] == "ok", report
    assert report["av_offset_ms"] is None and report["av_confidence"] is None
    assert report["av_status"] == "no_speech"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.slow
def test_the_reply_names_the_reasons_in_the_persons_language(clips: dict[str, Path], lang: str) -> None:
    reply = face_check(App(lang=lang), clips["late3"])
    text = reply.as_json(lang)["reply"]
    assert ("lags the mouth by 3" in text) if lang == "en" else ("声音比嘴晚 3" in text)
    assert reply.data["reasons"] and all(isinstance(r, str) and r for r in reply.data["reasons"])
    cartoon = face_check(App(lang=lang), clips["cartoon"]).data
    assert ("drawing" in cartoon["reasons"][0]) if lang == "en" else ("卡通" in cartoon["reasons"][0])
