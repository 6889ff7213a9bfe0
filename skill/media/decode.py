"""Decode any file's first audio stream to mono float32 on the container clock.

Sample 0 of the result is container time 0, like ffmpeg's ``aresample=async=1:first_pts=0``: a
stream that starts late is preceded by silence, and gaps in the timestamps are filled with
silence, so a late start is measured as the offset it really is. Frames are collected at their
own rate and converted once with soxr, which is delay-compensated (it moves no event in time) and
far cheaper than a resampler call per 1024-sample frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soxr

if TYPE_CHECKING:
    import av

from skill.errors import AlignmentError, MediaError

ANALYSIS_RATE = 16_000
# Timestamp jitter below this is normal packetisation, not a gap worth filling.
GAP_SECONDS = 0.010
_INTEGER_SCALE = {np.dtype(np.int16): 32768.0, np.dtype(np.int32): 2147483648.0, np.dtype(np.uint8): 128.0}


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # float32 mono, sample 0 = container time 0
    rate: int
    native_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def _plane(frame: av.AudioFrame) -> np.ndarray:
    """A mono float frame (AAC, Opus, MP3 decoders' fltp) as a view of its plane: to_ndarray's
    vstack and per-frame format checks cost more than decoding (0.5 s per hour of AAC)."""
    # PyAV's stubs do not declare the buffer protocol its planes implement.
    return np.frombuffer(frame.planes[0], np.float32, frame.samples)  # type: ignore[call-overload]


def frame_channels(frame: av.AudioFrame) -> np.ndarray:
    """Any decoded frame (integer or float, planar or packed) as float32 in -1..1, one row per channel."""
    if frame.format.name == "fltp":  # AAC, Opus, MP3: the planes as they are (see ``_plane``)
        planes = frame.planes
        if len(planes) == 1:
            return _plane(frame)[None]
        return np.stack([np.frombuffer(plane, np.float32, frame.samples)  # type: ignore[call-overload]
                         for plane in planes])
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        data = data.reshape(-1, channels).T
    if data.dtype == np.uint8:
        data = data.astype(np.float32) - 128.0
    scale = _INTEGER_SCALE.get(data.dtype, 1.0)
    out = data.astype(np.float32)
    if scale != 1.0:
        out *= np.float32(1 / scale)
    return out


def frame_mono(frame: av.AudioFrame) -> np.ndarray:
    """Any decoded frame (integer or float, planar or packed, any channels) as mono float32 in -1..1."""
    channels = frame_channels(frame)
    return channels[0] if len(channels) == 1 else channels.mean(axis=0, dtype=np.float32)


class _Collect:
    """Keeps every chunk at the stream's own rate."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []

    def add(self, chunk: np.ndarray, rate: int) -> None:
        self.chunks.append(chunk)

    def finish(self, rate: int) -> DecodedAudio:
        samples = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)
        return DecodedAudio(samples, rate, rate)


class _Downsample:
    """Converts to the analysis rate while decoding (soxr's stream is delay-compensated too), so
    an hour of 48 kHz audio never sits in memory at full rate. Output goes into one buffer sized
    from the expected duration: a list of chunks joined at the end held the hour twice and cost
    0.3 s of copying."""

    _BLOCK = 1 << 16

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.stream: soxr.ResampleStream | None = None
        self.pending: list[np.ndarray] = []
        self.pending_len = 0
        self.buffer = np.empty(rate * 60, np.float32)
        self.filled = 0
        self.native_rate = 0

    def expect(self, seconds: float) -> None:
        """Size the buffer for a stream of about this length (one second of slack)."""
        if seconds > 0 and self.filled == 0:
            self.buffer = np.empty(int((seconds + 1) * self.rate), np.float32)

    def add(self, chunk: np.ndarray, rate: int) -> None:
        self.pending.append(chunk)
        self.pending_len += len(chunk)
        if self.pending_len >= self._BLOCK:
            self._flush(rate, last=False)

    def _flush(self, rate: int, last: bool) -> None:
        if self.stream is None:
            self.native_rate = rate
            self.stream = soxr.ResampleStream(rate, self.rate, 1, dtype="float32", quality="HQ")
        block = np.concatenate(self.pending) if self.pending else np.zeros(0, np.float32)
        self._emit(self.stream.resample_chunk(block, last=last))
        self.pending, self.pending_len = [], 0

    def _emit(self, out: np.ndarray) -> None:
        end = self.filled + len(out)
        if end > len(self.buffer):  # the duration was unknown or wrong: grow geometrically
            grown = np.empty(max(end, int(len(self.buffer) * 1.5)), np.float32)
            grown[: self.filled] = self.buffer[: self.filled]
            self.buffer = grown
        self.buffer[self.filled: end] = out
        self.filled = end

    def finish(self, rate: int) -> DecodedAudio:
        self._flush(rate, last=True)
        samples = self.buffer[: self.filled]
        if len(self.buffer) > 1.1 * self.filled + self.rate:  # much slack: do not keep it alive
            samples = samples.copy()
        return DecodedAudio(samples, self.rate, self.native_rate)


