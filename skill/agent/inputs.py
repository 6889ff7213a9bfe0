"""The typed inputs of every tool: pydantic models whose docstrings are the tools' descriptions.

:mod:`skill.agent.tools` pairs each with the handler it calls; the JSON Schemas published to models
(Anthropic, OpenAI, MCP) are generated from these classes, so a field's ``description`` is what
the calling model reads. A validated input becomes the handler's arguments by field name
(:meth:`ToolInput.arguments`); the class variables below say what the schema cannot: which fields
are local paths, and which field carries the person's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from skill.config import (
    DEFAULT_BATCH_JOBS,
    DEFAULT_JOB_TIMEOUT_SECONDS,
    DEFAULT_MAX_STRETCH,
    HARD_MAX_STRETCH,
    MAX_BATCH_JOBS,
    MAX_JOB_TIMEOUT_SECONDS,
)
from skill.providers import ProviderChoice


class ToolInput(BaseModel):
    """Base of every tool input: unknown keys are refused so that a typo is reported, not ignored."""

    # strict: what the JSON Schema refuses, validation refuses too ("yes" is not a boolean).
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    # The field whose text tells the person's language, for tools that carry their words.
    language_field: ClassVar[str | None] = None
    # Fields the handler takes as a Path (``~`` expanded). The schema keeps them strings, and a str
    # field not listed here reaches the handler as it is (a link, or export's "folder/" with its slash).
    path_fields: ClassVar[tuple[str, ...]] = ()
    # A field whose handler parameter has another name (the schema's word vs the Python one).
    parameter_names: ClassVar[Mapping[str, str]] = {}

    def arguments(self, positional: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, Any]]:
        """The handler's arguments after the App: the fields named in ``positional`` in that order,
        then every other field by its name (or its ``parameter_names`` entry)."""
        named = {name: self._argument(name) for name in type(self).model_fields}
        args = [named.pop(name) for name in positional]
        return args, {self.parameter_names.get(name, name): value for name, value in named.items()}

    def _argument(self, name: str) -> Any:
        value = getattr(self, name)
        if name not in self.path_fields or not value:
            return value
        if isinstance(value, list):
            return [Path(item).expanduser() for item in value]
        return Path(value).expanduser()


# -- inputs ---------------------------------------------------------------------------------------
class ChatInput(ToolInput):
    """Say something to the lip-sync video assistant exactly as the person said it (any language:
    "sync my Spanish voiceover to this clip", "导出", "how many credits do I have?"). It routes the
    request (upload, edit, export, credits, offline sync fix, ...) and returns the reply to relay.
    Prefer this tool when unsure which other tool fits."""

    language_field: ClassVar[str | None] = "utterance"
    utterance: str = Field(min_length=1, description="The person's words, verbatim.")
    attachments: list[str] = Field(default_factory=list,
                                   description="Local file paths or http(s) URLs the person attached.")
    local: bool = Field(False, description="Force a sync fix onto this machine (it is the default for two local "
                                           "files anyway).")
    cloud: bool = Field(False, description="Send a sync fix to the cloud lip-sync instead of fixing it on this "
                                           "machine (only when the person asks for the cloud).")


class UploadInput(ToolInput):
    """Upload video, audio or image files (local paths or http(s) URLs) to the person's NemoVideo
    session so they can be edited and lip-synced. Files are checked locally before upload."""

    sources: list[str] = Field(min_length=1, description="Local file paths or http(s) URLs.")


class NoInput(ToolInput):
    """A tool without parameters."""


class CreditsInput(NoInput):
    """How many NemoVideo credits the person has left (available, frozen, total)."""


class StateInput(NoInput):
    """What is in the person's current project: the timeline in plain words, uploaded media and
    generated results."""


class SetupInput(ToolInput):
    """Connect to NemoVideo (creates a free anonymous account on first use) and report the account,
    the credits and a browser link to the project."""

    new_project: bool = Field(False, description="Start a fresh project instead of continuing the current one.")


class EditInput(ToolInput):
    """Send one editing instruction to the NemoVideo assistant for the current project ("lip-sync the
    uploaded clip to the new audio", "trim the first 2 seconds") and report what changed."""

    language_field: ClassVar[str | None] = "instruction"
    instruction: str = Field(min_length=1, description="The editing instruction, in the person's words.")


class ExportInput(ToolInput):
    """Render the current project to an MP4 and download it. Can take several minutes."""

    path_fields: ClassVar[tuple[str, ...]] = ("timing_json",)

    output: str | None = Field(None, min_length=1, description="Where to save the MP4 (default: chosen for you).")
    timing_json: str | None = Field(None, min_length=1, description="Also write a timing report JSON here.")


class AlignInput(ToolInput):
    """Fix a constant offset or slow drift between a video and an audio track offline, on this machine
    (no upload, no credits). With check_only it only measures."""

    path_fields: ClassVar[tuple[str, ...]] = ("video", "audio", "output", "timing_json")

    video: str = Field(min_length=1, description="Path of the video file.")
    audio: str = Field(min_length=1, description="Path of the audio file to sync to the video.")
    output: str | None = Field(None, min_length=1, description="Where to write the synced video.")
    check_only: bool = Field(False, description="Measure the offset and drift without writing a file.")
    timing_json: str | None = Field(None, min_length=1, description="Also write the measurements as JSON here.")


class MouthCuesInput(ToolInput):
    """Mouth shapes for animation from dialogue audio, offline on this machine (no upload, no credits):
    Rhubarb-compatible cues A-F plus G, H, X, as JSON, TSV, XML or a Moho/OpenToonz .dat keyframe file,
    for After Effects, Spine, Blender, Godot, OpenToonz or Moho. One file, several, or a folder."""

    path_fields: ClassVar[tuple[str, ...]] = ("inputs", "text_file")  # output stays a str: "-" means inline
    parameter_names: ClassVar[Mapping[str, str]] = {"format": "fmt"}

    inputs: list[str] = Field(min_length=1, description="Audio or video files (any format), or folders of them.")
    text: str | None = Field(None, min_length=1, description="What is said; guides recognition but is not "
                                                            "trusted blindly.")
    text_file: str | None = Field(None, min_length=1, description="A UTF-8 file with the dialogue.")
    format: Literal["json", "tsv", "xml", "dat"] | None = Field(None, description="Output format (default: from "
                                                                                  "the output's extension, else json).")
    output: str | None = Field(None, min_length=1, description="Output file, '-' to return it inline, or a folder "
                                                               "for several inputs.")
    fps: int = Field(24, ge=1, le=120, description="Frame rate of the .dat keyframes.")
    extended_shapes: str = Field("GHX", pattern="^[GHXghx]{0,3}$", description="Which of G, H, X may appear.")
    preston_blair: bool = Field(False, description=".dat with Preston Blair names (MBP, etc, E, AI, O, U, FV…).")


class AnimateInput(ToolInput):
    """Make a lip-synced video of a drawn or animated 2D character saying a dialogue recording, offline on
    this machine (no upload, no credits): one mouth drawing per mouth shape is swapped onto a still picture
    or a looped clip at the dialogue's mouth-cue times, and the video (H.264 MP4 with the dialogue) is
    written locally. Uses a built-in mouth set unless a folder of mouth pictures is given. For a photo of a
    real person use talk instead. preview writes one PNG with all nine mouths in place, to check the mouth
    box before rendering."""

    path_fields: ClassVar[tuple[str, ...]] = ("character", "audio", "mouths", "output")

    language_field: ClassVar[str | None] = "text"
    character: str = Field(min_length=1, description="Path of the character: a PNG/JPG/WebP picture or a video clip.")
    audio: str = Field(min_length=1, description="Path of the dialogue audio (or a video whose sound is the dialogue).")
    mouths: str | None = Field(None, min_length=1,
                               description="Folder with one picture per mouth shape, named A…H, X (Rhubarb) or "
                                           "MBP, etc, E, AI, O, U, FV, L, rest (Preston Blair). Default: built-in.")
    mouth_box: list[int] | None = Field(None, min_length=4, max_length=4,
                                        description="[x, y, width, height] of the mouth in the character's pixels "
                                                    "(default: lower centre).")
    text: str | None = Field(None, min_length=1, description="What is said, if known: guides the mouth shapes.")
    fps: float | None = Field(None, gt=0, le=120, allow_inf_nan=False,
                              description="Frame rate (default: the clip's, or 24 for a picture).")
    preview: bool = Field(False, description="Only write the PNG contact sheet of the nine mouths in place.")
    output: str | None = Field(None, min_length=1, description="Where to write the MP4 (or the preview PNG).")

    def arguments(self, positional: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, Any]]:
        """The handler takes the mouth box as a tuple (x, y, width, height)."""
        args, named = super().arguments(positional)
        if named["mouth_box"] is not None:
            named["mouth_box"] = tuple(named["mouth_box"])
        return args, named
