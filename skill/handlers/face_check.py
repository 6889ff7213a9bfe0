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


def enabled() -> bool:
    """The automatic checks run when the ``[face]`` extra is installed and not switched off."""
    from skill import env
    from skill.local import facecheck

    return facecheck.available() and (env.read(env.FACE_CHECK) or "").lower() not in ("off", "0", "no", "false")


def gate(app: App, video: Path) -> None:
    """Before a lip-sync job spends anything: refuse a video no lip-sync model can work with, and
    say what may go wrong with one it can. Its own sync is not judged (its sound is replaced)."""
    from skill.errors import MediaError
    from skill.local import facecheck

    if not enabled():
        return
    report = facecheck.check(Path(video))
    kept = dict(report, reason_codes=[r for r in report["reason_codes"] if r["code"] != "out_of_sync"])
    reasons = words(app.lang, kept)
    if report["verdict"] == "unusable":
        raise MediaError("errors/face_unusable", file=Path(video).name, reasons="; ".join(reasons))
    if reasons:
        app.events.notice("face/preflight_warn", file=Path(video).name, reasons="; ".join(reasons))


def add_sync_line(app: App, reply: Reply, *, only_measured: bool = False) -> Reply:
    """Add the one-line sync verdict of the reply's delivered video (``sync_line``, ``av_*``).

    A result is delivered either way: when the extra is absent, the check is off, or the file
    cannot be checked, the reply is unchanged. ``only_measured``: add it only when a face and
    speech were found (an export need not be a lip-sync)."""
    from skill.errors import LipSyncError
    from skill.local import facecheck

    if not reply.ok or not reply.media or not enabled():
        return reply
    video = Path(reply.media[0])
    try:
        report = facecheck.check(video)
    except LipSyncError:
        return reply
    if only_measured and report["av_status"] != "measured":
        return reply
    reply.data["sync_line"] = sync_line(app.lang, report, video=video.name)
    reply.data.update({k: report[k] for k in ("av_offset_ms", "av_offset_frames", "av_confidence", "av_status")})
    return reply
