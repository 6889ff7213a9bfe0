"""Render the session's draft in the cloud and bring the file home.

Export costs no credits, but a free plan may be refused (402: a plan message, never a credits
one). The pending render survives a killed run (see ``skill.nemo.render``), the download never
leaves a half file under the final name, and the reply names the file so agent hosts attach it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skill.errors import write_failed
from skill.media.download import download, result_path, safe_filename
from skill.media.names import VIDEO_EXTENSIONS, extension_of
from skill.nemo.context import NemoContext
from skill.nemo.envelope import object_field
from skill.nemo.render import Ledger, StoreLedger, render_draft
from skill.nemo.timeline import has_segments
from skill.nemo.timing import timing_target, write_timings
from skill.replies import Reply


def export(ctx: NemoContext, output: Path | str | None = None, timing_json: Path | None = None, *,
           force: bool = False) -> Reply:
    """Render the session's draft and download it to ``output``: a file, or a folder (an existing
    one, or any path written with a trailing slash, which is created). Without a file name the
    result never replaces an existing file (a numbered name instead) unless ``force``."""
    folder_wanted = output is not None and str(output).endswith(("/", os.sep))
    output = Path(output).expanduser() if output is not None else None
    client = ctx.client
    session = client.ensure_session()
    state = client.state()
    draft = state.get("draft")
    if not has_segments(draft):
        return Reply("export/nothing_to_export", {}, ok=False)
    # A path that cannot be written fails now, not after minutes of rendering.
    if output is not None:
        _make_folder(output if folder_wanted or output.is_dir() else output.parent)
    timing_path = timing_target(timing_json) if timing_json is not None else None
    ledger = StoreLedger(ctx.store, session.session_id)
    target = destination(output, state, folder_wanted=folder_wanted, force=force)
    path, render_id, resumed = render_and_download(ctx, draft, ledger, target)
    ledger.clear()
    data: dict[str, Any] = {"path": str(path), "render_id": render_id, "resumed": resumed,
                            "duration": _seconds(draft.get("d")), "timing_json": None}
    if timing_path is not None:
        from skill.local.mouthcues import timing_track

        meta = draft.get("m") if isinstance(draft, dict) else None
        rate = meta.get("fps") if isinstance(meta, dict) else None
        fps = float(rate) if isinstance(rate, (int, float)) and rate > 0 else None
        data["timing_json"] = str(write_timings(draft, timing_path, mouth_cues=timing_track(path, fps)))
    return Reply("export/done", data, media=[str(path)])


def render_and_download(ctx: NemoContext, draft: dict[str, Any], ledger: Ledger,
                        target: Path | Callable[[str], Path]) -> tuple[Path, str, bool]:
    """Render ``draft`` (resuming the ledger's pending render) and download it to ``target``
    (a path, or a function of the render id). Returns the file, the render id and whether it resumed."""
    client = ctx.client
    result = render_draft(client, client.ensure_session().session_id, draft, ledger, ctx.events,
                          ctx.settings.poll_seconds, timeout_seconds=ctx.settings.render_timeout_seconds)
    where = target(result.render_id) if callable(target) else target
    return download(client.http, result.url, where, events=ctx.events), result.render_id, result.resumed


def destination(output: Path | None, state: dict[str, Any], *, folder_wanted: bool = False,
                force: bool = False) -> Path:
    """Where the file goes (``result_path``'s rule): the person's file, or ``<source>.lipsync.<ext>``
    in their folder or ``config.output_dir()``, numbered rather than over an earlier export.

    The default keeps the source video's container (the product rule: output in the same format
    as the input).
    """
    stem, ext = _source_name(state)
    if output is not None and not folder_wanted and not output.is_dir() and not output.suffix:
        return output.with_suffix(f".{ext}")
    where = f"{output}{os.sep}" if output is not None and folder_wanted else output
    return result_path(where, f"{stem}.lipsync.{ext}", force=force)


def place(produced: Path, output: Path | None, *, force: bool = False) -> Path:
    """Move a file an export already delivered to where the person wants it (``result_path``'s rule).

    Used when the cloud agent's "click Export" was acted on inside an edit turn: that render *is*
    the result, and exporting again would render the same draft twice.
    """
    if output is None:
        return produced  # export already chose a name that replaced nothing
    output = output.expanduser()
    if not output.is_dir() and not output.suffix:
        output = output.with_suffix(produced.suffix)
    target = result_path(output, produced.name, force=force)
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.move(str(produced), str(target))).resolve()


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(folder, exc) from None


def _source_name(state: dict[str, Any]) -> tuple[str, str]:
    """Stem and container of the first uploaded video (server-supplied, so sanitised)."""
    for info in state.get("video_infos") or []:
        if not isinstance(info, dict):
            continue
        name = safe_filename(str(info.get("filename") or info.get("name") or ""), "")
        ext = extension_of(name)
        if name and ext in VIDEO_EXTENSIONS:
            return Path(name).stem, ext
    meta = object_field(object_field(state, "draft"), "m")
    return safe_filename(str(meta.get("title") or ""), "lip-sync"), "mp4"


def _seconds(value: Any) -> float | None:
    return round(value / 1000, 1) if isinstance(value, (int, float)) and value > 0 else None
