"""NVIDIA LipSync NIM over gRPC bidirectional streaming (``--target host:port``).

The request stream is one ``LipsyncConfig`` and then 64 KiB chunks of video, audio, optional
background audio and speaker boxes (2048 frames a message), interleaved as NVIDIA's own client
does. The NIM streams the output video back, with keepalives while it works. There is no job id
to come back to: the call *is* the job, so ``--async``/``--status`` do not apply.

The NIM streams only "faststart" MP4 (``moov`` before ``mdat``), H.264 at a constant frame rate;
anything else it processes in the slower transactional mode, or refuses (VFR, other codecs).
``grpc`` is imported lazily: it is the optional ``nim`` extra.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, BaseModel, Field, ValidationError

from skill import env
from skill.console import Events
from skill.errors import MediaError, ProviderError, UsageError, write_failed
from skill.media.download import result_path
from skill.media.names import is_web_url
from skill.providers.base import JobRequest, JobState, require_inputs
from skill.providers.mp4_checks import is_constant_frame_rate, is_faststart
from skill.redact import register_secret

if TYPE_CHECKING:
    from skill.nemo.context import NemoContext

DEFAULT_TARGET = "127.0.0.1:8001"
CHUNK_SIZE = 64 * 1024
SPEAKER_BATCH = 2048
AUDIO_CODECS = {".wav": "AUDIO_CODEC_WAV", ".mp3": "AUDIO_CODEC_MP3", ".opus": "AUDIO_CODEC_OPUS"}
EXTEND_AUDIO = {"unspecified": "EXTEND_AUDIO_UNSPECIFIED", "silence": "EXTEND_AUDIO_SILENCE"}
EXTEND_VIDEO = {"unspecified": "EXTEND_VIDEO_UNSPECIFIED", "forward": "EXTEND_VIDEO_FORWARD",
                "reverse": "EXTEND_VIDEO_REVERSE"}
OUTPUT_AUDIO = {"opus": "AUDIO_CODEC_OPUS", "mp3": "AUDIO_CODEC_MP3"}


class _Speaker(BaseModel):
    bbox: tuple[float, float, float, float]  # x, y, width, height in pixels
    speaker_id: int = Field(0, validation_alias=AliasChoices("speaker_id", "face_tracker_id"))
    is_speaking: bool = True


class _Frame(BaseModel):
    speakers: list[_Speaker] = []
    bypass: bool = False


class SpeakerData(BaseModel):
    """The README's speaker JSON: one entry per frame, in order; no speakers means auto-detect."""

    frames: list[_Frame]


def load_speakers(path: Path) -> SpeakerData:
    try:
        return SpeakerData.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError("errors/provider_speaker_json", name=path.name, reason=type(exc).__name__) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise UsageError("errors/provider_speaker_json", name=path.name, reason=f"{where}: {first['msg']}") from None


def speaker_frames(data: SpeakerData) -> list[Any]:
    from skill.providers.nim_pb import lipsync_pb2 as pb

    frames = []
    for index, frame in enumerate(data.frames):
        speakers = frame.speakers or [_Speaker(bbox=(0, 0, 0, 0), speaker_id=0)]  # a zero box asks the NIM to detect
        infos = [pb.SpeakerInfo(speaker_bbox=pb.BoundingBox(x=s.bbox[0], y=s.bbox[1], width=s.bbox[2],
                                                           height=s.bbox[3]),
                                speaker_id=s.speaker_id, is_speaking=s.is_speaking) for s in speakers]
        frames.append(pb.SpeakerInfoPerFrame(frame_id=index, speaker_infos=infos, bypass=frame.bypass))
    return frames


def build_config(options: dict[str, Any], audio: Path, has_speakers: bool) -> Any:
    from skill.providers.nim_pb import lipsync_pb2 as pb

    if options.get("lossless"):
        encoding = pb.VideoEncoding(lossless=True)
    else:
        encoding = pb.VideoEncoding(lossy=pb.LossyEncoding(bitrate_mbps=int(options.get("bitrate") or 30),
                                                           idr_interval=int(options.get("idr_interval") or 8)))
    config = pb.LipsyncConfig(
        input_audio_codec=AUDIO_CODECS[audio.suffix.lower()],
        is_speaker_info_provided=has_speakers,
        extend_audio=EXTEND_AUDIO[options.get("extend_audio") or "unspecified"],
        extend_video=EXTEND_VIDEO[options.get("extend_video") or "unspecified"],
        output_video_encoding=encoding,
        output_audio_codec=OUTPUT_AUDIO[options.get("output_audio_codec") or "opus"],
    )
    if options.get("head_movement_speed") is not None:
        config.head_movement_speed = int(options["head_movement_speed"])
    background = options.get("background_audio")
    if background:
        config.background_audio_config.CopyFrom(pb.BackgroundAudioConfig(
            is_background_audio_provided=True, audio_codec=AUDIO_CODECS[Path(background).suffix.lower()],
            audio_volume=float(options.get("background_volume", 0.5))))
    return config


