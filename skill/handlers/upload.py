"""Upload: local files (streamed multipart) and web links (the cloud fetches them).

Every local file passes preflight first, so a hard problem stops before the network and
warnings reach the person in their language (``skill.nemo.pipeline.upload``; the sending itself
is ``skill.nemo.upload``).
"""

from __future__ import annotations

from skill.app import App
from skill.nemo import pipeline
from skill.replies import Reply


def upload(app: App, sources: list[str]) -> Reply:
    """Preflight every local file, then upload files and links; report what the cloud accepted."""
    return pipeline.upload(app, sources)
