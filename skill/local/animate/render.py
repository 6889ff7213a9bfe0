"""Cues → frame schedule → composites → encoded video with the dialogue.

A still character is converted to yuv420p once and composited once per distinct mouth drawing;
each frame then reuses one of those pictures (the encoder copies what it is given, so one frame
object can be sent many times). A clip is composited per frame, and only inside the mouth's
region. Everything streams: one picture and a few of the encoder's frames are in memory at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from skill.local.animate.box import Box, fit
from skill.local.animate.character import Character, clip_frames, even_rgb, to_yuv
from skill.local.animate.compose import Patch, Planes, composed, make_patch, planes_of, split
from skill.local.animate.encode import DialogueAudio, Writer
from skill.local.animate.mouths import MouthSet
from skill.local.animate.schedule import CueLike, frame_count, frame_shapes
from skill.local.animate.shapes import SHAPES

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Rendered:
    frames: int
    fps: Fraction
    audio_seconds: float
    composites: int  # pictures composited (a still: one per distinct drawing shown)
    encoder: str


def patches(mouths: MouthSet, box: Box, width: int, height: int) -> dict[str, Patch | None]:
    """Each shape's mouth fitted into the box and ready to blend (shapes drawn alike share one)."""
    made: dict[int, Patch | None] = {}
    out: dict[str, Patch | None] = {}
    for shape in SHAPES:
        image = mouths.images[shape]
        if id(image) not in made:
            made[id(image)] = make_patch(fit(image, box), width, height)
        out[shape] = made[id(image)]
    return out


def background(character: Character) -> Planes:
    """A still's picture as yuv420p planes (converted once)."""
    assert character.still is not None
    width, height = character.even_size()
    return split(to_yuv(even_rgb(character.still)), height, width)


def render(character: Character, dialogue: Path, cues: Sequence[CueLike], duration: float,
           mouths: MouthSet, box: Box, fps: Fraction, output: Path, progress: Progress | None = None) -> Rendered:
    """Write the video to ``output`` (the caller owns temp-file-and-rename)."""
    width, height = character.even_size()
    count = frame_count(duration, fps)
    shaped = patches(mouths, box, width, height)
    audio = DialogueAudio(dialogue)
    writer = Writer(output, width, height, fps, audio)
    composites = 0
    try:
        shapes = frame_shapes(cues, fps, count)
        if character.is_still:
            frames, composites_of = _still_frames(background(character), shaped, shapes)
        else:
            frames, composites_of = _clip_frames(character, fps, count, shaped, shapes)
        step = max(1, count // 50)
        for i, frame in enumerate(frames):
            writer.add(frame)
            if progress is not None and i % step == 0:
                progress(i / count)
        audio_seconds = writer.finish()
        composites = composites_of()
    except BaseException:
        writer.abort()
        raise
    finally:
        audio.close()
    return Rendered(count, fps, audio_seconds, composites, writer.encoder)


def _still_frames(base: Planes, shaped: dict[str, Patch | None],
                  shapes: Iterator[str]) -> tuple[Iterator[av.VideoFrame], Callable[[], int]]:
    cache: dict[int, av.VideoFrame] = {}

    def frames() -> Iterator[av.VideoFrame]:
        for shape in shapes:
            patch = shaped[shape]
            key = id(patch)
            if key not in cache:
                cache[key] = composed(base, patch)
            yield cache[key]

    return frames(), lambda: len(cache)


def _clip_frames(character: Character, fps: Fraction, count: int, shaped: dict[str, Patch | None],
                 shapes: Iterator[str]) -> tuple[Iterator[av.VideoFrame], Callable[[], int]]:
    done = [0]

    def frames() -> Iterator[av.VideoFrame]:
        for picture, shape in zip(clip_frames(character, fps, count), shapes):
            done[0] += 1
            yield composed(planes_of(picture), shaped[shape])

    return frames(), lambda: done[0]
