"""What the HTTP providers share: one client, transport errors mapped once, the checks on ids
that go into their URLs."""

from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path
from typing import Any

import httpx

from skill import config, env
from skill.errors import ProviderError, UsageError
from skill.nemo.transport import tls_context

USER_AGENT = "lip-sync-video (+https://github.com/nemovideo)"
MAX_MESSAGE = 300  # characters of a service's error text passed on to the person
# Model ids ("fal-ai/bytedance/omnihuman/v1.5") and job ids become URL path segments.
_MODEL_ID = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def make_client(timeout: float) -> httpx.Client:
    # Uploads of large parts can take longer than a status read; the read timeout stays per chunk.
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
                        headers={"User-Agent": USER_AGENT}, follow_redirects=False, verify=tls_context())


# Where a person finds a job whose submit answer was lost (the service's own list of jobs).
DASHBOARDS = {"fal": "https://fal.ai/dashboard (Requests)", "wavespeed": "https://wavespeed.ai/predictions"}


def send(client: httpx.Client, provider: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; a network failure becomes a retryable ProviderError without the URL's query."""
    try:
        return client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout):
        raise ProviderError("errors/provider_unreachable", retryable=True, provider=provider) from None
    except httpx.TimeoutException:
        raise ProviderError("errors/provider_timeout_http", retryable=True, provider=provider) from None
    except httpx.TransportError:
        raise ProviderError("errors/provider_connection_lost", retryable=True, provider=provider) from None


def send_submit(client: httpx.Client, provider: str, url: str, *, mode: str, model: str,
                **kwargs: Any) -> httpx.Response:
    """The one POST that creates a billed job: sent once, and a lost answer is never "try again".

    Only a refused connection proves the request never left. After it was written (a reset, a
    read timeout) the job may exist and be running, so the person is told where to look for it
    instead of being invited to pay for a second one.
    """
    try:
        return client.request("POST", url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout):
        raise ProviderError("errors/provider_unreachable", retryable=True, provider=provider) from None
    except httpx.TransportError:  # includes read/write timeouts
        raise submit_unknown(provider, mode, model) from None


def submit_unknown(provider: str, mode: str, model: str) -> ProviderError:
    """A submit that may have created a job we cannot name: lost, or answered with an unreadable body."""
    return ProviderError("errors/provider_submit_unknown", retryable=False, provider=provider, mode=mode,
                         model=model, dashboard=DASHBOARDS.get(provider, ""))


def clause(text: str) -> str:
    """A service's message ready to sit inside our sentence: trimmed, without its own full stop."""
    return text.strip().rstrip(".。 ").strip()


def put_signed(client: httpx.Client, provider: str, method: str, url: str, file: Path,
               headers: dict[str, str]) -> httpx.Response:
    """Stream ``file`` to a pre-signed storage URL with only ``headers``: never the client's API key.

    A bare ``httpx.Request`` skips the client's default headers (where the key lives), unlike
    :func:`send`, which goes through ``client.request``.
    """
    with file.open("rb") as handle:
        try:
            return client.send(httpx.Request(method, url, content=handle, headers=headers))
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise ProviderError("errors/provider_unreachable", retryable=True, provider=provider) from None
        except httpx.TransportError:
            raise ProviderError("errors/provider_connection_lost", retryable=True, provider=provider) from None


def json_body(response: httpx.Response, provider: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderError("errors/provider_bad_response", retryable=response.status_code >= 500,
                            provider=provider, status=response.status_code) from None


def same_origin(url: str, base: str) -> bool:
    """Whether ``url`` is on ``base``'s scheme, host and port: only there may our key be sent."""
    a, b = httpx.URL(url), httpx.URL(base)
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def base_url(var: env.Var, default: str) -> str:
    """A service base URL from the environment (tests aim them at loopback), checked like NEMO_API_BASE."""
    return config.base_url(os.environ, var, default, error="errors/provider_bad_base")


def checked_model(model: str) -> str:
    """``model`` if it is a plain ``owner/name[/…]`` id; a usage error otherwise."""
    if not _MODEL_ID.match(model):
        raise UsageError("errors/provider_bad_model", model=model)
    return model


def is_job_id(value: str) -> bool:
    return bool(_JOB_ID.match(value))


def checked_job_id(job_id: str) -> str:
    """``job_id`` if it is a plain request/task id; a usage error otherwise."""
    if not is_job_id(job_id):
        raise UsageError("errors/provider_bad_id", id=job_id)
    return job_id


def guess_content_type(file: Path) -> str:
    return mimetypes.guess_type(file.name)[0] or "application/octet-stream"