class FaceCheckInput(ToolInput):
    """Check a video offline, on this machine (no upload, no credits): will lip-sync work on it (a real
    face found, its size, turn and light, the mouth in view; verdict ok, warn or unusable with reasons),
    and is a lip-synced result in sync (the voice against the mouth, in ms and frames; null when there
    is no face or no speech). Use before spending credits on a lip-sync, and on a lip-sync's result."""

    path_fields: ClassVar[tuple[str, ...]] = ("video",)

    video: str = Field(min_length=1, description="Path of the video file.")


class FitInput(ToolInput):
    """Fit a dub (a voice track in another language, or a re-voiced take) to the original speaker's
    phrasing offline, on this machine (no upload, no credits): each dub phrase is moved and
    time-stretched, pitch kept, to start and end where the original's does. Use it when the dub is
    longer or shorter than the video or does not follow the original's pauses, before any cloud
    lip-sync. Writes audio (.wav/.flac/.m4a/.mp3) or, for .mp4/.mov/.mkv/.webm, the original's
    video (copied untouched) with the fitted dub."""

    path_fields: ClassVar[tuple[str, ...]] = ("original", "dub", "output")

    original: str = Field(min_length=1, description="Path of the video (or audio) with the original speech.")
    dub: str = Field(min_length=1, description="Path of the new voice track.")
    output: str | None = Field(None, min_length=1, description="Where to write the result (default: chosen for you).")
    max_stretch: float = Field(DEFAULT_MAX_STRETCH, gt=1.0, le=HARD_MAX_STRETCH, allow_inf_nan=False,
                               description="Speed a phrase up or slow it down by at most this factor.")


