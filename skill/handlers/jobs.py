"""talk / motion / dub on any provider, and the job commands: status, result, cancel.

A queue provider's job is submitted once, its handle saved under the job id *before* we start
waiting, and then polled; if the wait ends (timeout, Ctrl-C, a closed laptop) the job goes on
and ``--status/--result/--cancel ID`` find it again from any later process. Stream providers
(the NIM, NemoVideo) deliver the file within the call.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.config import DEFAULT_JOB_TIMEOUT_SECONDS
from skill.errors import MediaError, ProviderError, UsageError
from skill.media.names import is_web_url
from skill.providers import create, pick
from skill.providers.base import JobHandle, JobRequest, JobState, Mode, poll_once, wait
from skill.providers.http import clause
from skill.replies import Reply

if TYPE_CHECKING:
    from skill.app import App
    from skill.providers.base import Provider


@dataclass
class WaitOptions:
    """How to wait for a provider job: the ``--async``, ``--poll-interval``, ``--timeout``, ``--logs``
    and ``--output`` flags of talk/motion/dub (and the same fields of their tools)."""

    wait: bool = True  # False is --async: return the id at once
    poll_interval: float = 5.0
    timeout: float = DEFAULT_JOB_TIMEOUT_SECONDS
    logs: bool = False
    output: Path | None = None


@dataclass
class JobSpec:
    """Which service and model, and the model's own options (resolution, turbo, NIM encoding…)."""

    provider: str = "auto"
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    provider_options: dict[str, Any] = field(default_factory=dict)  # e.g. the NIM target


def talk(app: App, image: str, audio: str, spec: JobSpec | None = None, how: WaitOptions | None = None) -> Reply:
    """A still image and a voice → a talking video."""
    return run_job(app, "talk", {"image": image, "audio": audio}, spec or JobSpec(), how or WaitOptions())


def motion(app: App, image: str, video: str, spec: JobSpec | None = None, how: WaitOptions | None = None) -> Reply:
    """A still image and a driving video → the image moving like the video."""
    return run_job(app, "motion", {"image": image, "video": video}, spec or JobSpec(), how or WaitOptions())


def dub(app: App, video: str, audio: str, spec: JobSpec | None = None, how: WaitOptions | None = None,
        fit_stretch: float | None = None) -> Reply:
    """A video and new speech → the video with lips following the new speech. With ``fit_stretch``
    the speech is first fitted to the video's own phrasing on this machine (``fit``), so the
    service gets a voice that already starts and stops where the lips do."""
    return run_job(app, "dub", {"video": video, "audio": audio}, spec or JobSpec(), how or WaitOptions(),
                   fit_stretch=fit_stretch)


def run_job(app: App, mode: Mode, inputs: dict[str, str], spec: JobSpec, how: WaitOptions,
            fit_stretch: float | None = None) -> Reply:
    for value in inputs.values():
        if not is_web_url(value) and not Path(value).is_file():
            raise MediaError("errors/provider_file_missing", name=Path(value).name or value)
    from skill.handlers import face_check

    if mode == "dub" and not is_web_url(inputs["video"]):
        face_check.gate(app, Path(inputs["video"]))  # before any upload or credit
    if fit_stretch is None or mode != "dub":
        return _run_job(app, mode, inputs, spec, how)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lip-sync-video-fit-") as folder:
        fitted = _fit_first(app, inputs, Path(folder), fit_stretch)
        reply = _run_job(app, mode, {**inputs, "audio": str(fitted.data["output"])}, spec, how)
    reply.data["fit"] = {key: fitted.data[key] for key in ("groups", "stretch_min", "stretch_max", "warnings")}
    return reply


def _fit_first(app: App, inputs: dict[str, str], folder: Path, max_stretch: float) -> Reply:
    """``fit`` on the local video and audio, into ``folder``, before anything is uploaded."""
    from skill.handlers.fit import fit

    if any(value.startswith(("http://", "https://")) for value in inputs.values()):
        raise UsageError("errors/fit_needs_local_files")
    video, audio = Path(inputs["video"]), Path(inputs["audio"])
    fitted = fit(app, video, audio, output=folder / f"{audio.stem}.fitted.wav", max_stretch=max_stretch)
    app.events.notice("fit/before_upload", groups=fitted.data["groups"], warnings=len(fitted.data["warnings"]),
                      stretch_min=fitted.data["stretch_min"], stretch_max=fitted.data["stretch_max"])
    for line in fitted.data["warnings"]:
        app.events.notice("fit/warning_line", text=line)
    return fitted


def _run_job(app: App, mode: Mode, inputs: dict[str, str], spec: JobSpec, how: WaitOptions) -> Reply:
    name = pick(spec.provider, mode)
    provider = create(name, app, **spec.provider_options)
    try:
        request = JobRequest(mode=mode, inputs=dict(inputs), model=spec.model or provider.default_model(mode),
                             options=dict(spec.options))
        cost = provider.check(request)
        if cost is not None:
            app.events.notice("jobs/estimate", provider=name, model=request.model, usd=f"{cost:.2f}")
        if getattr(provider, "kind", "queue") == "stream":
            return _checked(app, mode, _run_stream(provider, request, how))
        if not how.wait and how.output is not None:
            raise UsageError("errors/provider_async_output")
        for role, value in inputs.items():
            if not is_web_url(value):
                request.inputs[role] = provider.upload(value)
        handle = provider.submit(request)
        save_handle(app, handle)
        app.events.notice("jobs/submitted", provider=name, id=handle.id)
        base = {"job_id": handle.id, "request_id": handle.id, "provider": name, "model": handle.model,
                "mode": mode, "cost_usd": cost}
        if not how.wait:
            return Reply("jobs/submitted", {**base, "status": "queued"})
        state = wait(provider, handle, app.events, poll_interval=how.poll_interval, timeout=how.timeout,
                     logs=how.logs)
        return _checked(app, mode, _finished(app, handle, state, how.output, base))
    finally:
        provider.close()


