"""One pass over the video: the face a few times a second, the mouth on every frame of speech.

Cost is bounded for any clip: at most ``_MAX_FACE_SAMPLES`` whole-frame searches for the face
statistics, and between them the face is tracked by its landmarks alone (one 192 px inference a
frame); a lost track is searched for again at most twice a second, and only while the last face
sample had a face, so a clip with no face costs its face samples and its decoding only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skill.local.facecheck import detect, measures, media, runtime
from skill.local.facecheck.geometry import Pyramid, Roi
from skill.local.facecheck.landmarks import Face, landmarks
from skill.local.facecheck.sync import Sync, measure

FACE_SAMPLES_PER_SECOND = 5.0
_MAX_FACE_SAMPLES = 120
_RESEARCH_SECONDS = 0.5
# Frame-to-frame tracking samples its crop by nearest pixel (after the box filter): a quarter of
# bilinear's cost, and the bench's offsets and confidences came out the same (docs/face-check.md).
TRACK_SMOOTH = False
DRAWN_FLAT_SHARE = 0.6  # measured: photos (small, dark, backlit, CRF 23-35) <= 0.38, a cartoon 0.9


@dataclass
class Analysis:
    info: media.VideoInfo
    samples: list[measures.FaceSample | None] = field(default_factory=list)  # one per face sample
    drawn: int = 0  # face samples where a face was found but it is a drawing
    frame_luma: list[float] = field(default_factory=list)
    has_speech: bool = False
    sync: Sync | None = None
    speech_frames_with_mouth: int = 0

    @property
    def faces(self) -> list[measures.FaceSample]:
        return [s for s in self.samples if s is not None]


def _plan(info: media.VideoInfo, spans: list[tuple[float, float]]) -> tuple[set[int], set[int]]:
    total = max(1, math.ceil(info.duration * info.fps))
    step = max(1, round(info.fps / FACE_SAMPLES_PER_SECOND), math.ceil(total / _MAX_FACE_SAMPLES))
    face_frames = set(range(step // 2, total, step))
    speech_frames = {k for a, b in spans for k in range(int(a * info.fps), min(total + 5, math.ceil(b * info.fps) + 1))}
    return face_frames, speech_frames


class _Tracker:
    def __init__(self) -> None:
        self.roi: Roi | None = None
        self.next_search = -math.inf

    def follow(self, frame: Pyramid, t: float, force: bool, allowed: bool) -> Face | None:
        """Track; when lost, search the frame if ``force``, or if ``allowed`` and none was made lately."""
        face = landmarks(frame, self.roi, smooth=TRACK_SMOOTH) if self.roi is not None else None
        if face is None and (force or (allowed and t >= self.next_search)):
            self.next_search = t + _RESEARCH_SECONDS
            found = detect.find_faces(frame)
            if found:
                best = max(found, key=lambda d: d.score * d.box[2])
                face = landmarks(frame, best.roi())
                if face is not None:  # a second pass from the landmarks' own crop is much tighter
                    face = landmarks(frame, face.next_roi()) or face
        self.roi = face.next_roi() if face is not None else None
        return face


def analyse(path: Path, progress: Callable[[float], None] | None = None) -> Analysis:
    """Refuses bad input (``media.inspect``) and a missing ``[face]`` extra before any model loads."""
    info = media.inspect(path)
    runtime.require()
    sound = media.audio(path) if info.has_audio else None
    spans = media.speech_spans(sound)
    face_frames, speech_frames = _plan(info, spans)
    result = Analysis(info, has_speech=bool(spans))
    tracker = _Tracker()
    times: list[float] = []
    opening: dict[int, float] = {}
    last_sample_face = False
    last_sample_drawn = False
    total = max(1, math.ceil(info.duration * info.fps))
    for index, t, frame in media.frames(path):
        times.append(t)
        is_sample = index in face_frames
        if not is_sample and index not in speech_frames:
            continue
        # Face samples are looked at whole (search, light, texture); between them only the tracked
        # face's crop is converted from the decoder's own planes.
        pyramid = media.picture(frame, whole=is_sample or tracker.roi is None)
        rgb = pyramid.rgb if is_sample or tracker.roi is None else None
        face = tracker.follow(pyramid, t, force=is_sample, allowed=last_sample_face)
        if is_sample:
            assert rgb is not None
            result.frame_luma.append(float(rgb[::4, ::4].mean()))
            shot = measures.sample(face, rgb) if face is not None else None
            last_sample_drawn = shot is not None and shot.flat_share >= DRAWN_FLAT_SHARE
            result.drawn += int(last_sample_drawn)
            result.samples.append(None if last_sample_drawn else shot)
            last_sample_face = shot is not None and not last_sample_drawn
        if (index in speech_frames and face is not None and not last_sample_drawn
                and measures.mouth_visible(face, info.width, info.height)):
            opening[index] = measures.opening(face)
        if progress is not None and index % 50 == 0:
            progress(min(1.0, index / total))
    result.speech_frames_with_mouth = len(opening)
    if spans and sound is not None and times:
        stamps = np.asarray(times)
        loud = media.frame_loudness(sound, stamps, info.fps)
        speech = np.zeros(len(stamps), bool)
        for a, b in spans:
            speech |= (stamps >= a) & (stamps < b)
        series = np.full(len(stamps), np.nan)
        for k, value in opening.items():
            if k < len(series):
                series[k] = value
        result.sync = measure(series, loud, speech, info.fps)
    return result
