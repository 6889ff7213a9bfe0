"""``chat``: one message from the person → the router → the handler that does it.

This is what an agent calls for every user message. The router (deterministic, offline) picks the
intent; the handlers of the other areas do the work and are imported only when needed, so a
question about credits never loads the media stack. A sync fix ("the voiceover is 300 ms late")
with a local video and audio runs on this machine by default (:mod:`skill.handlers.chat_local`);
mouth cues, character animation, dub fitting and the face check run locally too.

One language per reply (issue 14): everything said while handling the message — the reply, each of
its parts, progress lines and errors — is in the message's language (``lang`` overrides it when the
caller chose one explicitly), whatever language the session was started in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.errors import LipSyncError, UsageError
from skill.handlers.chat_local import SyncPath, media_pair, run_local, sync_fix
from skill.media.names import is_web_url
from skill.replies import Lang, Reply

if TYPE_CHECKING:
    from skill.app import App
    from skill.router import Route


def _sources(route: Route, attachments: Sequence[str]) -> list[str]:
    """Attachments first, then paths and links found in the sentence, each once."""
    return list(dict.fromkeys([*attachments, *route.files, *route.urls]))


def _run(app: App, intent: str, utterance: str, route: Route, sources: list[str]) -> Reply:
    """The one handler for ``intent``; an edit sends the person's whole sentence to the cloud agent."""
    if intent == "credits":
        from skill.handlers.account import credits

        return credits(app)
    if intent == "state":
        from skill.handlers.account import state

        return state(app)
    if intent == "export":
        from skill.handlers.export import export

        return export(app, Path(route.output) if route.output else None)
    if intent == "upload":
        if not sources:
            return Reply("chat/attach_needed")
        from skill.handlers.upload import upload

        _face_gate(app, route, sources)
        return upload(app, sources)
    from skill.handlers.edit import run_turn

    # The backend's "click Export" is carried out only when the person asked for an export.
    return run_turn(app, utterance, export_asked="then_export" in route.hints)


def _face_gate(app: App, route: Route, sources: list[str]) -> None:
    """A video and a voice sent with an instruction are a lip-sync request: check the face on this
    machine before anything is uploaded or any credit spent (refuses an unusable video, warns on a
    weak one; off when the face-check extra is absent or switched off)."""
    pair = media_pair(sources) if "then_edit" in route.hints else None
    if pair is not None and not is_web_url(pair[0]):
        from skill.handlers import face_check

        face_check.gate(app, Path(pair[0]).expanduser())


def _dispatch(app: App, intent: str, utterance: str, route: Route, sources: list[str]) -> list[Reply]:
    replies = [_run(app, intent, utterance, route, sources)]
    if replies[0].key == "chat/attach_needed":
        return replies  # the rest of the request waits for the file the person still has to send
    # "upload this and add captions", "check my credits, then export": the router keeps each later
    # request as a ``then_<intent>`` hint. They run in this order, only while everything before
    # worked, and an export the edit turn already made is not made again.
    for then in ("edit", "credits", "state", "export"):
        if f"then_{then}" not in route.hints or then == intent or not all(r.ok for r in replies):
            continue
        if then == "export" and any(r.media for r in replies):
            continue
        replies.append(_run(app, then, utterance, route, []))
    return replies


@contextmanager
def _speaking(app: App, lang: Lang) -> Iterator[None]:
    """Handle the message in ``lang``: the app, its events sink (and what that passes on to) speak it."""
    before = app.lang, app.events.lang
    app.lang = app.events.lang = lang
    try:
        yield
    except LipSyncError as exc:
        exc.lang = lang  # the CLI and the tools render the error in the message's language too
        raise
    finally:
        app.lang, app.events.lang = before


def chat(app: App, utterance: str, attachments: Sequence[str] = (), local: bool = False, cloud: bool = False,
         lang: Lang | None = None) -> Reply:
    """Route one message and run it; the reply carries the intent and, for sync fixes, the path.

    ``local`` forces a sync fix onto this machine, ``cloud`` sends it to the cloud lip-sync; by
    default a sync fix with two local files is made here.
    """
    if not utterance.strip() and not attachments:
        raise UsageError("errors/chat_empty")
    if local and cloud:
        raise UsageError("errors/chat_local_or_cloud")
    from skill.router import LOCAL
    from skill.router import route as route_utterance

    route = route_utterance(utterance, attachments)
    speak: Lang = lang or route.lang
    intent = str(route.intent)
    sources = _sources(route, attachments)
    path: SyncPath | None = None
    with _speaking(app, speak):
        pair = media_pair(sources) if "sync_fix" in route.hints or local else None
        if intent in LOCAL:
            replies = run_local(app, intent, utterance, route, sources)
        elif pair is not None:
            path, replies = sync_fix(app, utterance, pair, local=local, cloud=cloud or "cloud" in route.hints)
        elif local:
            raise UsageError("errors/chat_local_needs_files")
        else:
            replies = _dispatch(app, intent, utterance, route, sources)
        parts = [r.text(speak) for r in replies]
    data: dict[str, Any] = {"intent": intent, "path": path, "lang": speak, "parts": parts,
                            "results": [{"key": r.key, "ok": r.ok, **r.data} for r in replies]}
    return Reply("chat/reply", data, media=[m for r in replies for m in r.media], ok=all(r.ok for r in replies),
                 lang=speak)
