"""Local files onto fal's CDN, the way ``fal_client`` does it (reference §1.9).

1. a short-lived CDN token from ``POST {rest}/storage/auth/token?storage_type=fal-cdn-v3``;
2. files up to the multipart threshold (100 MiB) in one ``POST {cdn}/files/upload``;
3. bigger files in 10 MiB parts: initiate, ``PUT`` each part (keeping its ETag), complete;
4. if the v3 upload fails in any way after its retries, the older "initiate + signed PUT" storage,
   as fal's own toolkit does (retry, then fall back).

An upload bills nothing, so the v3 attempt is retried as a whole (3 times, doubling delays) and
each multipart part is retried on its own; only a refused key stops at once.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from skill import env
from skill.console import Events, NullEvents
from skill.errors import ProviderError, UsageError
from skill.providers.http import guess_content_type, json_body, put_signed, send
from skill.redact import register_secret

log = logging.getLogger("skill.providers")

MULTIPART_THRESHOLD = 100 * 1024 * 1024
CHUNK_SIZE = 10 * 1024 * 1024
CONCURRENCY = 4  # fal_client uses 10; we share two cores and one uplink with everything else
PART_ATTEMPTS = 3
# fal's toolkit retries its v3 upload 3 times (1 s base, doubling, jittered) before falling back.
V3_ATTEMPTS = 3
V3_RETRY_DELAY_SECONDS = 1.0
TOKEN_MARGIN_SECONDS = 60.0


def header_file_name(name: str) -> str:
    """The name for the ``X-Fal-File-Name`` header: HTTP header values are ASCII (httpx refuses
    anything else), so any other name goes percent-encoded as UTF-8 (RFC 3986), the way URLs carry it."""
    if name.isascii() and name.isprintable():
        return name
    return quote(name, safe="")


def _positive_int(environ: Mapping[str, str], var: env.Var, default: int) -> int:
    raw = env.read(var, environ)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise UsageError("errors/provider_bad_setting", name=var.name, value=raw)
    return int(raw)


def _upload_error(response: httpx.Response) -> ProviderError:
    if response.status_code in (401, 403):
        return ProviderError("errors/provider_auth", provider="fal", env=env.FAL_KEY.name)
    retryable = response.status_code in (408, 429) or response.status_code >= 500
    return ProviderError("errors/provider_upload_failed", retryable=retryable, provider="fal",
                         status=response.status_code)


class FalUploader:
    def __init__(self, http: httpx.Client, rest_base: str, events: Events | None = None, *,
                 multipart_threshold: int = MULTIPART_THRESHOLD, chunk_size: int = CHUNK_SIZE,
                 concurrency: int = CONCURRENCY, retry_delay: float | None = None) -> None:
        self.http = http
        self.retry_delay = V3_RETRY_DELAY_SECONDS if retry_delay is None else retry_delay
        self.rest_base = rest_base.rstrip("/")
        self.events = events or NullEvents()
        self.multipart_threshold = multipart_threshold
        self.chunk_size = chunk_size
        self.concurrency = concurrency
        self._token: dict[str, Any] | None = None
        self._token_expiry = 0.0

    @classmethod
    def from_env(cls, http: httpx.Client, rest_base: str, events: Events,
                 environ: Mapping[str, str] | None = None) -> FalUploader:
        environ = os.environ if environ is None else environ
        return cls(http, rest_base, events,
                   multipart_threshold=_positive_int(environ, env.FAL_MULTIPART_THRESHOLD, MULTIPART_THRESHOLD),
                   chunk_size=_positive_int(environ, env.FAL_MULTIPART_CHUNK, CHUNK_SIZE))

    def upload(self, path: str | Path) -> str:
        """Upload one local file and return the URL fal's models can read."""
        file = Path(path)
        size = file.stat().st_size
        content_type = guess_content_type(file)
        self.events.progress("jobs/uploading", fraction=0.0, name=file.name)
        try:
            url = self._v3_with_retries(file, size, content_type)
        except ProviderError as exc:
            # fal's own toolkit falls back to the older storage on *any* v3 failure, after its
            # retries; only a refused key would fail there the same way.
            if exc.message_key == "errors/provider_auth":
                raise
            log.debug("fal CDN v3 upload failed (%s); using the storage upload", exc.message_key)
            url = self._upload_via_storage(file, content_type)
        self.events.progress("jobs/uploading", fraction=1.0, name=file.name)
        return url

    def _v3_with_retries(self, file: Path, size: int, content_type: str) -> str:
        """The v3 CDN upload, tried V3_ATTEMPTS times with doubling delays while failures are transient.

        An upload creates no job and bills nothing, so sending it again is safe.
        """
        delay = self.retry_delay
        for attempt in range(V3_ATTEMPTS):
            try:
                token = self._cdn_token()
                if size > self.multipart_threshold:
                    return self._multipart(file, size, content_type, token)
                return self._single(file, content_type, token)
            except ProviderError as exc:
                if not exc.retryable or attempt == V3_ATTEMPTS - 1:
                    raise
                time.sleep(delay * random.uniform(0.5, 1.5))  # jittered, as fal's toolkit does
                delay *= 2
        raise AssertionError("unreachable")  # the loop either returns or raises

    # -- v3 CDN -----------------------------------------------------------------------------
    def _cdn_token(self) -> dict[str, Any]:
        if self._token is not None and time.time() < self._token_expiry - TOKEN_MARGIN_SECONDS:
            return self._token
        response = send(self.http, "fal", "POST", f"{self.rest_base}/storage/auth/token",
                        params={"storage_type": "fal-cdn-v3"}, json={})
        if not response.is_success:
            raise _upload_error(response)
        token = json_body(response, "fal")
        if not isinstance(token, dict) or not {"token", "token_type", "base_url"} <= token.keys():
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
        register_secret(str(token["token"]))
        self._token = token
        self._token_expiry = _epoch(token.get("expires_at"))
        return token

    @staticmethod
    def _auth(token: Mapping[str, Any]) -> dict[str, str]:
        return {"Authorization": f"{token['token_type']} {token['token']}"}

    def _single(self, file: Path, content_type: str, token: Mapping[str, Any]) -> str:
        headers = {**self._auth(token), "Content-Type": content_type, "X-Fal-File-Name": header_file_name(file.name)}
        with file.open("rb") as handle:
            response = send(self.http, "fal", "POST", f"{token['base_url']}/files/upload",
                            content=handle, headers=headers)
        return self._access_url(response)

    def _multipart(self, file: Path, size: int, content_type: str, token: Mapping[str, Any]) -> str:
        headers = {**self._auth(token), "Content-Type": content_type, "X-Fal-File-Name": header_file_name(file.name)}
        response = send(self.http, "fal", "POST", f"{token['base_url']}/files/upload/multipart", headers=headers)
        if not response.is_success:
            raise _upload_error(response)
        started = json_body(response, "fal")
        try:
            access_url, upload_id = str(started["access_url"]), str(started["uploadId"])
        except (KeyError, TypeError):
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code) from None
        count = max(1, -(-size // self.chunk_size))
        done = 0
        lock = threading.Lock()

        def put(number: int) -> dict[str, Any]:
            nonlocal done
            with file.open("rb") as handle:
                handle.seek((number - 1) * self.chunk_size)
                data = handle.read(self.chunk_size)
            etag = self._put_part(f"{access_url}/multipart/{upload_id}/{number}", data, token)
            with lock:
                done += 1
                self.events.progress("jobs/uploading", fraction=done / count, name=file.name)
            return {"partNumber": number, "etag": etag}

        with ThreadPoolExecutor(max_workers=min(self.concurrency, count)) as pool:
            parts = list(pool.map(put, range(1, count + 1)))
        response = send(self.http, "fal", "POST", f"{access_url}/multipart/{upload_id}/complete",
                        json={"parts": parts}, headers=self._auth(token))
        if not response.is_success:
            raise _upload_error(response)
        return access_url

    def _put_part(self, url: str, data: bytes, token: Mapping[str, Any]) -> str:
        headers = {**self._auth(token), "Accept-Encoding": "identity"}
        delay = 0.5
        for attempt in range(PART_ATTEMPTS):
            try:
                response = send(self.http, "fal", "PUT", url, content=data, headers=headers)
                if not response.is_success:
                    raise _upload_error(response)
                etag = response.headers.get("etag")
                if not etag:
                    raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
                return etag
            except ProviderError as exc:
                if not exc.retryable or attempt == PART_ATTEMPTS - 1:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # the loop either returns or raises

    # -- legacy storage ---------------------------------------------------------------------
    def _upload_via_storage(self, file: Path, content_type: str) -> str:
        response = send(self.http, "fal", "POST", f"{self.rest_base}/storage/upload/initiate",
                        params={"storage_type": "gcs"}, json={"file_name": file.name, "content_type": content_type})
        if not response.is_success:
            raise _upload_error(response)
        ticket = json_body(response, "fal")
        if not isinstance(ticket, dict) or not {"upload_url", "file_url"} <= ticket.keys():
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
        response = put_signed(self.http, "fal", "PUT", str(ticket["upload_url"]), file, {"Content-Type": content_type})
        if not response.is_success:
            raise _upload_error(response)
        return str(ticket["file_url"])

    def _access_url(self, response: httpx.Response) -> str:
        if not response.is_success:
            raise _upload_error(response)
        body = json_body(response, "fal")
        if not isinstance(body, dict) or not isinstance(body.get("access_url"), str):
            raise ProviderError("errors/provider_bad_response", provider="fal", status=response.status_code)
        return body["access_url"]


def _epoch(value: Any) -> float:
    """``expires_at`` as epoch seconds; an unreadable value means "refresh in five minutes"."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return time.time() + 300.0
