"""fal.ai over its queue protocol: submit, status (with logs), result and cancel.

Written as a thin httpx client rather than a wrapper of ``fal_client``: the official client
hard-codes ``https://`` hosts (so it cannot be aimed at a loopback emulator) and waits forever
unless told otherwise. Status, result and cancel always use the URLs the server returned,
because for nested model ids such as ``fal-ai/bytedance/omnihuman/v1.5`` the app part is
``fal-ai/bytedance`` and the sub-path must be dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from skill import env
from skill.errors import ProviderError
from skill.providers import fal_models
from skill.providers.base import JobHandle, JobRequest, JobState
from skill.providers.fal_upload import FalUploader
from skill.providers.http import (
    MAX_MESSAGE,
    base_url,
    checked_job_id,
    checked_model,
    clause,
    json_body,
    make_client,
    same_origin,
    send,
    send_submit,
    submit_unknown,
)
from skill.redact import register_secret

if TYPE_CHECKING:
    from skill.nemo.context import NemoContext

DEFAULT_QUEUE_BASE = "https://queue.fal.run"
DEFAULT_REST_BASE = "https://rest.fal.ai"

# Infrastructure failures fal documents as transient; a new submit may well succeed.
_RETRYABLE_TYPES = frozenset({
    "request_timeout", "startup_timeout", "runner_scheduling_failure", "runner_connection_timeout",
    "runner_disconnected", "runner_connection_refused", "runner_connection_error",
    "runner_incomplete_response", "runner_server_error", "internal_error",
})


def fal_key(environ: Mapping[str, str] | None = None) -> str | None:
    """``FAL_KEY``, else ``FAL_KEY_ID:FAL_KEY_SECRET`` (fal's own two-part form), else None."""
    key = env.read(env.FAL_KEY, environ)
    key_id, secret = env.read(env.FAL_KEY_ID, environ), env.read(env.FAL_KEY_SECRET, environ)
    if not key and key_id and secret:
        key = f"{key_id}:{secret}"
    register_secret(key)
    return key or None


def error_message(response: httpx.Response) -> tuple[str, str]:
    """(message, error_type) from a fal error body: ``detail`` as a string or a 422 list."""
    error_type = response.headers.get("x-fal-error-type", "")
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or str(response.status_code), error_type
    if not isinstance(body, dict):
        return str(body)[:MAX_MESSAGE], error_type
    detail = body.get("detail")
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                field = ".".join(str(x) for x in item.get("loc", []) if x != "body")
                parts.append(f"{field}: {item.get('msg', '')}" if field else str(item.get("msg", "")))
        message = "; ".join(parts)
    else:
        message = str(detail or body.get("error") or "")
    return clause(message[:MAX_MESSAGE]) or str(response.status_code), str(body.get("error_type") or error_type)


def _retry_hint(response: httpx.Response) -> bool | None:
    value = response.headers.get("x-fal-retryable") or response.headers.get("x-fal-needs-retry")
    return None if value is None else value.strip().lower() == "true"


def error_from_response(response: httpx.Response) -> ProviderError:
    status = response.status_code
    message, error_type = error_message(response)
    hint = _retry_hint(response)
    if status in (401, 403):
        return ProviderError("errors/provider_auth", provider="fal", env=env.FAL_KEY.name)
    if status == 402:
        return ProviderError("errors/provider_billing", provider="fal", message=message)
    if status == 404:
        return ProviderError("errors/provider_not_found", provider="fal", message=message)
    retryable = status in (408, 409, 429) or status >= 500 or error_type in _RETRYABLE_TYPES
    if hint is not None:
        retryable = hint
    return ProviderError("errors/provider_rejected", retryable=retryable, provider="fal", status=status,
                         message=message)


def output_urls(result: Mapping[str, Any]) -> list[str]:
    """Every File URL in a model output (``{"video": {"url": …}}`` and lists of such)."""
    urls: list[str] = []
    for value in result.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                urls.append(item["url"])
    return urls


class FalProvider:
    name = "fal"

    def __init__(self, http: httpx.Client, *, queue_base: str, uploader: FalUploader) -> None:
        self.http = http  # carries "Authorization: Key …" (fal's scheme, not Bearer)
        self.queue_base = queue_base.rstrip("/")
        self.uploader = uploader

    @classmethod
    def from_app(cls, app: NemoContext, **_: Any) -> FalProvider:
        key = fal_key()
        if not key:
            raise ProviderError("errors/provider_no_key", provider="fal", env=env.FAL_KEY.name)
        http = make_client(app.settings.http_timeout_seconds)
        http.headers["Authorization"] = f"Key {key}"
        return cls(http, queue_base=base_url(env.FAL_QUEUE_BASE, DEFAULT_QUEUE_BASE),
                   uploader=FalUploader.from_env(http, base_url(env.FAL_REST_BASE, DEFAULT_REST_BASE), app.events))

    # -- jobs -------------------------------------------------------------------------------
    def default_model(self, mode: str) -> str:
        return fal_models.DEFAULTS[mode]

    def check(self, request: JobRequest) -> float | None:
        return fal_models.check(self._model(request), request)

    def upload(self, path: str) -> str:
        return self.uploader.upload(path)

    def submit(self, request: JobRequest) -> JobHandle:
        model = self._model(request)
        payload = fal_models.payload(model, request)
        # One POST, never repeated: fal bills every accepted submit.
        response = send_submit(self.http, "fal", f"{self.queue_base}/{model}", mode=request.mode, model=model,
                               json=payload)
        if not response.is_success:
            raise error_from_response(response)
        try:
            body = json_body(response, "fal")
            request_id = str(body["request_id"])
            urls = {"status": body["status_url"], "result": body["response_url"], "cancel": body["cancel_url"]}
        except (ProviderError, KeyError, TypeError):
            # Accepted (2xx) but unreadable: the job exists and is billed, and we cannot name it.
            raise submit_unknown("fal", request.mode, model) from None
        if not all(same_origin(url, self.queue_base) for url in urls.values()):
            # The fal key travels with every status read: never to a host other than the queue's.
            return self.handle_for(request_id, model, mode=request.mode)
        return JobHandle(id=request_id, provider="fal", model=model, mode=request.mode, urls=urls)

    def poll(self, handle: JobHandle, logs: bool = False) -> JobState:
        response = send(self.http, "fal", "GET", handle.urls["status"], params={"logs": "1" if logs else "0"})
        if not response.is_success:
            raise error_from_response(response)
        body = json_body(response, "fal")
        if not isinstance(body, dict):
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
        status = body.get("status")
        entries = [item for item in body.get("logs") or [] if isinstance(item, dict)]
        lines = [str(item.get("message", "")) for item in entries]
        # fal sends a moving window of its cumulative logs: a line is known by what it is, not where.
        ids = [f"{item.get('timestamp', '')}\x00{item.get('message', '')}" for item in entries]
        if status == "IN_QUEUE":
            return JobState("queued", position=body.get("queue_position"), logs=lines, log_ids=ids)
        if status == "IN_PROGRESS":
            return JobState("running", logs=lines, log_ids=ids)
        if status != "COMPLETED":
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
        if body.get("error_type") == "client_cancelled":
            return JobState("cancelled", logs=lines, log_ids=ids, message=clause(str(body.get("error") or "")))
        if body.get("error"):
            # A failed request still says COMPLETED; the failure is in error / error_type.
            return JobState("failed", logs=lines, log_ids=ids, message=clause(str(body["error"])[:MAX_MESSAGE]),
                            retryable=body.get("error_type") in _RETRYABLE_TYPES)
        state = self._result(handle, lines)
        state.log_ids = ids
        return state

    def _result(self, handle: JobHandle, lines: list[str]) -> JobState:
        response = send(self.http, "fal", "GET", handle.urls["result"])
        if not response.is_success:
            error = error_from_response(response)
            if response.status_code >= 500 and "json" not in response.headers.get("content-type", ""):
                raise error  # an ingress page, not the model's answer: read it again
            return JobState("failed", logs=lines, message=str(error.params.get("message", "")),
                            retryable=error.retryable)
        result = json_body(response, "fal")
        if not isinstance(result, dict):
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
        return JobState("succeeded", logs=lines, outputs=output_urls(result), result=result)

    def cancel(self, handle: JobHandle) -> str:
        response = send(self.http, "fal", "PUT", handle.urls["cancel"])
        if response.is_success:
            return "requested"
        if response.status_code == 400 and "ALREADY_COMPLETED" in response.text:
            return "already_completed"
        raise error_from_response(response)

    def handle_for(self, job_id: str, model: str, mode: str = "") -> JobHandle:
        """The URLs ``fal_client.from_request_id`` builds: the app is the model's first two segments."""
        checked_job_id(job_id)
        checked_model(model)
        base = f"{self.queue_base}/{'/'.join(model.split('/')[:2])}/requests/{job_id}"
        return JobHandle(id=job_id, provider="fal", model=model, mode=mode,
                         urls={"status": f"{base}/status", "result": base, "cancel": f"{base}/cancel"})

    def close(self) -> None:
        self.http.close()

    def _model(self, request: JobRequest) -> str:
        return checked_model(request.model or self.default_model(request.mode))