class _Blocks(_Downsample):
    """Hands each converted block to ``write`` instead of keeping it: an hour never sits in memory."""

    def __init__(self, rate: int, write: Callable[[np.ndarray], None]) -> None:
        super().__init__(rate)
        self.buffer = np.empty(0, np.float32)
        self.write = write

    def expect(self, seconds: float) -> None:
        pass

    def _emit(self, out: np.ndarray) -> None:
        self.write(out)
        self.filled += len(out)

    def finish(self, rate: int) -> DecodedAudio:
        self._flush(rate, last=True)
        return DecodedAudio(self.buffer, self.rate, self.native_rate)


def _wav_samples(path: Path) -> _Wav | None:
    """Where the PCM data of a plain 16/32-bit integer or 32-bit float WAV is, to be read directly:
    no per-frame decode loop (1.2 s less per hour). None for anything else (24-bit, RF64,
    compressed, damaged), which the decoder reads instead."""
    import struct

    try:
        with path.open("rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            fmt: tuple[int, ...] | None = None
            while chunk := f.read(8):
                if len(chunk) < 8:
                    return None
                tag, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if tag == b"fmt ":
                    body = f.read(size + (size & 1))
                    if len(body) < 16:
                        return None
                    fmt = struct.unpack("<HHIIHH", body[:16])
                    if fmt[0] == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the sub-format
                        fmt = (struct.unpack("<H", body[24:26])[0], *fmt[1:])
                elif tag == b"data" and fmt is not None:
                    return _wav_view(path, fmt, f.tell(), size)
                else:
                    f.seek(size + (size & 1), 1)
    except OSError:
        return None
    return None


@dataclass(frozen=True)
class _Wav:
    path: Path
    dtype: np.dtype
    offset: int  # bytes to the first sample
    frames: int
    channels: int
    rate: int


def _wav_view(path: Path, fmt: tuple[int, ...], offset: int, size: int) -> _Wav | None:
    code, channels, rate, _, _, bits = fmt
    dtype = {(1, 16): "<i2", (1, 32): "<i4", (3, 32): "<f4"}.get((code, bits))
    if dtype is None or channels < 1 or rate < 1:
        return None
    frames = min(size, path.stat().st_size - offset) // (channels * bits // 8)
    return _Wav(path, np.dtype(dtype), offset, frames, channels, rate) if frames >= 1 else None


def _feed_wav(wav: _Wav, sink: _Collect | _Downsample) -> DecodedAudio:
    """Block reads rather than a memory map, whose touched pages would count as our memory."""
    if isinstance(sink, _Downsample):
        sink.expect(wav.frames / wav.rate)
    block = 1 << 20  # frames per read: amortises the calls, keeps the buffers small
    scale = _INTEGER_SCALE.get(wav.dtype.newbyteorder("="), 1.0)
    with wav.path.open("rb") as f:
        f.seek(wav.offset)
        for start in range(0, wav.frames, block):
            count = min(block, wav.frames - start)
            part = np.fromfile(f, wav.dtype, count * wav.channels).reshape(-1, wav.channels)
            mono = part[:, 0] if wav.channels == 1 else part.mean(axis=1, dtype=np.float32)
            chunk = mono.astype(np.float32)
            if scale != 1.0:
                chunk *= np.float32(1 / scale)
            sink.add(chunk, wav.rate)
    return sink.finish(wav.rate)


def _decode(path: Path, sink: _Collect | _Downsample) -> DecodedAudio:
    wav = _wav_samples(path)
    if wav is not None:
        return _feed_wav(wav, sink)
    import av  # imported here: a plain WAV never needs it, and it costs 0.2 s of start-up

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError):
        raise MediaError("errors/align_unreadable", file=path.name) from None
    with container:
        if not container.streams.audio:
            raise AlignmentError("errors/align_no_audio", file=path.name)
        stream = container.streams.audio[0]
        context = stream.codec_context
        context.thread_type = "AUTO"  # what Stream.thread_type sets: decode on every core
        planar_mono = context.format is not None and context.format.name == "fltp" and context.channels == 1
        to_mono = _plane if planar_mono else frame_mono
        rate = int(stream.sample_rate or 0)
        if isinstance(sink, _Downsample) and container.duration:
            sink.expect((container.duration + (container.start_time or 0)) / av.time_base)
        clock_zero = (container.start_time or 0) / av.time_base
        tick = float(stream.time_base or 0)  # float maths: Fraction per frame costs more than decoding
        written = 0  # samples so far, including inserted silence
        try:
            for frame in container.decode(stream):
                rate = rate or frame.sample_rate
                if frame.pts is not None and tick:
                    # a first frame before time 0 is priming the edit list already trims
                    gap = max(frame.pts * tick - clock_zero, 0.0) - written / rate
                    if gap > GAP_SECONDS or (written == 0 and gap > 0):
                        silence = round(gap * rate)
                        sink.add(np.zeros(silence, np.float32), rate)
                        written += silence
                chunk = to_mono(frame)
                sink.add(chunk, rate)
                written += len(chunk)
        except av.FFmpegError:
            raise MediaError("errors/align_unreadable", file=path.name) from None
    if not rate:
        raise MediaError("errors/align_unreadable", file=path.name)
    return sink.finish(rate)