def request_stream(config: Any, video: Path, audio: Path, background: Path | None,
                   frames: list[Any]) -> Iterator[Any]:
    """Config first, then every input interleaved chunk by chunk so the NIM can start early."""
    from skill.providers.nim_pb import lipsync_pb2 as pb

    yield pb.LipsyncRequest(config=config)
    with contextlib.ExitStack() as stack:
        sources = {"video_file_data": stack.enter_context(video.open("rb")),
                   "audio_file_data": stack.enter_context(audio.open("rb"))}
        if background is not None:
            sources["background_audio_file_data"] = stack.enter_context(background.open("rb"))
        pending = list(frames)
        while sources or pending:
            fields: dict[str, Any] = {}
            for name, handle in list(sources.items()):
                chunk = handle.read(CHUNK_SIZE)
                if chunk:
                    fields[name] = chunk
                else:
                    del sources[name]
            if pending:
                fields["per_frame_speaker_infos"], pending = pending[:SPEAKER_BATCH], pending[SPEAKER_BATCH:]
            if fields:
                yield pb.LipsyncRequest(input=pb.LipsyncInputData(**fields))


def _rpc_error(exc: Any, timeout: float) -> ProviderError:
    import grpc

    code = exc.code()
    details = (exc.details() or "")[:300]
    if code == grpc.StatusCode.UNAVAILABLE:
        return ProviderError("errors/provider_unreachable", retryable=True, provider="nim", reason=code.name)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return ProviderError("errors/provider_nim_deadline", retryable=True, seconds=int(timeout))
    if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        return ProviderError("errors/provider_auth", provider="nim", env=env.NIM_TARGET.name)
    return ProviderError("errors/provider_rejected", retryable=code == grpc.StatusCode.RESOURCE_EXHAUSTED,
                         provider="nim", status=code.name, message=details)


def _nvcf_credentials(target: str, tls: bool) -> list[tuple[str, str]]:
    """NVIDIA-hosted NIMs (grpc.nvcf.nvidia.com:443) want ``function-id`` and a bearer key as metadata.

    The key travels only over TLS, or to this machine (a local NIM or a test double).
    """
    key = env.read(env.NVIDIA_API_KEY) or ""
    function_id = env.read(env.NIM_FUNCTION_ID) or ""
    register_secret(key)
    if not key:
        return []
    host = target.rsplit(":", 1)[0].strip("[]")
    if not tls and host not in ("127.0.0.1", "localhost", "::1"):
        raise ProviderError("errors/provider_nim_key_plaintext", target=target)
    return [("authorization", f"Bearer {key}"), *([("function-id", function_id)] if function_id else [])]


