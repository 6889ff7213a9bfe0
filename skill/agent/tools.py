"""Typed tools: one source of truth for every capability a model can call.

Each :class:`Tool` pairs a pydantic input model (:mod:`skill.agent.inputs`; its docstring is the
tool's description) with the handler it calls, so a new capability is one entry of ``TOOLS``.
From that one table come the Anthropic and OpenAI schemas, ``lip-sync-video call`` and the MCP
server, so the three surfaces cannot drift apart.

:func:`invoke` never raises for a person's mistake or a backend failure: it returns the
handler's ``Reply.as_json(lang)`` (or a structured error) plus the progress lines recorded on
the way, redacted, together with the exit code the CLI should use.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from skill.agent.inputs import (
    AlignInput,
    AnimateInput,
    BatchInput,
    ChatInput,
    CreditsInput,
    DubInput,
    EditInput,
    ExportInput,
    FaceCheckInput,
    FitInput,
    JobCheckInput,
    MotionInput,
    MouthCuesInput,
    SetupInput,
    StateInput,
    TalkInput,
    ToolInput,
    UploadInput,
)
from skill.app import App
from skill.console import Events, RecordingEvents
from skill.errors import LipSyncError
from skill.redact import redact_obj
from skill.replies import Reply, detect_lang, render

log = logging.getLogger("skill.agent.tools")

SchemaFormat = Literal["anthropic", "openai"]


# -- calls ----------------------------------------------------------------------------------------
def _job(app: App, data: JobCheckInput) -> Reply:
    """One tool, three handlers: which one runs depends on ``action``."""
    from skill.handlers.jobs import job_cancel, job_result, job_status

    if data.action == "result":
        return job_result(app, data.job_id, output=Path(data.output).expanduser() if data.output else None)
    if data.action == "cancel":
        return job_cancel(app, data.job_id)
    return job_status(app, data.job_id)


@dataclass(frozen=True)
class Tool:
    """One capability: its name, its input model, and the handler that does it.

    ``handler`` is ``"module:function"`` (imported on the first call, so listing the tools loads no
    handler), called with the App, the fields named in ``positional`` and every other field by name
    (:meth:`ToolInput.arguments`); or a function ``(app, input) -> Reply`` for a tool that is not
    one handler call.
    """

    name: str
    model: type[ToolInput]
    handler: str | Callable[[App, Any], Reply]
    positional: tuple[str, ...] = ()

    def run(self, app: App, data: ToolInput) -> Reply:
        if callable(self.handler):
            return self.handler(app, data)
        module, _, name = self.handler.partition(":")
        args, named = data.arguments(self.positional)
        reply: Reply = getattr(importlib.import_module(module), name)(app, *args, **named)
        return reply

    @property
    def description(self) -> str:
        return " ".join((self.model.__doc__ or "").split())

    def input_schema(self) -> dict[str, Any]:
        schema = self.model.model_json_schema()
        # The description travels beside the schema; a copy inside it only costs the model tokens.
        schema.pop("description", None)
        schema.pop("title", None)
        schema.setdefault("properties", {})
        return schema


TOOLS: tuple[Tool, ...] = (
    Tool("chat", ChatInput, "skill.handlers.chat:chat", ("utterance", "attachments")),
    Tool("upload", UploadInput, "skill.handlers.upload:upload", ("sources",)),
    Tool("credits", CreditsInput, "skill.handlers.account:credits"),
    Tool("state", StateInput, "skill.handlers.account:state"),
    Tool("setup", SetupInput, "skill.handlers.account:setup"),
    Tool("edit", EditInput, "skill.handlers.edit:run_turn", ("instruction",)),
    Tool("export", ExportInput, "skill.handlers.export:export"),
    Tool("align", AlignInput, "skill.handlers.align:align", ("video", "audio")),
    Tool("fit", FitInput, "skill.handlers.fit:fit", ("original", "dub")),
    Tool("animate", AnimateInput, "skill.handlers.animate:animate", ("character", "audio")),
    Tool("mouth_cues", MouthCuesInput, "skill.handlers.mouth_cues:mouth_cues", ("inputs",)),
    Tool("face_check", FaceCheckInput, "skill.handlers.face_check:face_check", ("video",)),
    Tool("batch", BatchInput, "skill.handlers.batch:batch", ("manifest",)),
    Tool("talk", TalkInput, "skill.handlers.jobs:talk", ("image", "audio")),
    Tool("motion", MotionInput, "skill.handlers.jobs:motion", ("image", "video")),
    Tool("dub", DubInput, "skill.handlers.jobs:dub", ("video", "audio")),
    Tool("job", JobCheckInput, _job),
)


BY_NAME: dict[str, Tool] = {tool.name: tool for tool in TOOLS}


def schemas(format: SchemaFormat = "anthropic", tools: Iterable[Tool] | None = None) -> list[dict[str, Any]]:
    """Tool definitions for the Anthropic Messages API or OpenAI function calling."""
    chosen = list(TOOLS if tools is None else tools)
    if format == "anthropic":
        return [{"name": t.name, "description": t.description, "input_schema": t.input_schema()} for t in chosen]
    if format == "openai":
        return [{"type": "function",
                 "function": {"name": t.name, "description": t.description, "parameters": t.input_schema()}}
                for t in chosen]
    raise ValueError(f"unknown schema format: {format!r}")


# -- running --------------------------------------------------------------------------------------
class _Tee:
    """Events that are recorded for the result and also passed on (to the terminal or MCP)."""

    def __init__(self, recorder: RecordingEvents, outer: Events) -> None:
        self._sinks: tuple[Events, ...] = (recorder, outer)
        self.lang = recorder.lang  # the outer sink speaks the call's language too (issue 14)

    @property
    def lang(self) -> str:
        return self._sinks[0].lang

    @lang.setter
    def lang(self, value: str) -> None:
        for sink in self._sinks:
            sink.lang = value

    def notice(self, key: str, /, **params: Any) -> None:
        for sink in self._sinks:
            sink.notice(key, **params)

    def progress(self, key: str, /, fraction: float | None = None, **params: Any) -> None:
        for sink in self._sinks:
            sink.progress(key, fraction=fraction, **params)


@dataclass
class Outcome:
    """A tool's JSON result and the exit code the CLI reports for it (0, 1 handled, 2 bad input)."""

    result: dict[str, Any]
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.result.get("ok", True) is not False


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(part) for part in err["loc"]) or "(input)", "type": err["type"],
             "message": err["msg"]} for err in exc.errors(include_url=False, include_input=False)]


