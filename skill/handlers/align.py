"""``align``: measure and fix the offset and clock drift between a video and a new recording of
the same performance, offline (skill/local). Refuses, and points at the cloud lip-sync, when the
two tracks are not the same recording."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from skill.app import App
from skill.errors import AlignmentError, MediaError, UsageError
from skill.replies import Reply, shown

AUDIO_ONLY = (".wav", ".flac")  # lossless: the corrected audio alone, for an editor's timeline
VIDEO_OUTPUTS = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".ts", ".mts", ".m2ts")


def default_name(video: Path) -> str:
    """``clip.mp4`` → ``clip.synced.mp4``: same container, never the input's own name."""
    return f"{video.stem}.synced{video.suffix}"


def target_path(video: Path, output: Path | None, *, force: bool = False) -> Path:
    """Where the result goes (``result_path``'s rule): ``-o FILE`` there; ``-o FOLDER`` or nothing:
    ``<video>.synced.<ext>`` in that folder or ``config.output_dir()``, numbered over nothing."""
    from skill.media.download import result_path

    return result_path(output, default_name(video), force=force)


def _check_paths(video: Path, audio: Path, output: Path | None) -> None:
    for path in (video, audio):
        if path.is_dir():  # as upload says it: the person named a folder, not a missing file
            raise MediaError("errors/media_is_directory", name=str(path))
        if not path.is_file():
            raise MediaError("errors/align_missing_file", file=str(path))
    if output is not None:
        if output.resolve() in (video.resolve(), audio.resolve()):
            raise UsageError("errors/align_overwrite", file=str(output))
        if not output.parent.is_dir():
            raise UsageError("errors/align_missing_dir", dir=str(output.parent))
        suffix = output.suffix.lower()
        if suffix not in AUDIO_ONLY + VIDEO_OUTPUTS:
            raise UsageError("errors/align_output_kind", file=output.name, audio=" ".join(AUDIO_ONLY),
                             video=" ".join(VIDEO_OUTPUTS))


def align(app: App, video: Path, audio: Path, output: Path | None = None, check_only: bool = False,
          timing_json: Path | None = None, *, force: bool = False) -> Reply:
    """Measure ``t_video = k·t_audio + b``; unless ``check_only``, write OUT and re-measure it.

    OUT is the video with its stream copied and the corrected audio muxed in, or, for a ``.wav`` /
    ``.flac`` name, the corrected audio alone (sample 0 at the video's time 0).
    """
    target = None if check_only else target_path(video, output, force=force)
    _check_paths(video, audio, target)
    from skill.local.align import apply, engine, verdict
    from skill.media import decode

    events = app.events
    audio_only = target is not None and target.suffix.lower() in AUDIO_ONLY
    if target is not None and not audio_only:
        apply.require_video(video)
    events.progress("align/decoding", fraction=None, video=video.name, audio=audio.name)
    ref, new, native = decode.decode_pair(video, audio, keep_native=target is not None)
    events.progress("align/analysing", fraction=None)
    try:
        measurement = engine.measure(ref, new, video.name, audio.name)
    except AlignmentError as exc:
        if exc.message_key == "errors/align_no_match":  # its reply offers `fit`, which needs both names
            exc.params["video"] = shown(video.name)
            exc.params["audio_path"] = shown(str(audio))
            exc.params["video_path"] = shown(str(video))
        raise
    data: dict[str, Any] = {"video": video.name, "audio": audio.name, **verdict.report(measurement),
                            "output": None, "residual_ms": None, "check_only": check_only, "timing_json": None}
    # Frames are spoken of at the clip's own rate (a 12 fps clip's 80 ms is one frame, not two).
    data["fps"] = frame_rate(video)
    data["lead_frames"] = round(abs(data["lead_ms"]) * data["fps"] / 1000, 1) if data["fps"] else None
    data["fix_command"] = None if not check_only or data["side"] == "in_sync" else shlex.join(
        ["lip-sync-video", "align", str(video.resolve()), str(audio.resolve()), "-o",
         str(target_path(video, None).resolve())])  # a name that replaces nothing
    if target is not None and native is not None:
        events.progress("align/writing", fraction=None, file=target.name)
        out_rate = apply.output_rate(target, ref.native_rate)
        length = round(max(decode.media_duration(video), ref.duration) * out_rate)
        fixed = apply.corrected_audio(native.samples, native.rate, measurement.fit.segments, out_rate, length)
        if audio_only:
            apply.write_audio(fixed, out_rate, target)
        else:
            apply.remux(video, fixed, out_rate, target)
        events.progress("align/verifying", fraction=None, file=target.name)
        data["output"] = str(target)
        data["audio_only"] = audio_only
        data["residual_ms"] = _residual(ref, video, target, audio_only)
    if timing_json is not None:
        _write_timing(timing_json, data, verdict.anchors_table(measurement))
        data["timing_json"] = str(timing_json)
    return Reply("align/checked" if check_only else "align/fixed", data,
                 media=[str(target)] if target is not None else [])


def frame_rate(video: Path) -> float | None:
    """The video stream's average frame rate, or None (audio only, or a rate the container lacks)."""
    import av

    try:
        with av.open(str(video)) as container:
            stream = next(iter(container.streams.video), None)
            rate = stream.average_rate or stream.guessed_rate if stream is not None else None
    except (av.FFmpegError, OSError):
        return None
    return round(float(rate), 3) if rate else None


def _residual(ref: Any, video: Path, output: Path, audio_only: bool = False) -> float | None:
    """Closed loop: measure the written file's sound against the video's own sound again, and
    check that the copied picture kept its place on the clock (no picture in an audio-only file)."""
    from skill.local.align import engine, verdict
    from skill.media import decode

    try:
        check = engine.measure(ref, decode.decode_mono(output), "video", output.name)
    except AlignmentError:
        return None  # reported as "could not verify"; the file is still written
    moved = 0.0 if audio_only else decode.video_lead(output) - decode.video_lead(video)
    return verdict.residual_ms(check, moved)


def _write_timing(path: Path, data: dict[str, Any], anchors: list[dict[str, float]]) -> None:
    body = {"model": "t_video = k * t_audio + b (per segment, seconds)", **data, "anchors": anchors}
    try:
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError:
        raise UsageError("errors/align_missing_dir", dir=str(path.parent)) from None
