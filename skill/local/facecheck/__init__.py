"""Face check, offline: will lip-sync work on this video, and is a lip-synced result in sync?

``check(path)`` returns the report (``verdict.report``); ``available()`` says whether the
``[face]`` extra is installed. The models (MediaPipe BlazeFace short range and Face Mesh, Apache-2.0)
ship in ``models/``; LiteRT runs them. Nothing here downloads anything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from skill.local.facecheck.runtime import available


def check(path: Path, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """The face-check report for ``path``; raises ``MediaError`` for bad input or a missing extra."""
    from skill.local.facecheck import engine, verdict

    return verdict.report(engine.analyse(path, progress))


__all__ = ["available", "check"]
