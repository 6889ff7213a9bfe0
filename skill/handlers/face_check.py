"""``face-check``: will lip-sync work on this video, and is a lip-synced result in sync? Offline
(engine in skill/local/facecheck, the optional ``[face]`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skill.app import App
from skill.replies import Reply, render


def sync_line(lang: str, report: dict[str, Any], video: str | None = None) -> str:
    """One line: "in sync: mouth and voice within 1 frame" / "the voice lags the mouth by 3 frames …"."""
    return render("face/sync_line", lang, status=report["av_status"], frames=report["av_offset_frames"],
                  ms=report["av_offset_ms"], confidence=report["av_confidence"], video=video)


def words(lang: str, report: dict[str, Any]) -> list[str]:
    """The verdict's reasons in the person's language."""
    return [render("face/reason", lang, **reason) for reason in report["reason_codes"]]


def face_check(app: App, video: Path) -> Reply:
    """Check ``video``'s face and, when it has speech, its mouth–speech sync."""
    from skill.local import facecheck
    from skill.local.facecheck import media, runtime

    media.inspect(Path(video))  # bad input and a missing extra are refused before anything is shown
    runtime.require()
    app.events.progress("face/analysing", fraction=None, video=video.name)
    report = facecheck.check(Path(video))
    data = dict(report)
    data["reasons"] = words(app.lang, report)
    data["sync_line"] = sync_line(app.lang, report)
    return Reply("face/checked", data)


def quick_sync_line(app: App, video: Path) -> str | None:
    """The sync verdict line for a lip-sync result, or None when the extra is absent or the
    check cannot run on it (a result is delivered either way: this line is a bonus)."""
    from skill.errors import LipSyncError
    from skill.local import facecheck

    if not facecheck.available():
        return None
    try:
        report = facecheck.check(Path(video))
    except LipSyncError:
        return None
    return sync_line(app.lang, report, video=Path(video).name)