def _checked(app: App, mode: Mode, reply: Reply) -> Reply:
    """A talking or dubbed result gets its one-line sync verdict (when the face extra is there)."""
    from skill.handlers import face_check

    return face_check.add_sync_line(app, reply) if mode in ("dub", "talk") else reply


def _run_stream(provider: Any, request: JobRequest, how: WaitOptions) -> Reply:
    if not how.wait:
        raise UsageError("errors/provider_async_unsupported", provider=provider.name)
    output = how.output.expanduser().resolve() if how.output is not None else None
    state = provider.run(request, output, how.timeout)
    data = {"provider": provider.name, "model": request.model, "mode": request.mode, "status": state.status,
            "outputs": state.outputs, **state.result}
    return Reply("jobs/done", {**data, "output": state.outputs[0]}, media=list(state.outputs))


def _finished(app: App, handle: JobHandle, state: JobState, output: Path | None, base: dict[str, Any]) -> Reply:
    if state.status == "cancelled":
        raise ProviderError("errors/provider_job_cancelled", provider=handle.provider, id=handle.id)
    if state.status == "failed":
        raise ProviderError("errors/provider_job_failed", retryable=state.retryable, provider=handle.provider,
                            id=handle.id, message=clause(state.message) or "?", retryable_hint=state.retryable)
    data: dict[str, Any] = {**base, **state.result, "status": "succeeded", "outputs": state.outputs}
    media: list[str] = []
    if output is not None:
        if not state.outputs:
            raise ProviderError("errors/provider_no_output", provider=handle.provider, id=handle.id)
        media.append(str(fetch_output(app, state.outputs[0], output)))
        data["output"] = media[0]
    return Reply("jobs/done", data, media=media)


def fetch_output(app: App, url: str, output: Path) -> Path:
    """Download without credentials: output URLs are public CDN links, and keys stay with their API."""
    from skill.media.download import download
    from skill.providers.http import make_client

    with make_client(app.settings.http_timeout_seconds) as http:
        return download(http, url, output, events=app.events, progress_key="jobs/downloading")


# -- saved handles and the ID commands -------------------------------------------------------

def _record(job_id: str) -> str:
    # Store record names are lower-case and short; ids are neither, so they are hashed.
    return "job-" + hashlib.sha256(job_id.encode()).hexdigest()[:24]


def save_handle(app: App, handle: JobHandle) -> None:
    app.store.write_json(_record(handle.id), handle.to_json())


def load_handle(app: App, job_id: str, spec: JobSpec) -> tuple[Provider, JobHandle]:
    """The saved handle; for an id from another tool, one rebuilt from ``--provider`` and ``--model``."""
    saved = app.store.read_json(_record(job_id))
    if isinstance(saved, dict) and saved.get("id") == job_id:
        try:
            handle = JobHandle.from_json(saved)
        except (KeyError, TypeError, ValueError):
            handle = None  # a damaged record: fall back to rebuilding it from the flags
        if handle is not None and handle.provider in ("fal", "wavespeed"):
            return create(handle.provider, app, **spec.provider_options), handle
    if spec.provider in ("auto", "nemo", "nim") or (spec.provider == "fal" and not spec.model):
        raise UsageError("errors/provider_unknown_job", id=job_id)
    provider = create(spec.provider, app, **spec.provider_options)
    try:
        return provider, provider.handle_for(job_id, spec.model or "")
    except BaseException:
        provider.close()  # the caller closes only a provider it was handed
        raise


def job_status(app: App, job_id: str, spec: JobSpec | None = None, logs: bool = False) -> Reply:
    provider, handle = load_handle(app, job_id, spec or JobSpec())
    try:
        state = poll_once(provider, handle, logs, time.sleep, 1.0)
    finally:
        provider.close()
    return Reply("jobs/status", {"job_id": job_id, "provider": handle.provider, "model": handle.model,
                                 "status": state.status, "queue_position": state.position, "logs": state.logs,
                                 "outputs": state.outputs, "message": state.message, "retryable": state.retryable})


def job_result(app: App, job_id: str, spec: JobSpec | None = None, output: Path | None = None) -> Reply:
    provider, handle = load_handle(app, job_id, spec or JobSpec())
    try:
        state = poll_once(provider, handle, False, time.sleep, 1.0)
    finally:
        provider.close()
    base = {"job_id": job_id, "request_id": job_id, "provider": handle.provider, "model": handle.model,
            "mode": handle.mode}
    if not state.done:
        return Reply("jobs/not_ready", {**base, "status": state.status, "queue_position": state.position})
    return _finished(app, handle, state, output, base)


def job_cancel(app: App, job_id: str, spec: JobSpec | None = None) -> Reply:
    provider, handle = load_handle(app, job_id, spec or JobSpec())
    try:
        outcome = provider.cancel(handle)
    finally:
        provider.close()
    return Reply("jobs/cancelled", {"job_id": job_id, "provider": handle.provider, "outcome": outcome})
