"""The edit handler: one instruction to the NemoVideo agent, and what came of it.

About a third of edits answer with no text; then the draft before and after tells what changed.
Backend text is written for a web editor: :mod:`skill.nemo.guispeak` turns its button talk into our
actions (export, show the timeline, one follow-up edit), which run here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skill.errors import LipSyncError, UsageError
from skill.nemo.guispeak import Action, translate
from skill.nemo.scrub import answer
from skill.nemo.timeline import describe_changes, diff, summarize
from skill.nemo.turn import read_draft, stream
from skill.replies import Reply, render

if TYPE_CHECKING:
    from skill.app import App


def _changes(app: App, before: dict[str, Any] | None) -> tuple[list[str], str | None]:
    """What the draft holds now: the changed lines since ``before`` and the track summary."""
    after = read_draft(app.client)
    if after is None:
        return [], None
    lines = describe_changes(diff(before, after), app.lang) if before is not None else []
    return lines, summarize(after, app.lang)


def _perform(app: App, actions: list[Action], follow_up: bool) -> tuple[list[str], list[str]]:
    """Run GUI-speak actions; returns extra lines for the reply and media to deliver."""
    extra: list[str] = []
    media: list[str] = []
    for action in actions:
        if action.kind in ("show_timeline", "show_state"):
            after = read_draft(app.client)
            summary = summarize(after, app.lang) if after is not None else render("edit/state_unavailable", app.lang)
            if summary not in extra:
                extra.append(summary)
        elif action.kind == "export":
            try:
                from skill.handlers.export import export

                reply = export(app)
                extra.append(reply.text(app.lang))
                media.extend(reply.media)
            except LipSyncError as exc:  # the edit itself succeeded; say why the export did not
                extra.append(exc.render(app.lang))
        elif action.kind == "send_edit" and follow_up:
            app.events.notice("edit/follow_up", instruction=action.text)
            extra.append(run_turn(app, action.text, follow_up=False).text(app.lang))
        elif action.kind == "send_edit":
            extra.append(render("edit/suggestion", app.lang, instruction=action.text))
    return extra, media


def run_turn(app: App, text: str, *, follow_up: bool = True) -> Reply:
    """Send one edit instruction and describe the outcome; at most one follow-up turn (``follow_up``)."""
    if not text.strip():
        raise UsageError("errors/edit_empty")
    before = read_draft(app.client)
    turn = stream(app.client, app.settings, app.events, text)
    text_shown, temporary_only = answer(turn.texts)

    if turn.ending != "complete" or (not text_shown and (turn.errors or temporary_only)):
        changes, summary = _changes(app, before)
        outcome = turn.ending if turn.ending != "complete" else "backend_error"
        # Button talk is still removed, but nothing is acted on after a turn that did not finish.
        return Reply("edit/interrupted", {"outcome": outcome, "text": translate(text_shown).text, "changes": changes,
                                          "timeline": summary, "compared": before is not None}, ok=False)
    if not text_shown:
        changes, summary = _changes(app, before)
        return Reply("edit/silent", {"outcome": "silent", "changes": changes, "timeline": summary,
                                     "compared": before is not None and summary is not None})

    translation = translate(text_shown)
    extra, media = _perform(app, translation.actions, follow_up)
    return Reply("edit/answer", {"outcome": "answered", "text": translation.text, "extra": extra,
                                 "actions": [a.kind for a in translation.actions]}, media=media)
