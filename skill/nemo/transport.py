"""One HTTP exchange with the NemoVideo API, its transport failures turned into our errors.

What a failure means for the person depends on whether the request may have been acted on:
a refused connection proves it never left; a reset after it was written leaves the outcome
unknown, so only a read (which changes nothing) is asked once more.
"""

from __future__ import annotations

import logging
import ssl
from functools import cache
from typing import Any

import httpx

from skill import env
from skill.errors import BadResponse, ConfigError, ConnectionFailed, ConnectionLost, RequestTimeout

log = logging.getLogger("skill.nemo.client")


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process: building it loads the CA bundle (~25 ms), and a batch makes
    a client per pair."""
    return httpx.create_ssl_context()


def send(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send and return once the status line and headers are in; the caller reads the body."""
    if request.method != "GET":
        return _send_once(http, request)
    try:
        return _send_once(http, request)
    except ConnectionLost:
        try:
            return _send_once(http, request)
        except ConnectionLost:
            raise ConnectionFailed(host=request.url.host) from None


def read_body(response: httpx.Response) -> bytes:
    """The whole body; a connection lost after the headers arrived means a cut answer."""
    try:
        return response.read()
    except httpx.TimeoutException:
        raise RequestTimeout(host=response.request.url.host) from None
    except httpx.TransportError:
        raise BadResponse("errors/bad_response", status=response.status_code, kind="truncated") from None
    finally:
        response.close()


def rewind(files: Any) -> None:
    """Seek uploaded file objects back to the start so a retry sends them whole."""
    items = files.values() if isinstance(files, dict) else files or ()
    for item in items:
        value = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        handle = value[1] if isinstance(value, tuple) and len(value) >= 2 else value
        if hasattr(handle, "seek"):
            handle.seek(0)


def _send_once(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    host = request.url.host
    try:
        return http.send(request, stream=True)
    except httpx.TimeoutException:
        log.debug("%s %s timed out", request.method, request.url.path)
        raise RequestTimeout(host=host) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise ConfigError("errors/config_url", name=env.NEMO_API_BASE.name, value=str(http.base_url)) from None
    except httpx.TransportError as exc:
        log.debug("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
        if isinstance(exc, httpx.ConnectError):
            raise ConnectionFailed(host=host) from None
        # Reset after the request was written: the backend may have acted on it.
        raise ConnectionLost(host=host) from None
