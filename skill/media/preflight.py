"""Local checks before any byte leaves the machine and before any credit is spent.

Hard problems (missing, empty, unreadable, unsupported, wrong extension for the content, too big)
raise :class:`~skill.errors.MediaError`. Problems the cloud can live with but the person should
know about (low resolution, long clips, a new voice track that does not fit the video) come back
as :class:`Finding` warnings, rendered in the person's language by the caller.

Decision: a supported file whose extension does not match its content (a WAV named ``.mp4``) is a
hard error. The backend types files by name, so it would mis-handle or refuse it after the upload;
renaming is cheap and the fix is exact.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill import env
from skill.errors import MediaError
from skill.media.names import SUPPORTED_EXTENSIONS, extension_of
from skill.media.probe import MediaInfo, probe

DEFAULT_MAX_UPLOAD_MB = 2048  # documented limit; LIP_SYNC_VIDEO_MAX_UPLOAD_MB overrides it
MIN_LIP_HEIGHT = 480  # below 480p the lips are too few pixels for facial landmark detection
LONG_CLIP_SECONDS = 120.0  # past two minutes sync tends to drift; splitting at pauses keeps it tight
DURATION_TOLERANCE = 0.10  # video and audio lengths more than 10 % apart cost sync accuracy


@dataclass(frozen=True)
class Finding:
    """One warning: a template key under ``media/`` and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"warning": self.key, **self.params}


@dataclass(frozen=True)
class PreflightResult:
    files: list[MediaInfo]
    warnings: list[Finding]


def max_upload_bytes(environ: Mapping[str, str] | None = None) -> int:
    raw = env.read(env.MAX_UPLOAD_MB, environ)
    if raw is None:
        return DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if megabytes <= 0:
        raise MediaError("errors/media_limit_number", value=raw)
    return int(megabytes * 1024 * 1024)


def check_file(path: Path, limit: int) -> MediaInfo:
    """Every hard check for one local file, cheapest first; returns its probe."""
    shown = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MediaError("errors/media_missing", name=shown) from None
    except OSError as exc:
        key = "errors/media_name_too_long" if exc.errno == errno.ENAMETOOLONG else "errors/media_permission"
        raise MediaError(key, name=shown) from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError("errors/media_is_directory", name=shown)
    if not stat.S_ISREG(st.st_mode):
        raise MediaError("errors/media_not_regular", name=shown)
    ext = extension_of(path.name)
    if ext not in SUPPORTED_EXTENSIONS:
        raise MediaError("errors/media_unsupported", name=path.name, ext=ext or "—",
                         supported=", ".join(SUPPORTED_EXTENSIONS))
    if st.st_size == 0:
        raise MediaError("errors/media_empty", name=shown)
    if st.st_size > limit:
        raise MediaError("errors/media_too_large", name=path.name, size=human_size(st.st_size),
                         limit=human_size(limit))
    if not os.access(path, os.R_OK):
        raise MediaError("errors/media_permission", name=shown)
    info = probe(path)
    if info.content_extensions and ext not in info.content_extensions:
        raise MediaError("errors/media_wrong_extension", name=path.name, ext=ext, actual=info.label,
                         suggested=info.suggested_extension)
    if not info.content_extensions:
        raise MediaError("errors/media_unsupported_content", name=path.name, container=info.container)
    return info


def preflight(paths: Sequence[Path], *, limit: int | None = None) -> PreflightResult:
    """Check every file (raising on the first hard problem) and collect the warnings."""
    limit = max_upload_bytes() if limit is None else limit
    files = [check_file(path, limit) for path in paths]
    warnings: list[Finding] = []
    for info in files:
        warnings.extend(_single_file_warnings(info))
    videos = [f for f in files if f.kind == "video"]
    audios = [f for f in files if f.kind == "audio"]
    if len(videos) == 1:  # with several videos we cannot tell which voice track belongs to which
        for audio in audios:
            warnings.extend(pair_warnings(videos[0], audio))
    return PreflightResult(files, warnings)


def pair_warnings(video: MediaInfo, audio: MediaInfo) -> list[Finding]:
    """A new voice track against the video it will be synced to."""
    found: list[Finding] = []
    if video.duration and audio.duration:
        gap = abs(audio.duration - video.duration) / video.duration
        if gap > DURATION_TOLERANCE:
            found.append(Finding("media/warn_duration_mismatch", {
                "audio": audio.path.name, "video": video.path.name, "audio_seconds": round(audio.duration, 1),
                "video_seconds": round(video.duration, 1), "percent": round(gap * 100)}))
    if video.sample_rate and audio.sample_rate and video.sample_rate != audio.sample_rate:
        found.append(Finding("media/warn_sample_rate", {
            "audio": audio.path.name, "video": video.path.name, "audio_rate": audio.sample_rate,
            "video_rate": video.sample_rate}))
    return found


def _single_file_warnings(info: MediaInfo) -> list[Finding]:
    found: list[Finding] = []
    if info.kind == "video" and info.width and info.height and min(info.width, info.height) < MIN_LIP_HEIGHT:
        found.append(Finding("media/warn_low_resolution",
                             {"name": info.path.name, "width": info.width, "height": info.height}))
    if info.kind in ("video", "audio") and info.duration and info.duration > LONG_CLIP_SECONDS:
        found.append(Finding("media/warn_long_clip", {"name": info.path.name, "seconds": round(info.duration)}))
    return found


def human_size(size: int) -> str:
    """1536 → "1.5 KB"; binary units, as file managers show them."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