class NimProvider:
    name = "nim"
    kind = "stream"

    def __init__(self, target: str, events: Events, *, tls: bool = False,
                 credentials: list[tuple[str, str]] | None = None) -> None:
        self.target = target
        self.events = events
        self.tls = tls
        self.credentials = credentials or []  # NVCF metadata: function-id and the bearer API key

    @classmethod
    def from_app(cls, app: NemoContext, target: str | None = None, tls: bool = False, **_: Any) -> NimProvider:
        try:
            import grpc  # noqa: F401  (the optional "nim" extra: fail here, before any work)

            from skill.providers.nim_pb import lipsync_pb2  # noqa: F401
        except ImportError:
            raise ProviderError("errors/provider_nim_extra") from None
        target = target or env.read(env.NIM_TARGET) or DEFAULT_TARGET
        tls = tls or target.endswith(":443")
        return cls(target, app.events, tls=tls, credentials=_nvcf_credentials(target, tls))

    def default_model(self, mode: str) -> str:
        return "nvidia/lipsync"

    def check(self, request: JobRequest) -> float | None:
        """Local files only (the NIM receives bytes), in the formats and modes it supports."""
        from skill.media.probe import probe

        video, audio = self._local(request, "video"), self._local(request, "audio")
        if video.suffix.lower() != ".mp4":
            raise MediaError("errors/provider_nim_format", name=video.name, allowed=".mp4")
        for path in (audio, *([Path(request.options["background_audio"])]
                              if request.options.get("background_audio") else [])):
            if path.suffix.lower() not in AUDIO_CODECS:
                raise MediaError("errors/provider_nim_format", name=path.name, allowed=", ".join(AUDIO_CODECS))
        info = probe(video)
        if info.video_codec != "h264" or not is_constant_frame_rate(video):
            raise MediaError("errors/provider_nim_not_cfr_h264", name=video.name, codec=info.video_codec or "?")
        if not is_faststart(video):
            self.events.notice("jobs/nim_transactional", name=video.name)
        elif request.options.get("extend_audio") not in (None, "unspecified") or \
                request.options.get("extend_video") not in (None, "unspecified"):
            self.events.notice("jobs/nim_extend_streaming")
        background = request.options.get("background_audio")
        if background:
            rates = probe(audio).sample_rate, probe(Path(background)).sample_rate
            if rates[0] != rates[1]:
                raise MediaError("errors/provider_nim_sample_rates", speech=rates[0], background=rates[1])
        volume = float(request.options.get("background_volume", 0.5))
        if not 0.0 <= volume <= 1.0:
            raise UsageError("errors/provider_bad_option", option="--background-audio-volume", value=volume,
                             allowed="0..1")
        return None  # self-hosted: no per-second price

    def run(self, request: JobRequest, output: Path | None, timeout: float) -> JobState:
        """Stream the inputs, write the video to ``output`` atomically, delete partial output on failure."""
        import grpc

        from skill.providers.nim_pb import lipsync_pb2_grpc

        video, audio = self._local(request, "video"), self._local(request, "audio")
        speakers_file = request.options.get("speaker_data")
        frames = speaker_frames(load_speakers(Path(speakers_file))) if speakers_file else []
        background = Path(request.options["background_audio"]) if request.options.get("background_audio") else None
        config = build_config(request.options, audio, bool(frames))
        output = result_path(output, "lipsync_dub_output.mp4")  # the file named, or a new name
        channel = (grpc.secure_channel(self.target, grpc.ssl_channel_credentials()) if self.tls
                   else grpc.insecure_channel(self.target))
        partial = output.with_name(f".{output.name}.part")
        received = 0
        try:
            output.parent.mkdir(parents=True, exist_ok=True)  # as download() does for every other provider
            stub = lipsync_pb2_grpc.LipSyncServiceStub(channel)
            call = stub.Lipsync(request_stream(config, video, audio, background, frames), timeout=timeout,
                                metadata=[("client-session-id", str(uuid.uuid4())), *self.credentials])
            with partial.open("wb") as sink:
                for reply in call:
                    if reply.WhichOneof("stream_output") == "video_file_data":
                        sink.write(reply.video_file_data)
                        received += len(reply.video_file_data)
                        self.events.progress("jobs/nim_receiving", mb=round(received / 1_048_576, 1))
                    elif reply.WhichOneof("stream_output") == "keepalive":
                        self.events.progress("jobs/nim_working")
            if received == 0:
                raise ProviderError("errors/provider_nim_empty")
            os.replace(partial, output)
        except grpc.RpcError as exc:
            raise _rpc_error(exc, timeout) from None
        except OSError as exc:
            raise write_failed(output, exc) from None
        finally:
            with contextlib.suppress(OSError):  # never hides the error above, never skips the close
                partial.unlink()
            channel.close()
        return JobState("succeeded", outputs=[str(output)], result={"video": {"path": str(output),
                                                                             "file_size": received}})

    def close(self) -> None:
        """Channels live for one call; nothing stays open."""

    @staticmethod
    def _local(request: JobRequest, role: str) -> Path:
        require_inputs(request, (role,))
        value = request.inputs[role]
        if is_web_url(value):
            raise UsageError("errors/provider_nim_local_only", role=role)
        path = Path(value)
        if not path.is_file():
            raise UsageError("errors/provider_file_missing", name=path.name)
        return path
