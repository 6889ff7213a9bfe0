"""What a file name or link says by itself: its media extension and kind, and whether it is a web link.

The one table of media extensions lives here. Standard library only and cheap to import: the
router reads it on every cold start of ``lip-sync-video route``.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

MediaKind = Literal["video", "audio", "image"]

# What the NemoVideo backend accepts, and so what preflight lets through (in this order in messages).
VIDEO_EXTENSIONS: tuple[str, ...] = ("mp4", "mov", "avi", "webm", "mkv")
IMAGE_EXTENSIONS: tuple[str, ...] = ("jpg", "png", "gif", "webp")
AUDIO_EXTENSIONS: tuple[str, ...] = ("mp3", "wav", "m4a", "aac")
SUPPORTED_EXTENSIONS: tuple[str, ...] = VIDEO_EXTENSIONS + IMAGE_EXTENSIONS + AUDIO_EXTENSIONS
EXTENSION_ALIASES = {"jpeg": "jpg"}
# Media a person may well name that the backend refuses. A sentence naming one still hands us a
# file (so preflight can say it is not supported); the offline engines decode them with PyAV.
OTHER_MEDIA: dict[str, MediaKind] = {"m4v": "video", "flac": "audio", "ogg": "audio", "opus": "audio"}
RECOGNISED_EXTENSIONS: tuple[str, ...] = SUPPORTED_EXTENSIONS + tuple(EXTENSION_ALIASES) + tuple(OTHER_MEDIA)

_KINDS: dict[str, MediaKind] = {
    **{ext: "video" for ext in VIDEO_EXTENSIONS}, **{ext: "image" for ext in IMAGE_EXTENSIONS},
    **{ext: "audio" for ext in AUDIO_EXTENSIONS}, **OTHER_MEDIA,
}
# "C:\clip.mp4" has a one-letter "scheme"; real schemes are longer.
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")


def scheme_of(raw: str) -> str | None:
    """The lower-case URL scheme ``raw`` starts with (``https``, ``file``, ``data`` …), else None (a path)."""
    match = SCHEME.match(raw.strip())
    return match.group(1).lower() if match else None


def is_web_url(raw: str) -> bool:
    """True for an http(s) link, False for a local path (the rule ``media.sources.classify`` applies)."""
    return scheme_of(raw) in ("http", "https")


def extension_of(name: str) -> str:
    """The lower-case extension without the dot, with aliases folded (``.JPEG`` → ``jpg``); for a
    link, that of its path (``https://x/a.mp4?sig=…`` → ``mp4``)."""
    path = urlsplit(name.strip()).path if is_web_url(name) else name
    ext = _suffix(path).lower().lstrip(".")
    return EXTENSION_ALIASES.get(ext, ext)


def _suffix(path: str) -> str:
    """``PurePosixPath(path).suffix`` without building the path object (~2 µs, and the router asks for
    every file sent): the last component that is not empty or ".", from its last dot, if that dot is
    neither its first nor its last character."""
    name = next((part for part in reversed(path.split("/")) if part and part != "."), "")
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def kind_of(name: str) -> MediaKind | None:
    """``video``, ``audio`` or ``image`` by the extension of a path or link, else None."""
    return _KINDS.get(extension_of(name))
