"""``setup``, ``credits`` and ``state``: the account and the project, in plain words.

Each returns a :class:`~skill.replies.Reply` whose ``data`` is what ``--json`` and tool callers see:
numbers and names only, never a token (a claim link is for the person and is published).
"""

from __future__ import annotations

import logging
from typing import Any

from skill.app import App
from skill.errors import ApiError
from skill.replies import Reply

log = logging.getLogger("skill.account")


def setup(app: App, new_project: bool = False) -> Reply:
    """Connect (token + session), then report the account and a browser link to the project."""
    client = app.client
    if new_project:
        app.store.forget_session()
    client.state()  # proves the stored session is still alive (a dead one is replaced here, once)
    session = client.ensure_session()
    balance = client.credits()
    try:
        project_link: str | None = client.claim_link()
    except ApiError:
        # The link is a convenience; being connected is what setup promises.
        log.debug("claim link unavailable", exc_info=True)
        project_link = None
    return Reply("account/setup", {
        "connected": True,
        "anonymous": client.anonymous,
        "platform": client.attribution_headers["X-Skill-Platform"],
        "task_id": session.task_id,
        "credits": balance,
        "project_link": project_link,
    })


def credits(app: App) -> Reply:
    """The credit balance; anonymous people also learn how to get more when they run out."""
    client = app.client
    balance = client.credits()
    return Reply("account/credits", {**balance, "anonymous": client.anonymous})


def state(app: App) -> Reply:
    """What the project holds now: the timeline summary, uploads, generated media, export readiness."""
    from skill.nemo.timeline import has_segments, summarize, tracks

    current = app.client.state()
    draft = current.get("draft") if isinstance(current.get("draft"), dict) else None
    draft_tracks = tracks(draft)
    return Reply("account/state", {
        "track_count": len(draft_tracks),
        "duration_ms": _number(draft.get("d")) if draft else None,
        "uploads": _count(current.get("video_infos")),
        "generated": _count(current.get("generated_media")),
        "export_ready": has_segments(draft),  # the same rule export applies before rendering
        "summary": summarize(draft, app.lang) if draft_tracks else "",
    })


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (list, dict)) else 0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
