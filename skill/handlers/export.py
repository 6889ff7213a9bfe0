"""Export: render the session's draft in the cloud and bring the file home (``skill.nemo.delivery``)."""

from __future__ import annotations

from pathlib import Path

from skill.app import App
from skill.nemo import delivery
from skill.replies import Reply


def export(app: App, output: Path | str | None = None, timing_json: Path | None = None, *,
           force: bool = False) -> Reply:
    """Render the session's draft and download it to ``output``: a file, or a folder (an existing
    one, or any path written with a trailing slash, which is created). Without a file name an
    existing file is never replaced (a numbered name instead) unless ``force``."""
    from skill.handlers.face_check import add_sync_line

    # A lip-sync's export says whether mouth and voice line up; any other export is left as it is.
    return add_sync_line(app, delivery.export(app, output, timing_json, force=force), only_measured=True)
