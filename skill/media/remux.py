"""Writing a result file with new audio: through a hidden partial file, and with the picture of a video
copied packet for packet (no re-encode). Shared by the offline engines that write audio (``align``, ``fit``)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import av
from av.container import InputContainer, OutputContainer

from skill.errors import MediaError

AUDIO_BITRATE = 192_000
_LEAD = 0.5  # seconds of audio muxed ahead of the video packet being written (interleaving)


def partial_path(output: Path) -> Path:
    """The hidden file a result is written to before it is renamed onto ``output``."""
    return output.with_name(f".{output.stem}.partial{output.suffix}")


@contextlib.contextmanager
def partial_file(output: Path, failure_key: str) -> Iterator[Path]:
    """Yield the partial path to write; at the end it is renamed onto ``output``, on any failure removed.

    PyAV's failures, and ValueError (the container cannot hold this codec: H.264 into .webm, say),
    become ``MediaError(failure_key, file=output.name, reason=...)``; other errors pass unchanged.
    """
    partial = partial_path(output)
    try:
        yield partial
        os.replace(partial, output)
    except (av.FFmpegError, ValueError) as exc:
        raise MediaError(failure_key, file=output.name, reason=str(exc)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def copy_video_with_audio(src: InputContainer, dst: OutputContainer, codec: str, rate: int,
                          frames: Callable[[int], Iterator[av.AudioFrame]], layout: str = "mono") -> int:
    """Into ``dst``: the first video stream of ``src`` copied, then ``codec`` audio at ``rate`` in ``layout``.

    ``frames(first)`` yields the audio frames, their pts starting at ``first``: sample 0 of the audio
    is the input's time 0 (its start_time, 1.4 s in many MPEG-TS files), because the copied picture
    keeps its own timestamps. Audio is interleaved half a second ahead of the picture. Returns the
    number of video packets copied.
    """
    vin = src.streams.video[0]
    vout = dst.add_stream_from_template(vin)
    first = round((src.start_time or 0) * rate / av.time_base)
    # an audio codec's name gives an audio stream; the stubs know that only for literal names
    aout = cast(av.AudioStream, dst.add_stream(codec, rate=rate, layout=layout))
    aout.bit_rate = AUDIO_BITRATE
    audio = frames(first)
    written = 0.0  # seconds of audio handed to the encoder
    copied = 0
    for packet in src.demux(vin):
        if packet.dts is None:
            continue  # the demuxer's flush packet
        now = float(packet.dts * packet.time_base) - first / rate
        while written < now + _LEAD and (frame := next(audio, None)) is not None:
            dst.mux(aout.encode(frame))
            written += frame.samples / rate
        packet.stream = vout
        dst.mux(packet)
        copied += 1
    for frame in audio:
        dst.mux(aout.encode(frame))
    dst.mux(aout.encode(None))
    return copied
