"""What a local media file really is, read in-process with PyAV (FFmpeg ships in its wheel).

We ask the demuxer and decoders, never a file name and never ffmpeg's stderr: a ``.mp4`` that is
really a WAV, or a text file renamed ``.mov``, is told apart by its content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from skill.errors import MediaError

Kind = Literal["video", "audio", "image"]

# Demuxer names (as PyAV reports them) → a label for messages and the extensions that content may
# carry, the usual one first.
_FAMILIES: tuple[tuple[frozenset[str], str, tuple[str, ...]], ...] = (
    (frozenset({"mov", "mp4", "m4a", "3gp"}), "MP4/MOV", ("mp4", "mov", "m4a")),
    (frozenset({"matroska", "webm"}), "Matroska/WebM", ("mkv", "webm")),
    (frozenset({"avi"}), "AVI", ("avi",)),
    (frozenset({"mp3"}), "MP3", ("mp3",)),
    (frozenset({"wav"}), "WAV", ("wav",)),
    (frozenset({"aac"}), "AAC", ("aac",)),
    (frozenset({"gif"}), "GIF", ("gif",)),
)
# Still images are told apart by their codec: the image demuxers are chosen by name as well as content.
_IMAGE_CODECS = {"mjpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
_WEBM_CODECS = frozenset({"vp8", "vp9", "av1", "libdav1d", "opus", "vorbis"})  # what WebM may carry
_VIDEO_CONTAINERS = frozenset({"mov", "mp4", "matroska", "webm", "avi"})


@dataclass(frozen=True)
class MediaInfo:
    """The facts preflight needs about one file."""

    path: Path
    container: str  # PyAV's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    kind: Kind
    label: str  # the content's format in words, e.g. "MP4/MOV"
    content_extensions: tuple[str, ...]  # extensions this content may rightly carry, usual first
    duration: float | None = None  # seconds
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None  # of the first audio stream

    @property
    def suggested_extension(self) -> str:
        """The extension to rename a mislabelled file to (an audio-only MP4 is an .m4a)."""
        if self.kind == "audio" and "m4a" in self.content_extensions:
            return "m4a"
        if "webm" in self.content_extensions and (self.video_codec or self.audio_codec) in _WEBM_CODECS:
            return "webm"
        return self.content_extensions[0] if self.content_extensions else ""


def probe(path: Path) -> MediaInfo:
    """Open ``path`` with PyAV and describe it; raises ``MediaError`` if FFmpeg cannot read it."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return _describe(path, container)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError):  # FFmpeg could not parse it
        raise MediaError("errors/media_unreadable", name=path.name) from None


def _is_cover_art(stream: Any) -> bool:
    """Album art in an MP3/M4A: a still picture stream marked ``attached_pic``, not a video."""
    from av.stream import Disposition

    return bool(stream.disposition & Disposition.attached_pic)


def _describe(path: Path, container: Any) -> MediaInfo:
    video = next((s for s in container.streams.video if not _is_cover_art(s)), None)
    audio = next((s for s in container.streams.audio), None)
    if video is None and audio is None:
        raise MediaError("errors/media_no_streams", name=path.name)
    names = frozenset(container.format.name.split(","))
    video_codec = video.codec_context.name if video is not None else None
    duration = container.duration / 1_000_000 if container.duration else None
    # A PNG, JPEG, WebP or GIF on its own; an MJPEG track inside an AVI or MOV is still a video.
    is_still = audio is None and video_codec in _IMAGE_CODECS and not names & _VIDEO_CONTAINERS
    extensions: tuple[str, ...]
    if is_still:
        kind: Kind = "image"
        extension = _IMAGE_CODECS[video_codec]  # type: ignore[index]
        label, extensions = extension.upper(), (extension,)
    else:
        kind = "video" if video is not None else "audio"
        label, extensions = next(((lab, exts) for family, lab, exts in _FAMILIES if names & family),
                                 (container.format.name, ()))
    return MediaInfo(
        path=path,
        container=container.format.name,
        kind=kind,
        label=label,
        content_extensions=extensions,
        duration=duration,
        width=video.codec_context.width if video is not None else None,
        height=video.codec_context.height if video is not None else None,
        video_codec=video_codec,
        audio_codec=audio.codec_context.name if audio is not None else None,
        sample_rate=audio.codec_context.sample_rate if audio is not None else None,
    )