class BatchInput(ToolInput):
    """Localize one video into several languages from a manifest file (YAML: a video and label → audio
    tracks; or CSV with label,audio[,video] rows): one lip-synced video per label. A rerun skips
    finished pairs and resumes pending renders."""

    path_fields: ClassVar[tuple[str, ...]] = ("manifest",)

    manifest: str = Field(min_length=1, description="Path of the YAML or CSV manifest file.")
    jobs: int = Field(DEFAULT_BATCH_JOBS, ge=1, le=MAX_BATCH_JOBS, description="How many pairs run at once.")




class JobInput(ToolInput):
    """Shared by the provider jobs: which service runs it and how long to wait."""

    provider: ProviderChoice = Field("auto", description="Service to use; auto picks the first one with a key "
                                                   "(fal, WaveSpeed, NVIDIA NIM), else NemoVideo.")
    model: str | None = Field(None, min_length=1, description="The provider's model id (default: its best).")
    options: dict[str, Any] = Field(default_factory=dict, description="The model's own options, e.g. resolution.")
    wait: bool = Field(True, description="Wait for the result; false returns a job_id to check with the job tool.")
    timeout: float = Field(DEFAULT_JOB_TIMEOUT_SECONDS, gt=0, le=MAX_JOB_TIMEOUT_SECONDS,
                           description="Seconds to wait before handing back the job_id.")
    output: str | None = Field(None, min_length=1, description="Where to save the MP4 (default: chosen for you).")

    path_fields: ClassVar[tuple[str, ...]] = ("output",)

    def arguments(self, positional: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, Any]]:
        """The job handlers take the service and the waiting as two objects after the media."""
        from skill.handlers.jobs import JobSpec, WaitOptions

        args, named = super().arguments(positional)
        spec = JobSpec(provider=named.pop("provider"), model=named.pop("model"), options=dict(named.pop("options")))
        how = WaitOptions(wait=named.pop("wait"), timeout=named.pop("timeout"), output=named.pop("output"))
        return [*args, spec, how], named


class TalkInput(JobInput):
    """Make a talking video from a still image (a face) and a voice recording, on a peer service
    (fal.ai, WaveSpeed, NVIDIA NIM) or NemoVideo. Paths or http(s) URLs."""

    image: str = Field(min_length=1, description="The face: image path or URL.")
    audio: str = Field(min_length=1, description="The speech: audio path or URL.")


class MotionInput(JobInput):
    """Animate a still image so it moves like a driving video (motion transfer, fal.ai). Paths or URLs."""

    image: str = Field(min_length=1, description="The image to animate: path or URL.")
    video: str = Field(min_length=1, description="The driving video: path or URL.")


class DubInput(JobInput):
    """Re-lip-sync a video to new speech (a dub or a voiceover in another language) on a peer service
    (fal.ai, WaveSpeed, NVIDIA NIM) or NemoVideo. Paths or http(s) URLs."""

    video: str = Field(min_length=1, description="The video whose lips should follow the new speech.")
    audio: str = Field(min_length=1, description="The new speech: audio path or URL.")
    fit: bool = Field(False, description="First fit the speech to the video's own pauses on this machine "
                                          "(like the fit tool), then upload the fitted voice. Local files only.")

    def arguments(self, positional: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, Any]]:
        """``fit`` asks the handler to fit the speech first, at fit's default stretch limit."""
        args, named = super().arguments(positional)
        named["fit_stretch"] = DEFAULT_MAX_STRETCH if named.pop("fit") else None
        return args, named


class JobCheckInput(ToolInput):
    """Check on a provider job started with wait=false: its status, its result (downloads the video
    when done) or cancel it."""

    job_id: str = Field(min_length=1, description="The job_id a talk, motion or dub call returned.")
    action: Literal["status", "result", "cancel"] = Field("status", description="What to do with the job.")
    output: str | None = Field(None, min_length=1, description="Where to save the MP4 (action result).")
