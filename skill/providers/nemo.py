"""NemoVideo as a provider: upload the inputs, ask the editing agent for the lip-sync, export.

This composes the same three steps a person would chat through (``upload``, one edit turn,
``export``), so ``talk``/``dub`` behave the same on every backend. The call delivers the file,
like the NIM; its waits follow the ``LIP_SYNC_VIDEO_*_SECONDS`` settings of the NemoVideo client
rather than ``--timeout``, because an edit turn must never be cut and re-sent (it may be billed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skill.errors import ProviderError
from skill.nemo import pipeline
from skill.nemo.context import NemoContext
from skill.providers.base import JobRequest, JobState, require_inputs

ROLES = {"talk": ("image", "audio"), "dub": ("video", "audio")}


class NemoProvider:
    name = "nemo"
    kind = "stream"

    def __init__(self, app: NemoContext) -> None:
        self.app = app

    @classmethod
    def from_app(cls, app: NemoContext, **_: Any) -> NemoProvider:
        return cls(app)

    def default_model(self, mode: str) -> str:
        return "nemovideo"

    def check(self, request: JobRequest) -> float | None:
        require_inputs(request, ROLES[request.mode])
        return None  # billed in NemoVideo credits, known only after the agent has planned the edit

    def run(self, request: JobRequest, output: Path | None, timeout: float) -> JobState:
        sources = [request.inputs[role] for role in ROLES[request.mode]]
        names = {role: pipeline.source_name(request.inputs[role]) for role in ROLES[request.mode]}
        instruction = pipeline.lip_sync_instruction(self.app.lang, request.mode, names)
        done = pipeline.lip_sync(self.app, sources, instruction, output)
        if not done.turn.ok:  # never retryable: sending the turn again would charge it twice
            raise ProviderError("errors/provider_nemo_turn", outcome=done.turn.data.get("outcome", "?"))
        if done.path is None:
            raise ProviderError("errors/provider_nemo_nothing")
        path = str(done.path)
        return JobState("succeeded", outputs=[path], result={"video": {"path": path},
                                                            "agent_reply": done.turn.text(self.app.lang)})

    def close(self) -> None:
        """The NemoVideo client belongs to the App, which closes it."""
