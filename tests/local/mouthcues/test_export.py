"""Each output format's structure, as the anchor's readers expect it."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET

import pytest

from skill.local.mouthcues import Cue, CueTrack, export


def _track() -> CueTrack:
    cues = [Cue(0.0, 0.2, "X"), Cue(0.2, 0.27, "B"), Cue(0.27, 0.31, "A"), Cue(0.31, 0.5, "D"),
            Cue(0.5, 0.52, "C"), Cue(0.52, 0.55, "A"), Cue(0.55, 0.9, "F"), Cue(0.9, 1.23, "X")]
    return CueTrack(cues, 1.23, "transcript", sound_file="/abs/dir/line \"1\".wav")


def test_json_is_the_anchors_layout() -> None:
    text = export.to_json(_track())
    body = json.loads(text)
    assert body["metadata"] == {"soundFile": "/abs/dir/line \"1\".wav", "duration": 1.23}
    cues = body["mouthCues"]
    assert cues[0] == {"start": 0.0, "end": 0.2, "value": "X"}
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(cues))  # contiguous
    assert cues[-1]["end"] == 1.23
    assert '{ "start": 0.20, "end": 0.27, "value": "B" }' in text  # two decimals, one cue per line


def test_tsv_ends_with_the_duration_and_rest() -> None:
    lines = export.to_tsv(_track()).splitlines()
    assert lines[0] == "0.00\tX"
    assert lines[2] == "0.27\tA"
    assert lines[-1] == "1.23\tX"
    assert export.to_tsv(_track(), extended="").splitlines()[-1] == "1.23\tA"  # no X: the closed mouth


def test_xml_has_metadata_and_cue_attributes() -> None:
    root = ET.fromstring(export.to_xml(_track()))
    assert root.tag == "rhubarbResult"
    assert root.findtext("metadata/soundFile") == "/abs/dir/line \"1\".wav"
    assert root.findtext("metadata/duration") == "1.23"
    cues = root.findall("mouthCues/mouthCue")
    assert [(c.get("start"), c.get("end"), c.text) for c in cues[:2]] == [("0.00", "0.20", "X"), ("0.20", "0.27", "B")]


def test_dat_frames_are_one_based_and_end_at_rest() -> None:
    lines = export.to_dat(_track(), fps=24).splitlines()
    assert lines[0] == "MohoSwitch1"
    keys = [line.split() for line in lines[1:]]
    assert keys[0] == ["1", "X"]  # frame 1 is time 0
    assert keys[1] == [str(1 + int(24 * 0.2)), "B"]
    assert keys[-1] == [str(1 + int(24 * 1.23)), "X"]
    frames = [int(k[0]) for k in keys]
    assert frames == sorted(set(frames))


@pytest.mark.parametrize("fps", [1, 6, 12, 24, 25, 30, 60, 120])
def test_every_closure_survives_any_frame_rate(fps: int) -> None:
    keys = export.dat_frames(_track(), fps)
    starts = {1 + int(fps * c.start + 1e-9) for c in _track().cues if c.shape == "A"}
    shown = {frame for frame, shape in keys if shape == "A"}
    assert starts <= shown


def test_a_closure_sharing_a_frame_wins_it_otherwise_the_first() -> None:
    track = CueTrack([Cue(0.0, 0.05, "C"), Cue(0.05, 0.08, "A"), Cue(0.08, 0.1, "D"), Cue(0.1, 0.5, "X")],
                     0.5, "transcript")
    assert export.dat_frames(track, 10)[0] == (1, "A")
    track = CueTrack([Cue(0.0, 0.05, "C"), Cue(0.05, 0.08, "B"), Cue(0.1, 0.5, "X")], 0.5, "transcript")
    assert export.dat_frames(track, 10)[0] == (1, "C")


def test_preston_blair_names() -> None:
    lines = export.to_dat(_track(), fps=24, preston_blair=True).splitlines()[1:]
    # at 24 fps the C at 0.50 s and the A at 0.52 s share frame 13: the closure wins it
    assert [line.split()[1] for line in lines] == ["rest", "etc", "MBP", "AI", "MBP", "U", "rest", "rest"]


def test_the_end_key_is_bumped_past_a_collision() -> None:
    track = CueTrack([Cue(0.0, 0.5, "B"), Cue(0.5, 0.51, "X")], 0.51, "transcript")
    keys = export.dat_frames(track, 2)
    assert keys[-1][0] > keys[-2][0]
