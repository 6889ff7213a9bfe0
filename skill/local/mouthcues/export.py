"""The anchor's output formats, byte-compatible where its readers care (reference A1 "Output
formats"): JSON, TSV, XML, and Moho/OpenToonz ``.dat``.

Times are seconds with two decimals; the duration is already truncated to 0.01 s; the last cue
is the closed mouth. ``.dat`` goes beyond the anchor: any frame rate from 1 to 120, and a closure
(A) that shares a frame with other cues wins that frame, so every P/B/M survives quantisation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from skill.local.mouthcues import CueTrack

FORMATS = ("json", "tsv", "xml", "dat")
PRESTON_BLAIR = {"A": "MBP", "B": "etc", "C": "E", "D": "AI", "E": "O", "F": "U", "G": "FV", "H": "L", "X": "rest"}
FPS_RANGE = (1, 120)


def _t(seconds: float) -> str:
    return f"{seconds:.2f}"


def _rest(extended: str) -> str:
    return "X" if "X" in extended else "A"


def to_json(track: CueTrack) -> str:
    """Hand-formatted like the anchor's exporter: one cue per line, tab indents."""
    lines = ["{", "\t\"metadata\": {", f"\t\t\"soundFile\": {json.dumps(track.sound_file, ensure_ascii=False)},",
             f"\t\t\"duration\": {_t(track.duration)}", "\t},", "\t\"mouthCues\": ["]
    cues = [f"\t\t{{ \"start\": {_t(c.start)}, \"end\": {_t(c.end)}, \"value\": \"{c.shape}\" }}" for c in track.cues]
    lines.append(",\n".join(cues))
    lines += ["\t]", "}"]
    return "\n".join(line for line in lines if line) + "\n"


def to_tsv(track: CueTrack, extended: str = "GHX") -> str:
    lines = [f"{_t(c.start)}\t{c.shape}" for c in track.cues]
    lines.append(f"{_t(track.duration)}\t{_rest(extended)}")
    return "\n".join(lines) + "\n"


def to_xml(track: CueTrack) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rhubarbResult>", "  <metadata>",
             f"    <soundFile>{escape(track.sound_file)}</soundFile>", f"    <duration>{_t(track.duration)}</duration>",
             "  </metadata>", "  <mouthCues>"]
    lines += [f"    <mouthCue start={quoteattr(_t(c.start))} end={quoteattr(_t(c.end))}>{c.shape}</mouthCue>"
              for c in track.cues]
    lines += ["  </mouthCues>", "</rhubarbResult>"]
    return "\n".join(lines) + "\n"


def dat_frames(track: CueTrack, fps: int, extended: str = "GHX") -> list[tuple[int, str]]:
    """(1-based frame, shape) keys. Frame = 1 + int(fps × start); of several cues starting in one
    frame a closure wins, otherwise the first; the end key (rest) is bumped past a collision."""
    frames: list[tuple[int, str]] = []
    for cue in track.cues:
        frame = 1 + int(fps * cue.start + 1e-9)
        if frames and frames[-1][0] == frame:
            if cue.shape == "A" and frames[-1][1] != "A":
                frames[-1] = (frame, "A")
            continue
        if frames and frames[-1][1] == cue.shape:
            continue  # the same shape again after a dropped cue: no new key
        frames.append((frame, cue.shape))
    end = 1 + int(fps * track.duration + 1e-9)
    if frames and end <= frames[-1][0]:
        end = frames[-1][0] + 1
    frames.append((end, _rest(extended)))
    return frames


def to_dat(track: CueTrack, fps: int = 24, preston_blair: bool = False, extended: str = "GHX") -> str:
    names = PRESTON_BLAIR if preston_blair else {}
    keys = dat_frames(track, fps, extended)
    lines = ["MohoSwitch1"] + [f"{frame} {names.get(shape, shape)}" for frame, shape in keys]
    return "\n".join(lines) + "\n"


def render(track: CueTrack, fmt: str, *, fps: int = 24, preston_blair: bool = False, extended: str = "GHX") -> str:
    if fmt == "json":
        return to_json(track)
    if fmt == "tsv":
        return to_tsv(track, extended)
    if fmt == "xml":
        return to_xml(track)
    if fmt == "dat":
        return to_dat(track, fps, preston_blair, extended)
    raise ValueError(fmt)
