"""The input side of the face check: refuse what is not a video before any model loads, decode the
picture, and turn the sound into one loudness value per video frame.

The loudness of frame k is the sound heard while frame k is on screen: the audio from the frame's
presentation time to the next frame's, on the container clock (sample 0 = container time 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skill.errors import MediaError

AUDIO_RATE = 16_000
_MIN_SECONDS = 0.5


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    width: int
    height: int
    fps: float
    duration: float
    has_audio: bool


def inspect(path: Path) -> VideoInfo:
    """Describe ``path`` or refuse it: missing, not media, audio only, a still image, too short."""
    if not path.exists():
        raise MediaError("errors/face_missing_file", file=str(path))
    if not path.is_file():
        raise MediaError("errors/face_not_video", file=path.name)
    from skill.media.probe import probe

    try:
        info = probe(path)
    except MediaError:
        raise MediaError("errors/face_not_video", file=path.name) from None
    if info.kind == "audio":
        raise MediaError("errors/face_audio_only", file=path.name)
    if info.kind != "video" or not info.width or not info.height:
        raise MediaError("errors/face_not_video", file=path.name)
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fps = float(rate) if rate else 0.0
            duration = (container.duration or 0) / av.time_base
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
    except (av.FFmpegError, OSError, IndexError):
        raise MediaError("errors/face_not_video", file=path.name) from None
    if not 1.0 <= fps <= 240.0 or duration < _MIN_SECONDS:
        raise MediaError("errors/face_not_video", file=path.name)
    return VideoInfo(path, int(info.width), int(info.height), fps, duration, info.audio_codec is not None)


def frames(path: Path) -> Iterator[tuple[int, float, Any]]:
    """(index, presentation time in container seconds, the decoded ``av.VideoFrame``).

    Decoding runs on its own thread a few frames ahead (FFmpeg and LiteRT both release the GIL),
    so on two cores the decoder and the landmark model work at the same time.
    """
    import queue
    import threading

    done = object()
    ahead: queue.Queue[Any] = queue.Queue(maxsize=8)
    stop = threading.Event()

    def decode() -> None:
        try:
            for item in _decoded(path):
                while not stop.is_set():
                    try:
                        ahead.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            ahead.put(exc)

    worker = threading.Thread(target=decode, name="facecheck-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def _decoded(path: Path) -> Iterator[tuple[int, float, Any]]:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            zero = (container.start_time or 0) / av.time_base
            for index, frame in enumerate(container.decode(stream)):
                t = float(frame.time) - zero if frame.time is not None else index / float(stream.average_rate or 25)
                yield index, t, frame
    except av.FFmpegError:
        raise MediaError("errors/face_not_video", file=path.name) from None


def picture(frame: Any, whole: bool) -> Any:
    """A ``geometry.Pyramid`` for the frame: RGB when ``whole`` (it is measured), else the
    decoded 4:2:0 planes in place when the stream has them (only crops get converted)."""
    from skill.local.facecheck.geometry import Pyramid, YuvFrame

    if not whole and frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0:
        space = int(getattr(frame, "colorspace", 2) or 2)  # AVColorSpace: 1 BT.709, 2 unspecified
        bt709 = space == 1 or (space == 2 and frame.height >= 720)
        return YuvFrame(frame.to_ndarray(), frame.width, frame.height, bt709)
    return Pyramid(frame.to_ndarray(format="rgb24"))


def audio(path: Path) -> np.ndarray | None:
    """Mono samples at ``AUDIO_RATE`` on the container clock; None without a readable audio track."""
    from skill.errors import AlignmentError
    from skill.media.decode import decode_mono

    try:
        return decode_mono(path, AUDIO_RATE).samples
    except (AlignmentError, MediaError):
        return None


def frame_loudness(samples: np.ndarray, times: np.ndarray, fps: float) -> np.ndarray:
    """dB (full scale) of the sound while each frame is on screen; -120 where there is none."""
    starts = np.round(times * AUDIO_RATE).astype(np.int64)
    ends = np.append(starts[1:], starts[-1] + round(AUDIO_RATE / fps)) if len(starts) else starts
    power = np.concatenate([[0.0], np.cumsum(samples.astype(np.float64) ** 2)])
    lo = np.clip(starts, 0, len(samples))
    hi = np.clip(np.maximum(ends, starts + 1), 0, len(samples))
    energy = (power[hi] - power[lo]) / np.maximum(hi - lo, 1)
    return np.where(hi > lo, 10 * np.log10(energy + 1e-12), -120.0)


def speech_spans(samples: np.ndarray | None) -> list[tuple[float, float]]:
    """Seconds with speech-like sound: well above the recording's own floor, in a track that moves.

    Silence and steady room tone give no span: their loudness hardly changes (under 12 dB between
    the quiet and loud ends of the track), where speech swings by 20 dB and more between syllables.
    """
    if samples is None or len(samples) < AUDIO_RATE // 2:
        return []
    hop = AUDIO_RATE // 100
    n = len(samples) // hop
    blocks = samples[: n * hop].astype(np.float64).reshape(n, hop)
    db = 10 * np.log10((blocks**2).mean(axis=1) + 1e-12)
    floor, loud = np.percentile(db, 10), np.percentile(db, 97)
    if loud < -50 or loud - floor < 12:
        return []
    active = db > max(floor + 0.5 * (loud - floor), -55)
    # Join syllables into phrases: a gap under 0.4 s is inside speech.
    spans: list[list[float]] = []
    for i in np.nonzero(active)[0]:
        t = i / 100
        if spans and t - spans[-1][1] < 0.4:
            spans[-1][1] = t + 0.01
        else:
            spans.append([t, t + 0.01])
    total = sum(b - a for a, b in spans)
    if total < 0.5:
        return []
    return [(max(a - 0.3, 0.0), b + 0.3) for a, b in spans]
