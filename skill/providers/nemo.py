"""NemoVideo as a provider: upload the inputs, ask the editing agent for the lip-sync, export.

This composes the same three steps a person would chat through (``upload``, one edit turn,
``export``), so ``talk``/``dub`` behave the same on every backend. The call delivers the file,
like the NIM; its waits follow the ``LIP_SYNC_VIDEO_*_SECONDS`` settings of the NemoVideo client
rather than ``--timeout``, because an edit turn must never be cut and re-sent (it may be billed).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from skill.errors import ProviderError
from skill.providers import MODES
from skill.providers.base import JobRequest, JobState, require_inputs
from skill.replies import render

if TYPE_CHECKING:
    from skill.app import App

ROLES = {"talk": ("image", "audio"), "dub": ("video", "audio")}


def _name(value: str) -> str:
    return PurePosixPath(urlsplit(value).path).name if value.startswith(("http://", "https://")) else Path(value).name


class NemoProvider:
    name = "nemo"
    modes = MODES["nemo"]
    kind = "stream"

    def __init__(self, app: App) -> None:
        self.app = app

    @classmethod
    def from_app(cls, app: App, **_: Any) -> NemoProvider:
        return cls(app)

    def default_model(self, mode: str) -> str:
        return "nemovideo"

    def check(self, request: JobRequest) -> float | None:
        require_inputs(request, ROLES[request.mode])
        return None  # billed in NemoVideo credits, known only after the agent has planned the edit

    def run(self, request: JobRequest, output: Path | None, timeout: float) -> JobState:
        from skill.handlers.edit import run_turn
        from skill.handlers.export import export, place
        from skill.handlers.upload import upload

        sources = [request.inputs[role] for role in ROLES[request.mode]]
        upload(self.app, sources)
        names = {role: _name(request.inputs[role]) for role in ROLES[request.mode]}
        turn = run_turn(self.app, render(f"jobs/nemo_{request.mode}", self.app.lang, **names))
        if not turn.ok:  # never retryable: sending the turn again would charge it twice
            raise ProviderError("errors/provider_nemo_turn", outcome=turn.data.get("outcome", "?"))
        if turn.media:  # the agent's "click Export" was acted on inside the turn: that render is the result
            path = str(place(Path(turn.media[0]), output))
        else:
            exported = export(self.app, output)
            if not exported.ok:
                raise ProviderError("errors/provider_nemo_nothing")
            path = str(exported.data["path"])
        return JobState("succeeded", outputs=[path], result={"video": {"path": path},
                                                            "agent_reply": turn.text(self.app.lang)})

    def close(self) -> None:
        """The NemoVideo client belongs to the App, which closes it."""
