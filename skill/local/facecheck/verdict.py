"""From the measurements to the answer: the JSON fields, a verdict and its reasons (as codes with
parameters; the handler words them in the person's language).

Limits, and where they come from: lip-sync models need the mouth in view and a face they can
track; seed 000 names partial faces, steep side angles, low resolution (at least 480p) and strong
backlight; the issue sets a face under about 80 px as small; seed 002 says 2 frames (80 ms) of
lag is rejected by the eye, so more than a frame and a half (the measurement is good to a frame)
is reported as out of sync.
"""

from __future__ import annotations

import statistics
from typing import Any

from skill.local.facecheck.engine import Analysis

MIN_FACE_SHARE = 0.5
GOOD_FACE_SHARE = 0.9
SMALL_FACE_PX = 80.0
TINY_FACE_PX = 40.0
TURNED_DEG = 25.0
SIDEWAYS_DEG = 50.0
DARK_LUMA = 70.0
BACKLIT_CONTRAST = 60.0
BACKLIT_SURROUND = 150.0
MIN_HEIGHT = 480
OUT_OF_SYNC_FRAMES = 1.5
MIN_SYNC_CONFIDENCE = 0.3


def _lighting(a: Analysis) -> str:
    faces = a.faces
    if not faces:
        return "too dark" if a.frame_luma and statistics.median(a.frame_luma) < 40 else "ok"
    face = statistics.median(f.face_luma for f in faces)
    surround = statistics.median(f.surround_luma for f in faces)
    if surround - face >= BACKLIT_CONTRAST and surround >= BACKLIT_SURROUND:
        return "backlit"
    return "too dark" if face < DARK_LUMA else "ok"


def report(a: Analysis) -> dict[str, Any]:
    """The issue's JSON fields (without ``reply``), plus ``av_status`` saying why sync is null."""
    faces = a.faces
    share = len(faces) / len(a.samples) if a.samples else 0.0
    height = statistics.median(f.height_px for f in faces) if faces else None
    yaw = statistics.median(f.yaw_deg for f in faces) if faces else None
    mouth = (sum(f.mouth_visible for f in faces) / len(faces) >= 0.5) if faces else None
    lighting = _lighting(a)
    reasons: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    if share < MIN_FACE_SHARE:
        drawn = a.drawn >= max(1, len(a.samples) // 2)
        bad.append({"code": "drawn_face" if drawn else "no_face", "share": round(share, 2)})
    else:
        if share < GOOD_FACE_SHARE:
            reasons.append({"code": "face_sometimes", "share": round(share, 2)})
        assert height is not None and yaw is not None
        if height < TINY_FACE_PX:
            bad.append({"code": "face_tiny", "px": round(height)})
        elif height < SMALL_FACE_PX:
            reasons.append({"code": "face_small", "px": round(height)})
        if abs(yaw) > SIDEWAYS_DEG:
            bad.append({"code": "sideways", "deg": round(yaw)})
        elif abs(yaw) > TURNED_DEG:
            reasons.append({"code": "turned", "deg": round(yaw)})
        if not mouth:
            bad.append({"code": "mouth_hidden"})
        if a.info.height < MIN_HEIGHT:
            reasons.append({"code": "low_resolution", "height": a.info.height})
    if lighting != "ok" and share >= MIN_FACE_SHARE:
        reasons.append({"code": "backlit" if lighting == "backlit" else "dark"})
    sync = a.sync if faces and mouth and a.has_speech else None
    if not faces:
        status = "no_face"
    elif not mouth:
        status = "mouth_hidden"
    elif not a.has_speech:
        status = "no_speech"
    elif sync is None:
        status = "too_little"
    else:
        status = "measured"
    if sync is not None and sync.confidence >= MIN_SYNC_CONFIDENCE and abs(sync.offset_frames) >= OUT_OF_SYNC_FRAMES:
        reasons.append({"code": "out_of_sync", "frames": sync.offset_frames, "ms": sync.offset_ms})
    verdict = "unusable" if bad else "warn" if reasons else "ok"
    return {
        "video": a.info.path.name,
        "width": a.info.width,
        "height": a.info.height,
        "fps": round(a.info.fps, 3),
        "face_frames": round(share, 3),
        "face_height_px": round(height, 1) if height is not None else None,
        "face_height_ratio": round(height / a.info.height, 3) if height is not None else None,
        "yaw_deg": round(yaw, 1) if yaw is not None else None,
        "lighting": lighting,
        "mouth_visible": mouth,
        "verdict": verdict,
        "reason_codes": bad + reasons,
        "av_offset_ms": sync.offset_ms if sync is not None else None,
        "av_offset_frames": sync.offset_frames if sync is not None else None,
        "av_confidence": sync.confidence if sync is not None else None,
        "av_status": status,
    }
