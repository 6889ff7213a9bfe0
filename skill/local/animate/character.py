"""The character: a still picture (PNG, JPG, WebP; transparency shown over white) or a video clip
whose picture is looped or cut to the dialogue's length, handed out as yuv420p arrays.

H.264 in yuv420p needs an even width and height: a picture with an odd one gets its last
column/row repeated, so every one of its pixels stays where it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps

from skill.errors import MediaError

BACKGROUND = (255, 255, 255)


@dataclass
class Character:
    path: Path
    width: int  # the picture's own size; the video's is even_size()
    height: int
    still: Image.Image | None  # RGB, for a still
    fps: Fraction | None = None  # the clip's
    clip_duration: float | None = None

    @property
    def is_still(self) -> bool:
        return self.still is not None

    def even_size(self) -> tuple[int, int]:
        return self.width + self.width % 2, self.height + self.height % 2


def open_character(path: Path) -> Character:
    if not path.is_file():
        raise MediaError("errors/animate_missing_file", file=str(path))
    still = _read_still(path)
    if still is not None:
        return Character(path, still.width, still.height, still)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise MediaError("errors/animate_unreadable_character", file=str(path))
            stream = container.streams.video[0]
            fps = stream.average_rate or stream.guessed_rate or Fraction(24)
            first = next(container.decode(stream), None)
            if first is None:
                raise MediaError("errors/animate_unreadable_character", file=str(path))
            width, height = first.width, first.height
            duration = (float(stream.duration * stream.time_base) if stream.duration
                        else (container.duration or 0) / av.time_base)
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        raise MediaError("errors/animate_unreadable_character", file=str(path)) from None
    return Character(path, width, height, None, Fraction(fps), duration or None)


def _read_still(path: Path) -> Image.Image | None:
    """The still's picture as RGB over white, or None when Pillow does not take it for an image.

    Pillow also reads formats that are animations (GIF, animated WebP): their first frame is used.
    """
    try:
        with Image.open(path) as image:
            image.load()
            picture = ImageOps.exif_transpose(image)  # a phone photo's "rotate 90°" tag
            rgba = picture.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
    white = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def to_yuv(rgb: np.ndarray) -> np.ndarray:
    """An RGB array (even size) as PyAV's yuv420p array, converted by swscale."""
    return av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24").reformat(
        format="yuv420p").to_ndarray()


def even_rgb(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB"))
    pad = ((0, rgb.shape[0] % 2), (0, rgb.shape[1] % 2), (0, 0))
    return np.pad(rgb, pad, mode="edge") if any(p[1] for p in pad) else rgb


def first_picture(character: Character) -> Image.Image:
    """The picture a preview shows: the still, or the clip's first frame."""
    if character.still is not None:
        return character.still
    with av.open(str(character.path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_image()


def clip_frames(character: Character, fps: Fraction, count: int) -> Iterator[av.VideoFrame]:
    """``count`` yuv420p frames at ``fps``, even-sized, to be read, not written (the decoder may
    still own them): frame i is the clip's frame showing at i/fps, the clip started again from its
    beginning each time it runs out."""
    emitted = 0
    while emitted < count:
        produced = 0
        for picture in _one_pass(character, fps, emitted, count):
            produced += 1
            emitted += 1
            yield picture
        if produced == 0:  # a clip that decodes no frame on this pass: nothing more will come
            raise MediaError("errors/animate_unreadable_character", file=str(character.path))


def _one_pass(character: Character, fps: Fraction, start_index: int, count: int) -> Iterator[av.VideoFrame]:
    """One run through the clip: the outputs from ``start_index`` whose time (on this pass's clock,
    starting where the last pass ended) falls inside the clip."""
    width, height = character.even_size()
    with av.open(str(character.path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        origin: float | None = None
        held: av.VideoFrame | None = None
        index = start_index
        pass_start = start_index / fps
        for frame in container.decode(stream):
            t = frame.time if frame.time is not None else 0.0
            origin = t if origin is None else origin
            local = t - origin
            # Every output whose time is before this frame's shows the frame held before it.
            while held is not None and index < count and float(index / fps - pass_start) < local:
                yield held
                index += 1
            if index >= count:
                return
            held = _yuv(frame, width, height)
        # Past the last frame: it stays up for one frame interval of the clip, then the clip restarts.
        end = (local + 1 / float(character.fps or fps)) if origin is not None else 0.0
        while held is not None and index < count and float(index / fps - pass_start) < end:
            yield held
            index += 1


def _yuv(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    if frame.width == width and frame.height == height:
        return frame if frame.format.name == "yuv420p" else frame.reformat(format="yuv420p")
    return av.VideoFrame.from_ndarray(even_rgb(frame.to_image()), format="rgb24").reformat(format="yuv420p")
