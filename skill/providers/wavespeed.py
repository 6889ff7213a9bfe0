"""WaveSpeed API v3: ``bytedance/lipsync/audio-to-video`` (video + audio → dubbed video).

Every answer is the envelope ``{"code", "message", "data"}``, and an application error may come
as HTTP 200 with ``code != 200`` inside, so the envelope code is checked as well as the status.
Like the official SDK, the submit POST is never retried; only result reads are.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from skill import env
from skill.errors import ProviderError, UsageError
from skill.providers.base import JobHandle, JobRequest, JobState, require_inputs
from skill.providers.http import (
    MAX_MESSAGE,
    base_url,
    checked_job_id,
    checked_model,
    clause,
    guess_content_type,
    is_job_id,
    make_client,
    put_signed,
    same_origin,
    send,
    send_submit,
    submit_unknown,
)
from skill.redact import register_secret

if TYPE_CHECKING:
    from skill.nemo.context import NemoContext

DEFAULT_BASE = "https://api.wavespeed.ai"
LIPSYNC = "bytedance/lipsync/audio-to-video"
_STATES = {"created": "queued", "processing": "running", "completed": "succeeded", "failed": "failed",
           "cancelled": "cancelled", "timeout": "failed"}


def unwrap(response: httpx.Response) -> dict[str, Any]:
    """``data`` of a successful envelope; otherwise the matching ProviderError."""
    status = response.status_code
    body: Any = None
    with contextlib.suppress(ValueError):
        body = response.json()
    message = clause(str(body.get("message", ""))[:MAX_MESSAGE]) if isinstance(body, dict) else ""
    code = body.get("code") if isinstance(body, dict) else None
    if status in (401, 403) or code in (401, 403):
        raise ProviderError("errors/provider_auth", provider="wavespeed", env=env.WAVESPEED_API_KEY.name)
    if status == 404 or code == 404:
        raise ProviderError("errors/provider_not_found", provider="wavespeed", message=message)
    if not response.is_success:
        raise ProviderError("errors/provider_rejected", retryable=status in (408, 429) or status >= 500,
                            provider="wavespeed", status=status, message=message or response.reason_phrase)
    if not isinstance(body, dict):
        raise ProviderError("errors/provider_bad_response", provider="wavespeed", status=status)
    if code != 200:
        retryable = isinstance(code, int) and (code == 429 or code >= 500)
        raise ProviderError("errors/provider_rejected", retryable=retryable, provider="wavespeed",
                            status=code, message=message)
    data = body.get("data")
    if not isinstance(data, dict):
        raise ProviderError("errors/provider_bad_response", provider="wavespeed", status=status)
    return data


def failure_is_transient(data: dict[str, Any]) -> bool:
    """Whether submitting a failed task again could work.

    WaveSpeed's error codes put server-side faults in 5xxx (5004: the task timed out on their side),
    so the ``code`` decides as well as the ``timeout`` status; a refused input (4xxx, or no code)
    fails the same way again.
    """
    code = data.get("code")
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    return data.get("status") == "timeout" or (isinstance(code, int) and not isinstance(code, bool)
                                               and 5000 <= code <= 5999)


def state_of(data: dict[str, Any]) -> JobState:
    status = _STATES.get(str(data.get("status", "")))
    if status is None:
        raise ProviderError("errors/provider_bad_response", provider="wavespeed", status=200)
    outputs = [str(url) for url in data.get("outputs") or [] if isinstance(url, str)]
    if status == "failed":
        return JobState("failed", message=clause(str(data.get("error") or data.get("status"))[:MAX_MESSAGE]),
                        retryable=failure_is_transient(data))
    if status == "succeeded":
        return JobState("succeeded", outputs=outputs, result={"outputs": outputs, "video": {"url": outputs[0]}}
                        if outputs else {"outputs": []})
    return JobState(status)  # type: ignore[arg-type]


class WaveSpeedProvider:
    name = "wavespeed"

    def __init__(self, http: httpx.Client, *, base: str = DEFAULT_BASE) -> None:
        self.http = http
        self.base = base.rstrip("/")

    @classmethod
    def from_app(cls, app: NemoContext, **_: Any) -> WaveSpeedProvider:
        key = env.read(env.WAVESPEED_API_KEY) or ""
        register_secret(key)
        if not key:
            raise ProviderError("errors/provider_no_key", provider="wavespeed", env=env.WAVESPEED_API_KEY.name)
        http = make_client(app.settings.http_timeout_seconds)
        http.headers["Authorization"] = f"Bearer {key}"
        return cls(http, base=base_url(env.WAVESPEED_API_BASE, DEFAULT_BASE))

    def default_model(self, mode: str) -> str:
        return LIPSYNC

    def check(self, request: JobRequest) -> float | None:
        require_inputs(request, ("video", "audio"))
        self._model(request)
        return None  # WaveSpeed publishes no per-second price for this model

    def upload(self, path: str) -> str:
        """The ticket flow (create, then PUT to storage); the legacy binary POST if it is missing."""
        file = Path(path)
        content_type = guess_content_type(file)
        response = send(self.http, "wavespeed", "POST", f"{self.base}/api/v3/media/uploads",
                        json={"filename": file.name, "size": file.stat().st_size, "content_type": content_type})
        if response.status_code == 404:
            return self._upload_legacy(file, content_type)
        data = unwrap(response)
        ticket = data.get("upload")
        if not isinstance(ticket, dict) or not isinstance(ticket.get("url"), str) or "download_url" not in data:
            raise ProviderError("errors/provider_bad_response", provider="wavespeed", status=response.status_code)
        stored = put_signed(self.http, "wavespeed", str(ticket.get("method") or "PUT"), ticket["url"], file,
                            {str(k): str(v) for k, v in (ticket.get("headers") or {}).items()})
        if not stored.is_success:
            raise ProviderError("errors/provider_upload_failed", retryable=stored.status_code >= 500,
                                provider="wavespeed", status=stored.status_code)
        return str(data["download_url"])

    def _upload_legacy(self, file: Path, content_type: str) -> str:
        with file.open("rb") as handle:
            response = send(self.http, "wavespeed", "POST", f"{self.base}/api/v3/media/upload/binary",
                            files={"file": (file.name, handle, content_type)})
        data = unwrap(response)
        if not isinstance(data.get("download_url"), str):
            raise ProviderError("errors/provider_bad_response", provider="wavespeed", status=response.status_code)
        return data["download_url"]

    def submit(self, request: JobRequest) -> JobHandle:
        model = self._model(request)
        body = {"audio": request.inputs["audio"], "video": request.inputs["video"]}
        # Never repeated (like the official SDK): every accepted submit is a billed task.
        response = send_submit(self.http, "wavespeed", f"{self.base}/api/v3/{model}", mode=request.mode,
                               model=model, json=body)
        try:
            data = unwrap(response)
        except ProviderError as exc:
            if exc.message_key == "errors/provider_bad_response" and response.is_success:
                raise submit_unknown("wavespeed", request.mode, model) from None  # accepted, unreadable
            raise
        task_id = str(data.get("id") or "")
        if not is_job_id(task_id):
            raise submit_unknown("wavespeed", request.mode, model)
        urls = data.get("urls")
        urls = urls if isinstance(urls, dict) else {}
        result_url = str(urls.get("get") or "")
        if not result_url or not same_origin(result_url, self.base):  # the key only goes to our base
            result_url = f"{self.base}/api/v3/predictions/{task_id}/result"
        return JobHandle(id=task_id, provider="wavespeed", model=model, mode=request.mode, urls={"result": result_url})

    def poll(self, handle: JobHandle, logs: bool = False) -> JobState:
        return state_of(unwrap(send(self.http, "wavespeed", "GET", handle.urls["result"])))

    def cancel(self, handle: JobHandle) -> str:
        raise UsageError("errors/provider_cancel_unsupported", provider="wavespeed")

    def handle_for(self, job_id: str, model: str) -> JobHandle:
        checked_job_id(job_id)
        return JobHandle(id=job_id, provider="wavespeed", model=model or LIPSYNC, mode="dub",
                         urls={"result": f"{self.base}/api/v3/predictions/{job_id}/result"})

    def close(self) -> None:
        self.http.close()

    def _model(self, request: JobRequest) -> str:
        return checked_model(request.model or LIPSYNC)
