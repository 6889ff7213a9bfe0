"""The parts of ``chat`` that stay on this machine: sync fixes (offline first) and the local capabilities.

Issue 14: a plain offset/drift complaint with a local video and audio is fixed by ``align`` here; the
cloud is used only when the person asks for it, when a file is a link, or (offered, not run) when
``align`` refuses a pair as different speech. Mouth cues, character animation, dub fitting and the
face check run their local engines; a real person's photo goes to the generative ``talk`` path.
The handlers of the other areas are imported inside each branch (PROTOCOL: lazily), so a question
about credits never loads them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from skill.errors import AlignmentError, ConnectionFailed, UsageError
from skill.media.names import MediaKind, is_web_url, kind_of
from skill.replies import Reply

if TYPE_CHECKING:
    from skill.app import App
    from skill.router import Route

SyncPath = Literal["local", "cloud", "local_fallback", "local_refused"]
# What a person says about the cue file's format ("for Moho", "as JSON").
_FORMATS = (("dat", re.compile(r"(?i)\b(?:moho|opentoonz|dat|switch file)\b|\.dat\b")),
            ("tsv", re.compile(r"(?i)\btsv\b")), ("xml", re.compile(r"(?i)\bxml\b")),
            ("json", re.compile(r"(?i)\bjson\b")))
_PRESTON = re.compile(r"(?i)preston\s*blair")


def is_url(source: str) -> bool:
    return is_web_url(source)


def first(sources: Sequence[str], kind: MediaKind) -> str | None:
    return next((s for s in sources if kind_of(s) == kind), None)


def media_pair(sources: Sequence[str]) -> tuple[str, str] | None:
    """The first video and the first audio among the sources, if there are both."""
    video, audio = first(sources, "video"), first(sources, "audio")
    return (video, audio) if video and audio else None


def _command(*words: str) -> str:
    """A command line to copy: every path absolute and quoted for a POSIX shell."""
    return shlex.join(words)


def _absolute(source: str) -> str:
    return source if is_url(source) else str(Path(source).expanduser().resolve())


# -- sync fixes ------------------------------------------------------------------------------------

def sync_fix(app: App, utterance: str, pair: tuple[str, str], *, local: bool, cloud: bool) -> tuple[SyncPath,
                                                                                                     list[Reply]]:
    """Offline first: ``align`` here unless the person asked for the cloud or sent a link."""
    video, audio = pair
    links = is_url(video) or is_url(audio)
    if local and links:
        raise UsageError("errors/chat_local_needs_files")
    if (cloud or links) and not local:
        return _cloud(app, utterance, pair, can_fall_back=not links)
    try:
        return "local", [_align(app, video, audio)]
    except AlignmentError as exc:
        return "local_refused", [_refused(app, exc, video, audio)]


def _align(app: App, video: str, audio: str) -> Reply:
    from skill.handlers.align import align

    return align(app, Path(video), Path(audio))


def _cloud(app: App, utterance: str, pair: tuple[str, str], can_fall_back: bool) -> tuple[SyncPath, list[Reply]]:
    from skill.handlers.edit import run_turn
    from skill.handlers.upload import upload

    try:
        uploaded = upload(app, list(pair))
        return "cloud", [uploaded, run_turn(app, utterance)]
    except ConnectionFailed:
        if not can_fall_back:
            raise
        # Nothing reached the backend, so nothing can be charged twice: fix it here instead.
        app.events.notice("chat/offline_fallback")
        return "local_fallback", [_align(app, *pair)]


def _refused(app: App, exc: AlignmentError, video: str, audio: str) -> Reply:
    """``align`` will not fix this pair: say why and offer ``fit`` (a dub in other words) or the cloud."""
    different_speech = exc.message_key == "errors/align_no_match"
    v, a = _absolute(video), _absolute(audio)
    sync_words = "同步这段配音" if app.lang == "zh" else "lip-sync this dub"
    return Reply("chat/align_refused", {
        "reason": exc.render(app.lang), "reason_key": exc.message_key, "offer_fit": different_speech,
        "fit_command": _command("lip-sync-video", "fit", v, a) if different_speech else None,
        "cloud_command": _command("lip-sync-video", "chat", sync_words, "--attach", v, "--attach", a, "--cloud"),
    }, ok=False)


# -- local capabilities ------------------------------------------------------------------------------

def run_local(app: App, intent: str, utterance: str, route: Route, sources: Sequence[str]) -> list[Reply]:
    """One local capability; the first reply says which path ran and why (issue 12: offer the other)."""
    folders = [s for s in sources if not is_url(s) and Path(s).expanduser().is_dir()]
    if intent == "talk" and folders:
        intent = "animate"  # a folder of mouth drawings says the picture is drawn
    if intent != "talk" and any(is_url(s) for s in sources):
        raise UsageError("errors/chat_local_needs_files")
    if intent == "mouth_cues":
        return _mouth_cues(app, utterance, sources)
    if intent == "fit":
        return _fit(app, sources)
    if intent == "face_check":
        return _face_check(app, sources)
    return _talking_picture(app, intent, sources, folders)


def _need(intent: str) -> list[Reply]:
    return [Reply("chat/attach_needed_for", {"intent": intent})]


def _why(intent: str, **data: object) -> Reply:
    return Reply("chat/why", {"intent": intent, **data})


def _mouth_cues(app: App, utterance: str, sources: Sequence[str]) -> list[Reply]:
    inputs = [Path(s) for s in sources if kind_of(s) in ("audio", "video")]
    if not inputs:
        return _need("mouth_cues")
    from skill.handlers.mouth_cues import mouth_cues

    fmt = next((name for name, pattern in _FORMATS if pattern.search(utterance)), None)
    reply = mouth_cues(app, inputs, fmt=fmt, preston_blair=bool(_PRESTON.search(utterance)))
    return [_why("mouth_cues", fmt=fmt), reply]


def _fit(app: App, sources: Sequence[str]) -> list[Reply]:
    original = first(sources, "video")
    audio = [s for s in sources if kind_of(s) == "audio"]
    if original is None and len(audio) >= 2:  # two audio tracks: the first is the original speech
        original, audio = audio[0], audio[1:]
    if original is None or not audio:
        return _need("fit")
    from skill.handlers.fit import fit

    return [_why("fit"), fit(app, Path(original), Path(audio[0]))]


def _face_check(app: App, sources: Sequence[str]) -> list[Reply]:
    video = first(sources, "video")
    if video is None:
        return _need("face_check")
    from skill.handlers.face_check import face_check

    return [_why("face_check"), face_check(app, Path(video))]


def _talking_picture(app: App, intent: str, sources: Sequence[str], folders: Sequence[str]) -> list[Reply]:
    """A drawn character → ``animate`` here; a real person's photo → the generative ``talk`` path."""
    audio = first(sources, "audio")
    if intent == "animate":
        character = first(sources, "image") or first(sources, "video")
        if character is None or audio is None:
            return _need("animate")
        from skill.handlers.animate import animate

        mouths = Path(folders[0]) if folders else None
        reply = animate(app, Path(character), Path(audio), mouths=mouths)
        return [_why("animate", mouths=mouths is not None), reply]
    image = first(sources, "image")
    if image is None or audio is None:
        return _need("talk")
    from skill.handlers.jobs import talk

    reply = talk(app, image, audio)
    return [_why("talk", provider=str(reply.data.get("provider", ""))), reply]
