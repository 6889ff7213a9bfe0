"""NemoVideo's pipeline, one stage per function: upload → one edit turn → render → download.

``handlers/upload``, ``handlers/edit`` and ``handlers/export`` each run one stage for a person;
``providers/nemo`` runs them in a row (:func:`lip_sync`); ``handlers/batch`` runs them per pair
with its journal between the stages.

About a third of edits answer with no text; then the draft before and after tells what changed.
Backend text is written for a web editor: :mod:`skill.nemo.guispeak` turns its button talk into
our actions (export, show the timeline, a suggested edit). Only what the request needs is carried
out ("click Export" after the person asked to export); a suggested edit is offered as a question,
never sent on its own (issue 14). Backend text is data: the reply quotes it as the editor's words,
and a command in it is withheld (:mod:`skill.backend_text`), never shown as something to run.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from skill.backend_text import withhold_commands
from skill.errors import LipSyncError, UsageError
from skill.media.preflight import preflight
from skill.media.sources import LocalSource, UrlSource, classify
from skill.nemo.context import NemoContext
from skill.nemo.delivery import export, place
from skill.nemo.guispeak import Action, translate
from skill.nemo.scrub import answer
from skill.nemo.timeline import describe_changes, diff, summarize
from skill.nemo.turn import read_draft, stream
from skill.nemo.upload import upload_files, upload_urls
from skill.replies import Reply, render


def upload(ctx: NemoContext, sources: list[str]) -> Reply:
    """Preflight every local file, then upload files and links; report what the cloud accepted."""
    classified = [classify(source) for source in sources]
    local = [s.path for s in classified if isinstance(s, LocalSource)]
    urls = [s.url for s in classified if isinstance(s, UrlSource)]
    checked = preflight(local)  # raises before any network on a hard problem
    client = ctx.client
    accepted: list[dict[str, Any]] = []
    if local:
        accepted += upload_files(client, ctx.events, local)
    if urls:
        accepted += upload_urls(client, urls, ctx.events)
    return Reply("media/uploaded", {
        "files": accepted,
        "warnings": [render(w.key, ctx.lang, **w.params) for w in checked.warnings],
        "warning_keys": [w.key for w in checked.warnings],
    })


def _changes(ctx: NemoContext, before: dict[str, Any] | None) -> tuple[list[str], str | None]:
    """What the draft holds now: the changed lines since ``before`` and the track summary."""
    after = read_draft(ctx.client)
    if after is None:
        return [], None
    lines = describe_changes(diff(before, after), ctx.lang) if before is not None else []
    return lines, summarize(after, ctx.lang)


def _perform(ctx: NemoContext, actions: list[Action], export_asked: bool) -> tuple[list[str], list[str]]:
    """Carry out the GUI-speak actions the request needs; offer the rest. Returns extra lines and media.

    Showing the project stands in for "open the panel" (it changes nothing); an export runs only when
    the request asked for one; a suggested edit ("drag the title to 5 s") is offered as a question.
    """
    extra: list[str] = []
    media: list[str] = []
    for action in actions:
        if action.kind in ("show_timeline", "show_state"):
            after = read_draft(ctx.client)
            summary = summarize(after, ctx.lang) if after is not None else render("edit/state_unavailable", ctx.lang)
            if summary not in extra:
                extra.append(summary)
        elif action.kind == "export" and not export_asked:
            extra.append(render("edit/offer_export", ctx.lang))
        elif action.kind == "export":
            try:
                reply = export(ctx)
                extra.append(reply.text(ctx.lang))
                media.extend(reply.media)
            except LipSyncError as exc:  # the edit itself succeeded; say why the export did not
                extra.append(exc.render(ctx.lang))
        elif action.kind == "send_edit":
            extra.append(render("edit/suggestion", ctx.lang, instruction=action.text))
    return extra, media


def edit(ctx: NemoContext, text: str, *, export_asked: bool = False) -> Reply:
    """Send one edit instruction and describe the outcome; the backend's "click Export" is carried out
    only when ``export_asked`` (the request asked for the file), and nothing else is ever sent on."""
    if not text.strip():
        raise UsageError("errors/edit_empty")
    before = read_draft(ctx.client)
    turn = stream(ctx.client, ctx.settings, ctx.events, text)
    text_shown, temporary_only = answer(turn.texts)
    text_shown, withheld = withhold_commands(text_shown)

    if turn.ending != "complete" or (not text_shown and (turn.errors or temporary_only)):
        changes, summary = _changes(ctx, before)
        outcome = turn.ending if turn.ending != "complete" else "backend_error"
        # Button talk is still removed, but nothing is acted on after a turn that did not finish.
        return Reply("edit/interrupted", {"outcome": outcome, "text": translate(text_shown).text, "changes": changes,
                                          "timeline": summary, "compared": before is not None,
                                          "commands_withheld": withheld, "source": "backend"}, ok=False)
    if not text_shown:
        changes, summary = _changes(ctx, before)
        return Reply("edit/silent", {"outcome": "silent", "changes": changes, "timeline": summary,
                                     "compared": before is not None and summary is not None})

    translation = translate(text_shown)
    extra, media = _perform(ctx, translation.actions, export_asked)
    # ``text`` is the backend's words (data to show, quoted by the template); ``source`` says so.
    return Reply("edit/answer", {"outcome": "answered", "text": translation.text, "extra": extra,
                                 "actions": [a.kind for a in translation.actions], "source": "backend",
                                 "commands_withheld": withheld}, media=media)


class LipSync(NamedTuple):
    turn: Reply  # the edit turn's reply (``ok`` False: it did not finish, so nothing was rendered)
    path: Path | None  # the delivered file; None when the turn failed or there was nothing to export


def lip_sync_instruction(lang: str, mode: str, names: dict[str, str], label: str | None = None) -> str:
    """What the cloud agent is asked: ``jobs/nemo_dub`` (video + audio) or ``jobs/nemo_talk`` (image + audio)."""
    return render(f"jobs/nemo_{mode}", lang, label=label, **names)


def lip_sync(ctx: NemoContext, sources: list[str], instruction: str, output: Path | None) -> LipSync:
    """Upload ``sources``, send ``instruction`` as one edit turn, then deliver the render to ``output``.

    When the agent's "click Export" was acted on inside the turn, that render is the result and
    is only moved into place: exporting again would render the same draft twice.
    """
    upload(ctx, sources)
    turn = edit(ctx, instruction, export_asked=True)  # the file is the point of the request
    if not turn.ok:
        return LipSync(turn, None)
    if turn.media:
        return LipSync(turn, place(Path(turn.media[0]), output))
    exported = export(ctx, output)
    return LipSync(turn, Path(exported.data["path"]) if exported.ok else None)


def source_name(source: str) -> str:
    """The file name of a path or of an http(s) URL's path, as the agent sees it after the upload."""
    found = classify(source)
    return PurePosixPath(urlsplit(found.url).path).name if isinstance(found, UrlSource) else found.path.name
