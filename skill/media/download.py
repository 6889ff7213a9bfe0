"""Bring a rendered file home without ever leaving a half file under the final name.

The bytes go to ``<final>.<source>.part`` (see :func:`part_path`); the length is checked against
``Content-Length`` (or the total of ``Content-Range`` when a leftover ``.part`` of the same source
is resumed); only then is the file renamed into place atomically. Server-supplied names never
choose a directory, and a file is named after the container it really is: when the person asked
for another container we remux it losslessly with PyAV if the codecs allow, else keep the true
extension.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from skill.console import Events, NullEvents
from skill.errors import BadResponse, ConnectionFailed, write_failed

CHUNK_BYTES = 1024 * 1024
PROGRESS_STEPS = 20
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_UNSAFE = re.compile(r"[^\w\-. ()\[\]]+")
# Containers a lossless stream copy can move between, and the families a file may be named after.
_FAMILIES = ({"mp4", "mov", "m4a"}, {"mkv", "webm"}, {"avi"})
_REMUX_FORMATS = {"mp4": "mp4", "mov": "mov", "mkv": "matroska", "avi": "avi"}


def safe_filename(name: str, fallback: str = "video") -> str:
    """A plain file name from untrusted text: no directories, no leading dots, no control characters."""
    base = PurePosixPath(unquote(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:120] or fallback


def unused_path(path: Path) -> Path:
    """``path``, or ``name-2.mp4``, ``name-3.mp4``… so an earlier result is never overwritten."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def result_path(output: Path | str | None, name: str, *, force: bool = False) -> Path:
    """Where a command writes its result: the one rule every command follows (issue 18).

    * ``output`` names a file: that file. The person chose it for this run, so it may be replaced.
    * ``output`` is an existing folder, or is written with a trailing slash: ``<folder>/<name>``.
    * no ``output``: ``config.output_dir()/<name>``.

    In the last two cases an existing file is never replaced: the first free ``<stem>-2<ext>``,
    ``<stem>-3<ext>``… is taken instead (``unused_path``), unless ``force``. The caller says in
    its reply which file it wrote.
    """
    if output is not None:
        text = str(output)
        given = Path(text).expanduser()
        if not (text.endswith(("/", os.sep)) or given.is_dir()):
            return given
        folder = given
    else:
        from skill.config import output_dir

        folder = output_dir()
    target = folder / name
    return target if force else unused_path(target)


def sniff_extension(path: Path) -> str | None:
    """The container of a downloaded file from its first bytes (mp4, mov, webm, mkv, avi)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


def download(http: httpx.Client, url: str, dest: Path, *, events: Events | None = None,
             progress_key: str = "export/downloading") -> Path:
    """Fetch ``url`` to ``dest`` (or a truer extension of it) and return the final absolute path."""
    events = events or NullEvents()
    if url.startswith("/") and not url.startswith("//") and http.base_url.host:
        url = str(http.base_url.join(url))  # an API path, e.g. the render's documented download route
    if urlsplit(url).scheme not in ("http", "https"):
        raise BadResponse("errors/media_download_url", url_scheme=urlsplit(url).scheme or "—")
    dest = dest.expanduser().resolve()
    if dest.is_dir():  # "-o results/": inside, under the link's own (sanitised) name, never over a file
        dest = result_path(dest, safe_filename(urlsplit(url).path, "video.mp4"))
    part = part_path(dest, url)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _drop_stale_parts(dest, keep=part)
        _fetch(http, url, part, events, progress_key, dest.name)
    except OSError as exc:
        raise write_failed(dest, exc) from None
    return _finish(part, dest)


def part_path(dest: Path, url: str) -> Path:
    """Where ``url``'s bytes collect before the rename: named after the file they come from.

    A leftover is resumed only by a download of the same file; a new render going to the same
    name (the draft changed after a killed export) starts afresh instead of appending its tail
    to the old render's head. The query is left out: signed links change on every request.
    """
    parts = urlsplit(url)
    source = hashlib.sha256(f"{parts.scheme}://{parts.netloc}{parts.path}".encode()).hexdigest()[:12]
    return dest.with_name(f"{dest.name}.{source}.part")


def _drop_stale_parts(dest: Path, keep: Path) -> None:
    """Leftovers of other files bound for ``dest``: they can never be resumed, so they go."""
    for stale in dest.parent.glob(glob.escape(dest.name) + ".*part"):
        if stale != keep:
            stale.unlink(missing_ok=True)


def _fetch(http: httpx.Client, url: str, part: Path, events: Events, key: str, name: str) -> None:
    have = part.stat().st_size if part.exists() else 0
    # identity: the byte count must be comparable with Content-Length (a gzip proxy would skew it)
    headers = {"Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}
    try:
        with http.stream("GET", url, headers=headers, follow_redirects=True) as response:
            if response.status_code == 416 and have:  # the leftover is already whole or stale
                part.unlink()
                return _fetch(http, url, part, events, key, name)
            if response.status_code not in (200, 206):
                raise BadResponse("errors/media_download_status", status=response.status_code)
            start, total = _span(response, have)
            with part.open("r+b" if start else "wb") as out:
                out.seek(start)
                out.truncate()
                written, step = start, -1
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    out.write(chunk)
                    written += len(chunk)
                    if total and int(written / total * PROGRESS_STEPS) > step:  # a line per 5 %, not per MiB
                        step = int(written / total * PROGRESS_STEPS)
                        events.progress(key, fraction=written / total, name=name)
                out.flush()
                os.fsync(out.fileno())
    except httpx.HTTPError:
        # The .part stays: a rerun resumes it with a Range request instead of starting over.
        raise ConnectionFailed("errors/media_download_incomplete", name=name) from None
    if total is not None and written != total:
        raise BadResponse("errors/media_download_incomplete", name=name)


def _span(response: httpx.Response, have: int) -> tuple[int, int | None]:
    """Where this response's bytes start in the file, and the whole file's length if known."""
    if response.status_code == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
        if match and int(match.group(1)) == have:
            return have, None if match.group(3) == "*" else int(match.group(3))
        raise BadResponse("errors/media_download_status", status=206)
    length = response.headers.get("content-length")
    return 0, int(length) if length and length.isdigit() else None


def _finish(part: Path, dest: Path) -> Path:
    """Rename into place under the extension the content deserves."""
    actual = sniff_extension(part)
    wanted = dest.suffix.lower().lstrip(".")
    if actual is None or wanted == actual or any({wanted, actual} <= family for family in _FAMILIES):
        os.replace(part, dest)
        return dest
    if wanted in _REMUX_FORMATS and _remux(part, dest, _REMUX_FORMATS[wanted]):
        part.unlink()
        return dest
    truer = dest.with_suffix("." + actual)
    if truer.exists():  # the person named ``dest``, not this name: it is not theirs to lose
        truer = unused_path(truer)
    os.replace(part, truer)
    return truer


def _remux(source: Path, dest: Path, fmt: str) -> bool:
    """Copy the streams into another container without re-encoding; False if the codecs do not fit."""
    import av

    staging = dest.with_name(dest.name + ".remux.part")
    try:
        with av.open(str(source)) as src, av.open(str(staging), "w", format=fmt) as out:
            mapping = {s.index: out.add_stream_from_template(s) for s in src.streams if s.type in ("video", "audio")}
            for packet in src.demux(*[s for s in src.streams if s.index in mapping]):
                if packet.dts is None:
                    continue
                packet.stream = mapping[packet.stream.index]
                out.mux(packet)
    except (av.error.FFmpegError, ValueError):
        staging.unlink(missing_ok=True)
        return False
    os.replace(staging, dest)
    return True
