"""``chat``: one message from the person → the router → the handler that does it.

This is what an agent calls for every user message. The router (deterministic, offline) picks the
intent; the handlers of the other areas do the work and are imported only when needed, so a
question about credits never loads the media stack. A sync fix ("the voiceover is 300 ms late")
with a video and an audio attached runs on this machine when asked to (``local``) or when the cloud
cannot be reached, and the reply says which path it took.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from skill.errors import ConnectionFailed, UsageError
from skill.media.names import is_web_url, kind_of
from skill.replies import Reply

if TYPE_CHECKING:
    from skill.app import App
    from skill.router import Route

SyncPath = Literal["local", "cloud", "local_fallback"]


def _all_sources(route: Route, attachments: Sequence[str]) -> list[str]:
    """Attachments first, then paths and links found in the sentence, each once."""
    return list(dict.fromkeys([*attachments, *route.files, *route.urls]))


def _media_pair(sources: Sequence[str]) -> tuple[str, str] | None:
    """The first video and the first audio among the sources, if there are both."""
    video = next((s for s in sources if kind_of(s) == "video"), None)
    audio = next((s for s in sources if kind_of(s) == "audio"), None)
    return (video, audio) if video and audio else None


def _local_align(app: App, video: str, audio: str) -> Reply:
    from skill.handlers.align import align

    if is_web_url(video) or is_web_url(audio):
        raise UsageError("errors/chat_local_needs_files")
    return align(app, Path(video), Path(audio))


def _sync_fix(app: App, utterance: str, pair: tuple[str, str], local: bool) -> tuple[SyncPath, list[Reply]]:
    video, audio = pair
    if local:
        return "local", [_local_align(app, video, audio)]
    try:
        from skill.handlers.edit import run_turn
        from skill.handlers.upload import upload

        uploaded = upload(app, [video, audio])
        return "cloud", [uploaded, run_turn(app, utterance)]
    except ConnectionFailed:
        # Nothing reached the backend, so nothing can be charged twice: fix it here instead.
        app.events.notice("chat/offline_fallback")
        return "local_fallback", [_local_align(app, video, audio)]


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

        return upload(app, sources)
    from skill.handlers.edit import run_turn

    return run_turn(app, utterance)


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


def chat(app: App, utterance: str, attachments: Sequence[str] = (), local: bool = False) -> Reply:
    """Route one message and run it; the reply carries the intent and, for sync fixes, the path."""
    if not utterance.strip() and not attachments:
        raise UsageError("errors/chat_empty")
    from skill.router import route as route_utterance

    route = route_utterance(utterance, attachments)
    intent = str(route.intent)
    sources = _all_sources(route, attachments)
    pair = _media_pair(sources) if "sync_fix" in route.hints or local else None
    path: SyncPath | None = None
    if pair is not None:
        path, replies = _sync_fix(app, utterance, pair, local)
    elif local:
        raise UsageError("errors/chat_local_needs_files")
    else:
        replies = _dispatch(app, intent, utterance, route, sources)
    data: dict[str, Any] = {"intent": intent, "path": path, "parts": [r.text(app.lang) for r in replies],
                            "results": [{"key": r.key, "ok": r.ok, **r.data} for r in replies]}
    return Reply("chat/reply", data, media=[m for r in replies for m in r.media], ok=all(r.ok for r in replies))
