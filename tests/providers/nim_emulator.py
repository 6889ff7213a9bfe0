"""An in-process gRPC LipSync NIM implementing our ``lipsync.proto``.

It reads the config, echoes it, gathers every input chunk, sends a keepalive, then streams the
received video back in chunks (a valid MP4 in, the same MP4 out). ``abort`` makes it fail.
"""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc

from skill.providers.nim_pb import lipsync_pb2 as pb
from skill.providers.nim_pb import lipsync_pb2_grpc

OUT_CHUNK = 32 * 1024


@dataclass
class NimState:
    configs: list[Any] = field(default_factory=list)
    video: bytearray = field(default_factory=bytearray)
    audio: bytearray = field(default_factory=bytearray)
    background: bytearray = field(default_factory=bytearray)
    frames: list[Any] = field(default_factory=list)
    messages: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    abort: tuple[grpc.StatusCode, str] | None = None
    send_nothing: bool = False

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


class _Servicer(lipsync_pb2_grpc.LipSyncServiceServicer):
    def __init__(self, state: NimState) -> None:
        self.state = state

    def Lipsync(self, request_iterator: Any, context: grpc.ServicerContext) -> Any:
        state = self.state
        state.metadata = dict(context.invocation_metadata())
        first = next(request_iterator)
        if first.WhichOneof("stream_input") != "config":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the first message must be the config")
        state.configs.append(first.config)
        yield pb.LipsyncResponse(config=first.config)
        for message in request_iterator:
            state.messages += 1
            data = message.input
            state.video += data.video_file_data
            state.audio += data.audio_file_data
            state.background += data.background_audio_file_data
            state.frames.extend(data.per_frame_speaker_infos)
        if state.abort is not None:
            context.abort(*state.abort)
        yield pb.LipsyncResponse(keepalive={})
        if state.send_nothing:
            return
        video = bytes(state.video)
        for start in range(0, len(video), OUT_CHUNK):
            yield pb.LipsyncResponse(video_file_data=video[start:start + OUT_CHUNK])


class NimServer:
    def __init__(self) -> None:
        self.state = NimState()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        lipsync_pb2_grpc.add_LipSyncServiceServicer_to_server(_Servicer(self.state), self._server)
        self.target = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"

    def start(self) -> NimServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=None)