def decode_native(path: Path) -> DecodedAudio:
    """The first audio stream, mono, at its own sample rate, on the container clock."""
    return _decode(path, _Collect())


def for_analysis(track: DecodedAudio, rate: int = ANALYSIS_RATE) -> DecodedAudio:
    """The same track at the analysis rate (soxr, delay-compensated)."""
    if track.rate == rate:
        return track
    return DecodedAudio(soxr.resample(track.samples, track.rate, rate, quality="HQ"), rate, track.native_rate)


def decode_mono(path: Path, rate: int = ANALYSIS_RATE) -> DecodedAudio:
    """The first audio stream of ``path`` as mono float32 at ``rate`` on the container clock."""
    return _decode(path, _Downsample(rate))


def decode_mono_blocks(path: Path, write: Callable[[np.ndarray], None], rate: int = ANALYSIS_RATE) -> int:
    """Like :func:`decode_mono`, the same samples, but handed to ``write`` block by block as they
    are decoded (flat memory however long the file); returns the stream's own sample rate."""
    return _decode(path, _Blocks(rate, write)).native_rate


def video_lead(path: Path) -> float:
    """Seconds from the container's time 0 to the first picture (0 without a video stream)."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.video:
            return 0.0
        stream = container.streams.video[0]
        start = float(stream.start_time * stream.time_base) \
            if stream.start_time is not None and stream.time_base is not None else 0.0
        return start - (container.start_time or 0) / av.time_base


def media_duration(path: Path) -> float:
    """The container's duration in seconds (the longest stream), 0 when unknown."""
    wav = _wav_samples(path)
    if wav is not None:  # read from its header: no decoder library to load
        return wav.frames / wav.rate
    import av

    with av.open(str(path)) as container:
        return (container.duration or 0) / av.time_base


def decode_pair(video: Path, audio: Path, keep_native: bool) -> tuple[DecodedAudio, DecodedAudio, DecodedAudio | None]:
    """Both files at the analysis rate, the second on its own thread so a free core can take it,
    plus the new audio at its own rate when it will be written out."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        ref_job = pool.submit(decode_mono, video)
        new_native = decode_native(audio) if keep_native else None
        new = for_analysis(new_native) if new_native is not None else decode_mono(audio)
        ref = ref_job.result()
    return ref, new, new_native