def _say(key: str, lang: str, params: dict[str, Any]) -> str:
    try:
        return render(key, lang, **params)
    except Exception:  # a missing or broken template must not hide the failure itself
        log.debug("cannot render %s", key, exc_info=True)
        return key


def _failure(key: str, lang: str, exit_code: int, **params: Any) -> Outcome:
    result: dict[str, Any] = {"ok": False, "error": key, "reply": _say(key, lang, params)}
    if "problems" in params:
        result["problems"] = params["problems"]
    return Outcome(result, exit_code)


def invoke(name: str, input: Any, app: App, lang: str | None = None, *,
           events: Events | None = None) -> Outcome:
    """Validate ``input`` for tool ``name``, run its handler and return the outcome.

    ``lang`` wins; otherwise the language of the person's words in the input; otherwise
    ``app.lang``. ``events`` (default ``app.events``) also receives every notice and progress line.
    """
    tool = BY_NAME.get(name)
    if tool is None:
        shown = name if len(name) <= 80 else name[:77] + "..."  # a hostile name is not echoed back whole
        return _redacted(_failure("errors/agent_unknown_tool", lang or app.lang, 2, name=shown, known=sorted(BY_NAME)))
    if not isinstance(input, dict):
        return _redacted(_failure("errors/agent_input_not_object", lang or app.lang, 2, name=name))
    field = tool.model.language_field
    if lang is None:
        lang = detect_lang(input.get(field) if field and isinstance(input.get(field), str) else None,
                           default=app.lang)
    try:
        data = tool.model.model_validate(input)
    except ValidationError as exc:
        return _redacted(_failure("errors/agent_invalid_input", lang, 2, name=name, problems=_problems(exc)))

    recorder = RecordingEvents(lang)
    run_app = App(app.settings, _Tee(recorder, events or app.events), lang=lang, verbose=app.verbose)
    try:
        reply = tool.run(run_app, data)
        outcome = Outcome(reply.as_json(lang), 0 if reply.ok else 1)
    except LipSyncError as exc:
        log.debug("tool %s failed", name, exc_info=True)
        outcome = _failure(exc.message_key, exc.lang or lang, exc.exit_code, **exc.params)
        outcome.result["retryable"] = exc.retryable
    except Exception as exc:  # a bug in a handler: one clear line, the redacted traceback only in the log
        log.debug("tool %s crashed", name, exc_info=True)
        outcome = _failure("errors/internal", lang, 1, kind=type(exc).__name__)
    finally:
        run_app.close()
    outcome.result["progress"] = list(recorder.lines)
    return _redacted(outcome)


def _redacted(outcome: Outcome) -> Outcome:
    # A result is addressed to the person (like the CLI's stdout), so a published claim link stays.
    return Outcome(redact_obj(outcome.result, published=True), outcome.exit_code)


def call(name: str, input: dict[str, Any], app: App, lang: str | None = None) -> dict[str, Any]:
    """Run tool ``name`` and return its JSON result (``ok`` tells success); never raises for bad input."""
    return invoke(name, input, app, lang).result
