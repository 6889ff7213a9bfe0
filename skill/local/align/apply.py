"""Write the corrected file: the new audio moved onto the video's clock sample-accurately (soxr at
the exact measured ratio, then pad/trim), muxed with the video stream copied packet for packet."""

from __future__ import annotations

import fractions
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import soxr

from skill.errors import MediaError
from skill.local.align.linefit import Segment
from skill.media import remux as remux_io

_FRAME = 1024  # AAC's frame size; other encoders accept it too
_AUDIO_CODECS = {".webm": "libopus", ".ogg": "libopus"}
_OPUS_RATE = 48_000  # the only rate Opus encodes at


def output_rate(output: Path, preferred: int) -> int:
    """The sample rate to write: the video's own, unless the output's codec allows only one."""
    return _OPUS_RATE if _AUDIO_CODECS.get(output.suffix.lower()) == "libopus" else preferred


def require_video(video: Path) -> None:
    """Fail before the analysis, not after it, when there is no picture to copy."""
    try:
        with av.open(str(video)) as container:
            if not container.streams.video:
                raise MediaError("errors/align_no_video", file=video.name)
    except (av.FFmpegError, OSError):
        raise MediaError("errors/align_unreadable", file=video.name) from None


def corrected_audio(new: np.ndarray, new_rate: int, segments: list[Segment], out_rate: int,
                    out_len: int) -> np.ndarray:
    """The new audio resampled and placed so that its sample at new time ``t`` plays at ``k·t + b``.

    On the video's clock a segment of the new audio runs at ``new_rate / k`` samples per second;
    soxr converts that exact (non-integer) rate to ``out_rate`` with pitch following the clock,
    which for a 44.1 kHz file flagged as 48 kHz restores the true pitch. Silence fills the rest.
    """
    out = np.zeros(out_len, np.float32)
    for seg in segments:
        first, last = round(seg.start * new_rate), round(seg.end * new_rate)
        piece = new[first:last]
        if len(piece) == 0:
            continue
        stretched = soxr.resample(piece, new_rate / seg.k, out_rate, quality="VHQ")
        at = round((seg.k * first / new_rate + seg.b) * out_rate)
        skip = max(-at, 0)
        at, stretched = at + skip, stretched[skip:]
        take = max(min(len(stretched), out_len - at), 0)
        out[at: at + take] = stretched[:take]
    return out


def _audio_frames(audio: np.ndarray, rate: int, first: int) -> Iterator[av.AudioFrame]:
    for start in range(0, len(audio), _FRAME):
        frame = av.AudioFrame.from_ndarray(audio[None, start: start + _FRAME], format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = first + start  # first is 0 for MP4/MOV: no edit-list offset to drift from
        frame.time_base = fractions.Fraction(1, rate)
        yield frame


def remux(video: Path, audio: np.ndarray, rate: int, output: Path) -> None:
    """``output`` = the video stream of ``video`` (copied, no re-encode) + ``audio`` (mono float32).

    Written to a hidden partial file and renamed, so a failure never leaves a half file behind.
    """
    samples = audio.astype(np.float32, copy=False)
    with remux_io.partial_file(output, "errors/align_write_failed") as partial, \
            av.open(str(video)) as src, av.open(str(partial), "w") as dst:
        if not src.streams.video:
            raise MediaError("errors/align_no_video", file=video.name)
        remux_io.copy_video_with_audio(src, dst, _AUDIO_CODECS.get(output.suffix.lower(), "aac"), rate,
                                       lambda first: _audio_frames(samples, rate, first))


def write_audio(audio: np.ndarray, rate: int, output: Path) -> None:
    """``output`` = ``audio`` alone, lossless (16-bit PCM WAV or FLAC), sample 0 at the video's time 0.

    Like :func:`remux`: a hidden partial file, renamed at the end, removed on failure.
    """
    codec = "flac" if output.suffix.lower() == ".flac" else "pcm_s16le"
    with remux_io.partial_file(output, "errors/align_write_failed") as partial, av.open(str(partial), "w") as dst:
        stream = dst.add_stream(codec, rate=rate, layout="mono")
        pcm = np.clip(audio.astype(np.float32, copy=False), -1.0, 1.0)
        for start in range(0, len(pcm), _FRAME * 4):
            chunk = (pcm[start: start + _FRAME * 4] * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="s16", layout="mono")
            frame.sample_rate = rate
            dst.mux(stream.encode(frame))
        dst.mux(stream.encode(None))
