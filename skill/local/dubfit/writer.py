"""Encode the fitted dub: an audio file, or the original's video stream copied packet for packet
with the dub as its only audio. Blocks (channels x samples) arrive from the WSOLA pass and are
encoded as they come, in the dub's own channel layout (MP3 holds at most two: more are mixed down
to stereo by FFmpeg's encoder-side resampler)."""

from __future__ import annotations

import fractions
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from skill.media.remux import AUDIO_BITRATE, copy_video_with_audio

AUDIO_FORMATS = {".wav": ("wav", "pcm_s16le"), ".flac": ("flac", "flac"), ".m4a": ("ipod", "aac"),
                 ".mp3": ("mp3", "libmp3lame")}
VIDEO_FORMATS = {".mp4": ("mp4", "aac"), ".mov": ("mov", "aac"), ".mkv": ("matroska", "aac"),
                 ".webm": ("webm", "libopus")}
_MP3_RATES = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000}
_AAC_RATES = {7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000}


def output_layout(suffix: str, layout: str) -> str:
    """The dub's layout, unless the codec cannot hold that many channels (MP3: two)."""
    codec = {**AUDIO_FORMATS, **VIDEO_FORMATS}[suffix][1]
    return "stereo" if codec == "libmp3lame" and len(av.AudioLayout(layout).channels) > 2 else layout


def output_rate(suffix: str, rate: int) -> int:
    """The dub's own rate, unless the codec cannot take it (Opus is 48 kHz only; MP3 and AAC have
    fixed lists): then 48 kHz."""
    codec = {**AUDIO_FORMATS, **VIDEO_FORMATS}[suffix][1]
    if codec == "libopus" or (codec == "libmp3lame" and rate not in _MP3_RATES) \
            or (codec == "aac" and rate not in _AAC_RATES):
        return 48_000
    return rate


def resampled(blocks: Iterator[np.ndarray], rate: int, out_rate: int, out_len: int,
              channels: int = 1) -> Iterator[np.ndarray]:
    """Blocks converted to ``out_rate`` (soxr stream, delay-compensated), exactly ``out_len`` long."""
    if rate == out_rate:
        yield from blocks
        return
    import soxr

    stream = soxr.ResampleStream(rate, out_rate, channels, dtype="float32", quality="HQ")
    done = 0
    for block in blocks:  # soxr takes samples x channels
        part = stream.resample_chunk(np.ascontiguousarray(block.T), last=False)[: out_len - done]
        done += len(part)
        yield part.T.reshape(channels, -1)
    tail = stream.resample_chunk(np.zeros((0, channels), np.float32), last=True)[: out_len - done]
    done += len(tail)
    yield tail.T.reshape(channels, -1)
    if done < out_len:
        yield np.zeros((channels, out_len - done), np.float32)


def _frames(blocks: Iterator[np.ndarray], rate: int, first: int, s16: bool, layout: str) -> Iterator[av.AudioFrame]:
    pts = first
    for block in blocks:
        for start in range(0, block.shape[1], 4096):
            piece = np.clip(block[:, start: start + 4096], -1.0, 1.0)
            if s16:  # packed: the channels interleaved in one row
                packed = (piece.T * 32767).astype(np.int16).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(packed, format="s16", layout=layout)
            else:
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(piece, np.float32), format="fltp",
                                                   layout=layout)
            frame.sample_rate = rate
            frame.pts = pts
            frame.time_base = fractions.Fraction(1, rate)
            pts += piece.shape[1]
            yield frame


def write_audio(blocks: Iterator[np.ndarray], rate: int, path: Path, suffix: str, layout: str = "mono") -> None:
    fmt, codec = AUDIO_FORMATS[suffix]
    with av.open(str(path), "w", format=fmt) as dst:
        stream = dst.add_stream(codec, rate=rate, layout=output_layout(suffix, layout))
        if codec in ("aac", "libmp3lame"):
            stream.bit_rate = AUDIO_BITRATE
        for frame in _frames(blocks, rate, 0, codec in ("pcm_s16le", "flac"), layout):
            dst.mux(stream.encode(frame))
        dst.mux(stream.encode(None))


def mux_video(original: Path, blocks: Iterator[np.ndarray], rate: int, path: Path, suffix: str,
              layout: str = "mono") -> int:
    """``path`` = the video stream of ``original`` (no re-encode) + the dub; returns packets copied."""
    fmt, codec = VIDEO_FORMATS[suffix]
    with av.open(str(original)) as src, av.open(str(path), "w", format=fmt) as dst:
        return copy_video_with_audio(src, dst, codec, rate, lambda first: _frames(blocks, rate, first, False, layout),
                                     layout)
