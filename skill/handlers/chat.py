"""``chat``: one message from the person → the router → the handler that does it.

This is what an agent calls for every user message. The router (deterministic, offline) picks the
intent; the handlers of the other areas do the work and are imported only when needed, so a
question about credits never loads the media stack. A sync fix ("the voiceover is 300 ms late")
with a video and an audio attached runs on this machine when asked to (``local``) or when the cloud
cannot be reached, and the reply says which path it took.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from skill.errors import ConnectionFailed, UsageError
from skill.replies import Reply

if TYPE_CHECKING:
    from skill.app import App

SyncPath = Literal["local", "cloud", "local_fallback"]
_VIDEO = frozenset({"mp4", "mov", "avi", "webm", "mkv"})
_AUDIO = frozenset({"mp3", "wav", "m4a", "aac", "flac", "ogg", "opus"})


def _hint(route: Any, name: str) -> Any:
    """A router hint by name: hints may be a set of names or a mapping of name → value."""
    hints = getattr(route, "hints", None) or ()
    if isinstance(hints, Mapping):
        return hints.get(name)
    return True if name in hints else None


def _sources(route: Any, attachments: Sequence[str]) -> list[str]:
    """Attachments first, then paths and links found in the sentence, each once."""
    found = [*attachments, *map(str, getattr(route, "files", ()) or ()), *(getattr(route, "urls", ()) or ())]
    return list(dict.fromkeys(found))


def _extension(source: str) -> str:
    path = urlsplit(source).path if "://" in source else source
    return PurePosixPath(path).suffix.lower().lstrip(".")


def _media_pair(sources: Sequence[str]) -> tuple[str, str] | None:
    """The first video and the first audio among the sources, if there are both."""
    video = next((s for s in sources if _extension(s) in _VIDEO), None)
    audio = next((s for s in sources if _extension(s) in _AUDIO), None)
    return (video, audio) if video and audio else None


def _follow_up_instruction(route: Any, utterance: str) -> str | None:
    """The edit to send after an upload ("upload this and add captions"), if the router saw one."""
    value = _hint(route, "then_edit")
    if isinstance(value, str) and value.strip():
        return value
    return utterance if value else None


def _local_align(app: App, video: str, audio: str) -> Reply:
    from skill.handlers.align import align

    if "://" in video or "://" in audio:
        raise UsageError("errors/chat_local_needs_files")
    return align(app, Path(video), Path(audio))


def _sync_fix(app: App, utterance: str, pair: tuple[str, str], local: bool) -> tuple[SyncPath, list[Reply]]:
    video, audio = pair
    if local:
        return "local", [_local_align(app, video, audio)]
    try:
        from skill.edit import run_turn
        from skill.handlers.upload import upload

        uploaded = upload(app, [video, audio])
        return "cloud", [uploaded, run_turn(app, utterance)]
    except ConnectionFailed:
        # Nothing reached the backend, so nothing can be charged twice: fix it here instead.
        app.events.notice("chat/offline_fallback")
        return "local_fallback", [_local_align(app, video, audio)]


def _dispatch(app: App, intent: str, utterance: str, route: Any, sources: list[str]) -> list[Reply]:
    if intent == "credits":
        from skill.handlers.account import credits

        return [credits(app)]
    if intent == "state":
        from skill.handlers.account import state

        return [state(app)]
    if intent == "export":
        from skill.handlers.export import export

        return [export(app)]
    if intent == "upload" and not sources:
        return [Reply("chat/attach_needed")]
    from skill.edit import run_turn

    if intent == "upload":
        from skill.handlers.upload import upload

        replies = [upload(app, sources)]
        instruction = _follow_up_instruction(route, utterance)
        if instruction:
            replies.append(run_turn(app, instruction))
        # "upload this and export it": the router names the next intent as a ``then_<intent>`` hint.
        for then in ("credits", "state", "export"):
            if _hint(route, f"then_{then}"):
                replies += _dispatch(app, then, utterance, route, [])
        return replies
    return [run_turn(app, utterance)]


def chat(app: App, utterance: str, attachments: Sequence[str] = (), local: bool = False) -> Reply:
    """Route one message and run it; the reply carries the intent and, for sync fixes, the path."""
    if not utterance.strip() and not attachments:
        raise UsageError("errors/chat_empty")
    from skill.router import route as route_utterance

    route = route_utterance(utterance, attachments)
    intent = str(route.intent)
    sources = _sources(route, attachments)
    pair = _media_pair(sources) if _hint(route, "sync_fix") or local else None
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
