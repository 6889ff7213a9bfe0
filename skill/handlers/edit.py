"""The edit handler: one instruction to the NemoVideo agent, and what came of it.

The turn and its follow-up actions are NemoVideo's own business (``skill.nemo.pipeline.edit``);
this is the entry point the router, the tools and batch pairs call.
"""

from __future__ import annotations

from skill.app import App
from skill.nemo import pipeline
from skill.replies import Reply


def run_turn(app: App, text: str, *, export_asked: bool = False) -> Reply:
    """Send one edit instruction and describe the outcome; the backend's "click Export" is carried out
    only when ``export_asked`` (the person asked for the file); suggestions are offered, never sent."""
    return pipeline.edit(app, text, export_asked=export_asked)
