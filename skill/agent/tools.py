"""Typed tools: one source of truth for every capability a model can call.

Each :class:`Tool` pairs a pydantic input model (:mod:`skill.agent.inputs`; its docstring is the
tool's description) with a function that calls the handler. From that one table come the Anthropic and OpenAI schemas,
``lip-sync-video call`` and the MCP server, so the three surfaces cannot drift apart.

:func:`invoke` never raises for a person's mistake or a backend failure: it returns the
handler's ``Reply.as_json(lang)`` (or a structured error) plus the progress lines recorded on
the way, redacted, together with the exit code the CLI should use.
"""

from __future__ import annotations

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
    JobInput,
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
def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


def _chat(app: App, data: ChatInput) -> Reply:
    from skill.handlers.chat import chat

    return chat(app, data.utterance, list(data.attachments), local=data.local, cloud=data.cloud)


def _upload(app: App, data: UploadInput) -> Reply:
    from skill.handlers.upload import upload

    return upload(app, list(data.sources))


def _credits(app: App, data: CreditsInput) -> Reply:
    from skill.handlers.account import credits

    return credits(app)


def _state(app: App, data: StateInput) -> Reply:
    from skill.handlers.account import state

    return state(app)


def _setup(app: App, data: SetupInput) -> Reply:
    from skill.handlers.account import setup

    return setup(app, new_project=data.new_project)


def _edit(app: App, data: EditInput) -> Reply:
    from skill.handlers.edit import run_turn

    return run_turn(app, data.instruction)


def _export(app: App, data: ExportInput) -> Reply:
    from skill.handlers.export import export

    return export(app, output=data.output, timing_json=_path(data.timing_json))  # str: keeps a trailing "/"


def _align(app: App, data: AlignInput) -> Reply:
    from skill.handlers.align import align

    return align(app, Path(data.video).expanduser(), Path(data.audio).expanduser(), output=_path(data.output),
                 check_only=data.check_only, timing_json=_path(data.timing_json))


def _mouth_cues(app: App, data: MouthCuesInput) -> Reply:
    from skill.handlers.mouth_cues import mouth_cues

    return mouth_cues(app, [Path(p).expanduser() for p in data.inputs], text=data.text,
                      text_file=_path(data.text_file), fmt=data.format, output=data.output, fps=data.fps,
                      extended_shapes=data.extended_shapes, preston_blair=data.preston_blair)


def _animate(app: App, data: AnimateInput) -> Reply:
    from skill.handlers.animate import animate

    box = tuple(data.mouth_box) if data.mouth_box is not None else None
    return animate(app, Path(data.character).expanduser(), Path(data.audio).expanduser(), mouths=_path(data.mouths),
                   mouth_box=box, text=data.text, fps=data.fps, preview=data.preview,  # type: ignore[arg-type]
                   output=_path(data.output))


def _face_check(app: App, data: FaceCheckInput) -> Reply:
    from skill.handlers.face_check import face_check

    return face_check(app, Path(data.video).expanduser())


def _fit(app: App, data: FitInput) -> Reply:
    from skill.handlers.fit import fit

    return fit(app, Path(data.original).expanduser(), Path(data.dub).expanduser(), output=_path(data.output),
               max_stretch=data.max_stretch)


def _batch(app: App, data: BatchInput) -> Reply:
    from skill.handlers.batch import batch

    return batch(app, Path(data.manifest).expanduser(), jobs=data.jobs)


def _job_settings(data: JobInput) -> tuple[Any, Any]:
    from skill.handlers.jobs import JobSpec, WaitOptions

    spec = JobSpec(provider=data.provider, model=data.model, options=dict(data.options))
    return spec, WaitOptions(wait=data.wait, timeout=data.timeout, output=_path(data.output))


def _talk(app: App, data: TalkInput) -> Reply:
    from skill.handlers.jobs import talk

    return talk(app, data.image, data.audio, *_job_settings(data))


def _motion(app: App, data: MotionInput) -> Reply:
    from skill.handlers.jobs import motion

    return motion(app, data.image, data.video, *_job_settings(data))


def _dub(app: App, data: DubInput) -> Reply:
    from skill.handlers.jobs import dub

    return dub(app, data.video, data.audio, *_job_settings(data), fit_stretch=1.25 if data.fit else None)


def _job(app: App, data: JobCheckInput) -> Reply:
    from skill.handlers.jobs import job_cancel, job_result, job_status

    if data.action == "result":
        return job_result(app, data.job_id, output=_path(data.output))
    if data.action == "cancel":
        return job_cancel(app, data.job_id)
    return job_status(app, data.job_id)


@dataclass(frozen=True)
class Tool:
    name: str
    model: type[ToolInput]
    run: Callable[[App, Any], Reply]

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
    Tool("chat", ChatInput, _chat), Tool("upload", UploadInput, _upload), Tool("credits", CreditsInput, _credits),
    Tool("state", StateInput, _state), Tool("setup", SetupInput, _setup), Tool("edit", EditInput, _edit),
    Tool("export", ExportInput, _export), Tool("align", AlignInput, _align), Tool("fit", FitInput, _fit),
    Tool("animate", AnimateInput, _animate),
    Tool("mouth_cues", MouthCuesInput, _mouth_cues), Tool("face_check", FaceCheckInput, _face_check),
    Tool("batch", BatchInput, _batch),
    Tool("talk", TalkInput, _talk), Tool("motion", MotionInput, _motion), Tool("dub", DubInput, _dub),
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
