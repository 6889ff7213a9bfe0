"""The httpx plumbing the HTTP providers share: one client, transport errors mapped once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from skill.errors import ConfigError, ProviderError
from skill.transport import tls_context

USER_AGENT = "lip-sync-video (+https://github.com/nemovideo)"


def make_client(timeout: float) -> httpx.Client:
    # Uploads of large parts can take longer than a status read; the read timeout stays per chunk.
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
                        headers={"User-Agent": USER_AGENT}, follow_redirects=False, verify=tls_context())


def send(client: httpx.Client, provider: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; a network failure becomes a retryable ProviderError without the URL's query."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise ProviderError("errors/provider_timeout_http", retryable=True, provider=provider) from None
    except httpx.TransportError as exc:
        raise ProviderError("errors/provider_unreachable", retryable=True, provider=provider,
                            reason=type(exc).__name__) from None


def put_signed(client: httpx.Client, provider: str, method: str, url: str, file: Path,
               headers: dict[str, str]) -> httpx.Response:
    """Stream ``file`` to a pre-signed storage URL with only ``headers``: never the client's API key.

    A bare ``httpx.Request`` skips the client's default headers (where the key lives), unlike
    :func:`send`, which goes through ``client.request``.
    """
    with file.open("rb") as handle:
        try:
            return client.send(httpx.Request(method, url, content=handle, headers=headers))
        except httpx.TransportError:
            raise ProviderError("errors/provider_unreachable", retryable=True, provider=provider,
                                reason="upload") from None


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


def base_url(name: str, default: str) -> str:
    """A service base URL from the environment (tests aim them at loopback), checked like NEMO_API_BASE."""
    raw = (os.environ.get(name) or default).strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("errors/provider_bad_base", name=name, value=raw)
    return raw
