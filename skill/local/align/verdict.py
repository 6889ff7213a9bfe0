"""What a measurement means for a viewer, in numbers the reply templates put into words."""

from __future__ import annotations

from typing import Any

from skill.local.align.engine import Measurement

VISIBLE_MS = 80.0  # two frames at 25 fps: where most viewers start to notice
# ITU-R BT.1359: detectable when sound leads the picture by more than 45 ms or lags it by more than 125 ms.
BT1359_EARLY_MS = 45.0
BT1359_LATE_MS = 125.0
_IN_SYNC_MS = 0.5


def worst_lead_ms(measurement: Measurement) -> float:
    """The largest error (signed, ms) if the new audio were laid under the picture unchanged:
    positive means the sound plays early (ahead of the lips), negative late."""
    leads = [seg.lead(t) * 1000 for seg in measurement.fit.segments for t in (seg.start, seg.end)]
    return max(leads, key=abs)


def side(lead_ms: float) -> str:
    if abs(lead_ms) < _IN_SYNC_MS:
        return "in_sync"
    return "early" if lead_ms > 0 else "late"


def detectable(lead_ms: float) -> bool:
    return lead_ms > BT1359_EARLY_MS or -lead_ms > BT1359_LATE_MS


def report(measurement: Measurement) -> dict[str, Any]:
    """JSON-safe summary: the first segment's offset/drift, the verdict, every segment."""
    first = measurement.fit.segments[0]
    lead = worst_lead_ms(measurement)
    return {
        "offset_ms": round(first.b * 1000, 3),
        "drift_ppm": round((first.k - 1) * 1e6, 2),
        "ratio": measurement.ratio_name,
        "k": first.k,
        "confidence": measurement.fit.confidence,
        "fit_rms_ms": round(measurement.fit.rms * 1000, 4),
        "lead_ms": round(lead, 1),
        "side": side(lead),
        "visible": abs(lead) > VISIBLE_MS,
        "detectable_bt1359": detectable(lead),
        "duration_s": round(measurement.new_duration, 3),
        "segments": [
            {"start_s": round(s.start, 3), "end_s": round(s.end, 3), "offset_ms": round(s.b * 1000, 3),
             "drift_ppm": round((s.k - 1) * 1e6, 2), "anchors": s.anchors}
            for s in measurement.fit.segments
        ],
    }


def residual_ms(check: Measurement, picture_shift: float = 0.0) -> float:
    """Largest remaining sync error (ms) of a corrected file: its sound measured against the
    original sound, each on its own container clock, corrected for how much later the copied
    picture sits on the output's clock than on the input's (``picture_shift``, s)."""
    shift = picture_shift * 1000
    return round(max(abs(seg.lead(t) * 1000 + shift) for seg in check.fit.segments for t in (seg.start, seg.end)), 3)


def anchors_table(measurement: Measurement) -> list[dict[str, float]]:
    a = measurement.anchors
    return [{"t_new_s": round(float(t), 6), "t_ref_s": round(float(r), 6), "psr": round(float(p), 2)}
            for t, r, p in zip(a.t_new, a.t_ref, a.psr)]
