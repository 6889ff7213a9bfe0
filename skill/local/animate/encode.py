"""The output file: H.264 yuv420p video and the dialogue as AAC, streamed through PyAV.

Audio is decoded from the dialogue file as the video advances and muxed in time order, so a long
dialogue never sits in memory. FFmpeg's AAC encoder primes with 1024 samples; its first packet
carries a negative timestamp and the MP4 muxer turns that into an edit list, which players and
decoders (FFmpeg, browsers, QuickTime) honour: the first heard sample is the dialogue's sample 0
at time 0. ``+faststart`` moves the index to the front so the file plays while downloading.

H.264 encoder: the FFmpeg in PyAV's wheel ships libx264 (GPL-2.0-or-later, as PyAV distributes
it) and no libopenh264; a PyAV built with OpenH264 (BSD) is preferred when present.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, cast

import av
import numpy as np

from skill.errors import MediaError

if TYPE_CHECKING:
    from av.video.stream import VideoStream

# Rates the AAC encoder takes; any other dialogue rate is resampled to 48 kHz.
_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
_ENCODERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("libopenh264", {"rc_mode": "quality", "allow_skip_frames": "0"}),
    # crf 18 is visually lossless for flat drawings. veryfast up to 720p30; above, superfast, which
    # measured twice as fast at 1080p30 on 2 cores (files ~2× larger) and keeps 1080p30 above real time.
    ("libx264", {"preset": "veryfast", "crf": "18", "profile": "high"}),
)
_FAST_ABOVE = 1280 * 720 * 30  # pixels per second


def h264_encoder(pixels_per_second: float = 0.0) -> tuple[str, dict[str, str]]:
    available = av.codecs_available
    for name, options in _ENCODERS:
        if name in available:
            chosen = dict(options)
            if name == "libx264" and pixels_per_second > _FAST_ABOVE:
                chosen["preset"] = "superfast"
            return name, chosen
    raise RuntimeError("PyAV's FFmpeg has no H.264 encoder")


class DialogueAudio:
    """The dialogue's first audio stream, decoded and resampled lazily, in AAC-ready frames."""

    def __init__(self, path: Path) -> None:
        self._container = av.open(str(path))
        if not self._container.streams.audio:
            self._container.close()
            raise MediaError("errors/animate_no_audio", file=str(path))
        stream = self._container.streams.audio[0]
        rate = stream.rate or 48000
        self.rate = rate if rate in _AAC_RATES else 48000
        self.layout = "mono" if (stream.channels or 1) == 1 else "stereo"
        self._stream = stream
        self._resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=self.rate)
        self._frames = self._decode()
        self.samples = 0  # handed out so far

    def _decode(self) -> Iterator[av.AudioFrame]:
        first = True
        # The container clock starts at its earliest stream (skill.media.decode, which the mouth
        # cues are computed from, does the same): sound that starts after the picture in a video
        # starts that late here too.
        zero = (self._container.start_time or 0) / av.time_base
        for frame in self._container.decode(self._stream):
            late = (frame.time - zero) if first and frame.time is not None else 0.0
            if late > 0.001:
                yield self._silence(round(late * self.rate))
            first = False
            frame.pts = None  # timestamps are rebuilt from the sample count: sample 0 is time 0
            yield from self._resampler.resample(frame)
        yield from self._resampler.resample(None)

    def _silence(self, samples: int) -> av.AudioFrame:
        channels = 1 if self.layout == "mono" else 2
        frame = av.AudioFrame.from_ndarray(np.zeros((channels, samples), np.float32), format="fltp",
                                           layout=self.layout)
        frame.sample_rate = self.rate
        return frame

    def until(self, seconds: float) -> Iterator[av.AudioFrame]:
        """Frames up to (at least) ``seconds`` of audio from the start."""
        while self.samples < seconds * self.rate:
            frame = next(self._frames, None)
            if frame is None:
                return
            frame.pts = self.samples
            frame.time_base = Fraction(1, self.rate)
            self.samples += frame.samples
            yield frame

    def close(self) -> None:
        self._container.close()


class Writer:
    """Opens ``path`` for writing; ``add`` each picture in order, then ``finish``."""

    def __init__(self, path: Path, width: int, height: int, fps: Fraction, audio: DialogueAudio) -> None:
        fmt = "mov" if path.suffix.lower() == ".mov" else "mp4"
        self._out = av.open(str(path), "w", format=fmt, options={"movflags": "+faststart"})
        name, options = h264_encoder(width * height * float(fps))
        self.encoder = name
        self._video = cast("VideoStream", self._out.add_stream(name, rate=fps, options=options))
        self._video.width, self._video.height = width, height
        self._video.pix_fmt = "yuv420p"
        # Kept apart: once the header is written the stream's time_base becomes the muxer's (1/12288).
        self._frame_time_base = 1 / fps
        self._video.time_base = self._frame_time_base
        self._audio = audio
        self._aac = self._out.add_stream("aac", rate=audio.rate, layout=audio.layout)
        self._aac.bit_rate = 96_000 if audio.layout == "mono" else 160_000
        self._fps = fps
        self.frames = 0

    def add(self, frame: av.VideoFrame) -> None:
        # Audio first, up to the end of this picture: the muxer then interleaves in time order.
        end = float((self.frames + 1) / self._fps)
        for chunk in self._audio.until(end):
            self._out.mux(self._aac.encode(chunk))
        frame.pts = self.frames
        frame.time_base = self._frame_time_base
        self._out.mux(self._video.encode(frame))
        self.frames += 1

    def finish(self) -> float:
        """Flush both encoders (the rest of the dialogue included); the dialogue's length in seconds."""
        for chunk in self._audio.until(float("inf")):
            self._out.mux(self._aac.encode(chunk))
        self._out.mux(self._aac.encode(None))
        self._out.mux(self._video.encode(None))
        self._out.close()
        return self._audio.samples / self._audio.rate

    def abort(self) -> None:
        with contextlib.suppress(av.FFmpegError, OSError):  # already failing: the caller removes the file
            self._out.close()

