"""``NemoClient``: the one way the package talks to the NemoVideo API.

It owns the token and the editing session, sends the attribution headers and the bearer token
on every API request (through an ``httpx.Auth`` so the token never lands in a URL), unwraps the
envelopes (``skill.nemo.envelope``) and applies NemoVideo's documented recovery rules exactly once per failure:

=========  ==================================================================
1001 / 401  re-authenticate with the same client id, retry once
1002        open a new session (the person is told), retry once
400         anonymous-token only: new client id, retry once
429         wait ``LIP_SYNC_VIDEO_RETRY_SECONDS``, retry once
2001        NoCredits with a registration link (anonymous) or a top-up hint
anything    the mapped error from ``skill.errors``
=========  ==================================================================

A streamed ``/run_sse`` turn is recovered only while the backend has not accepted it yet:
once the event stream is open, nothing is ever re-sent (a re-sent generation is charged twice).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from skill.config import Settings
from skill.console import Events
from skill.errors import (
    ApiError,
    ApiStatusError,
    AuthExpired,
    BadResponse,
    ConnectionFailed,
    MissingClientId,
    NoCredits,
    RateLimited,
    RequestTimeout,
    SessionNotFound,
)
from skill.frontmatter import attribution
from skill.nemo import envelope, transport
from skill.nemo.endpoints import (
    ANONYMOUS_TOKEN_PATH,
    CLAIM_TOKEN_PATH,
    CREDITS_PATH,
    SESSION_PATH,
    SESSION_PLACEHOLDER,
    STATE_PATH,
    fill_session,
    uses_session,
)
from skill.nemo.transport import tls_context  # by name: NemoClient's ``transport`` parameter shadows the module
from skill.redact import publish, register_secret
from skill.replies import backend_language
from skill.store import Credentials, SessionRecord, Store

log = logging.getLogger("skill.nemo.client")

# Batch pairs run one NemoClient each over one store: only one of them at a time may fetch an
# anonymous token, and the others then find it in the store (one account, one client id).
_TOKEN_LOCK = threading.RLock()


@dataclass(frozen=True)
class Session:
    session_id: str
    task_id: str
    user_id: str | None


class _ApiAuth(httpx.Auth):
    """Bearer token and ``X-Skill-*`` headers, for requests to the API origin only.

    Downloads of server-supplied URLs (CDN, S3) go through the same ``httpx.Client`` and must
    never carry the token.
    """

    def __init__(self, client: NemoClient) -> None:
        self._client = client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._client.is_api_url(request.url):
            request.headers.update(self._client.attribution_headers)
            token = self._client._token
            if token and "Authorization" not in request.headers:
                request.headers["Authorization"] = f"Bearer {token}"
        yield request


class NemoClient:
    def __init__(self, settings: Settings, store: Store, events: Events, *, lang: str = "en",
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.store = store
        self.events = events
        self.lang = lang
        self.attribution_headers = attribution(override=settings.platform).headers()
        self._api_origin = httpx.URL(settings.api_base)
        self.http = httpx.Client(
            base_url=settings.api_base,
            auth=_ApiAuth(self),
            timeout=httpx.Timeout(settings.http_timeout_seconds, connect=min(10.0, settings.http_timeout_seconds)),
            follow_redirects=True,  # httpx drops Authorization when a redirect leaves the origin
            verify=tls_context(),
            transport=transport,
        )
        self._token: str | None = None
        self._from_env = False
        self._user_id: str | None = None
        self._session: SessionRecord | None = None
        self._connecting = False
        self._setup_lock = threading.RLock()  # batch jobs share one client: set up once, not per thread

    # -- public API -------------------------------------------------------------------------
    @property
    def anonymous(self) -> bool:
        """True unless the person supplied their own ``NEMO_TOKEN``."""
        return not self.settings.token

    @property
    def session_id(self) -> str:
        return self.ensure_session().session_id

    @property
    def task_id(self) -> str:
        return self.ensure_session().task_id

    @property
    def user_id(self) -> str | None:
        return self._user_id

    def ensure_session(self) -> Session:
        """A token and an editing session, reusing stored ones; announces first-time setup."""
        with self._setup_lock:
            # The token is checked even when a session is known: after a 1001 the token was dropped
            # and a session route's retry must fetch a new one instead of going out without it.
            if not self._cached_token() or not self._cached_session():
                with self._setting_up():
                    self._ensure_token()
                    if not self._cached_session():
                        self._create_session()
            assert self._session is not None
            return Session(self._session.session_id, self._session.task_id, self._user_id)

    def request(self, method: str, path: str, *, json: Any = None, files: Any = None, data: Any = None,
                content: Any = None, headers: dict[str, str] | None = None,
                timeout: float | None = None) -> Any:
        """Send one API request with the recovery table applied; returns the unwrapped data."""
        recovered: set[type[ApiError]] = set()
        while True:
            response = self._send(method, path, json=json, files=files, data=data, content=content,
                                  headers=headers, timeout=timeout)
            content_bytes = transport.read_body(response)
            try:
                body = envelope.parse_body(response.status_code, content_bytes,
                                           response.headers.get("content-type", ""))
                return envelope.unwrap(response.status_code, body)
            except ApiStatusError as error:
                self._recover(error, path, recovered, uses_session=uses_session(path, json))
                transport.rewind(files)

    @contextmanager
    def stream(self, method: str, path: str, *, json: Any = None,
               timeout: float | None = None) -> Iterator[httpx.Response]:
        """An open ``text/event-stream`` response. Recovered only before the backend accepts it.

        Transport failures while the body is read surface as ``ConnectionFailed`` /
        ``RequestTimeout``; the caller decides what a dropped turn means.
        """
        recovered: set[type[ApiError]] = set()
        read_timeout = timeout if timeout is not None else self.settings.sse_timeout_seconds
        while True:
            response = self._send(method, path, json=json, timeout=read_timeout,
                                  headers={"Accept": "text/event-stream"})
            if response.status_code < 400 and "text/event-stream" in response.headers.get("content-type", ""):
                break
            content = transport.read_body(response)
            try:
                body = envelope.parse_body(response.status_code, content, response.headers.get("content-type", ""))
                envelope.unwrap(response.status_code, body)
                raise BadResponse("errors/bad_response", status=response.status_code, kind="not_stream")
            except ApiStatusError as error:
                self._recover(error, path, recovered, uses_session=uses_session(path, json))
        try:
            yield response
        except httpx.TimeoutException:
            raise RequestTimeout(host=self._api_origin.host) from None
        except httpx.TransportError:
            raise ConnectionFailed(host=self._api_origin.host) from None
        finally:
            response.close()

    def credits(self) -> dict[str, Any]:
        """``{"available", "frozen", "total"}`` of the current account."""
        data = self.request("GET", CREDITS_PATH)
        if not isinstance(data, dict):
            raise BadResponse("errors/bad_response", status=200, kind="missing_field")
        return {key: data.get(key) for key in ("available", "frozen", "total")}

    def state(self) -> dict[str, Any]:
        """The session's ``data.state``: ``draft``, ``video_infos``, ``generated_media``, …"""
        data = self.request("GET", STATE_PATH)
        if not isinstance(data, dict):
            raise BadResponse("errors/bad_response", status=200, kind="missing_field")
        self._user_id = self._user_id or envelope.text_field(data.get("user_id"))
        state = data.get("state")
        return state if isinstance(state, dict) else {}

    def claim_link(self) -> str:
        """A browser link that opens this project: ``…/workspace/claim?ct=<claim token>``.

        The claim token is short-lived and made for the person's browser, so the link is
        *published*: it may appear in replies on stdout while logs keep masking it.
        """
        session = self.ensure_session()
        data = self.request("POST", CLAIM_TOKEN_PATH,
                            json={"task_id": session.task_id, "session_id": session.session_id})
        claim_token = envelope.text_field(data.get("claim_token")) if isinstance(data, dict) else None
        if not claim_token:
            raise BadResponse("errors/bad_response", status=200, kind="missing_field")
        link = f"{self.settings.web_base}/workspace/claim?ct={quote(claim_token, safe='')}"
        publish(link)
        return link

    def is_api_url(self, url: httpx.URL) -> bool:
        origin = self._api_origin
        return (url.scheme, url.host, url.port) == (origin.scheme, origin.host, origin.port)

    def close(self) -> None:
        self.http.close()

    # -- token and session ------------------------------------------------------------------
    def _cached_token(self) -> str | None:
        """The env or stored token, without touching the network."""
        if self._token is None and self.settings.token:
            register_secret(self.settings.token)
            self._token, self._from_env = self.settings.token, True
        if self._token is None:
            credentials = self.store.credentials()
            if credentials and credentials.valid_for(self.settings.api_base):
                self._token, self._user_id = credentials.token, credentials.user_id
        return self._token

    def _ensure_token(self) -> str:
        with self._setup_lock, _TOKEN_LOCK:
            return self._cached_token() or self._anonymous_token()

    def _anonymous_token(self) -> str:
        with self._setting_up():
            data = self.request("POST", ANONYMOUS_TOKEN_PATH)
        token = envelope.text_field(data.get("token")) if isinstance(data, dict) else None
        if not token:
            raise BadResponse("errors/bad_response", status=200, kind="missing_field")
        register_secret(token)
        self._user_id = envelope.text_field(data.get("user_id")) or self._user_id
        self.store.save_credentials(Credentials(token=token, expires_at=envelope.expiry_seconds(data.get("expires_at")),
                                                api_base=self.settings.api_base, user_id=self._user_id))
        self._token, self._from_env = token, False
        return token

    def _owner(self) -> str:
        """Who a stored session belongs to: the anonymous user, or the env token's fingerprint."""
        if not self._from_env and self._user_id:
            return f"user:{self._user_id}"
        return "token:" + hashlib.sha256((self._token or "").encode()).hexdigest()[:16]

    def _cached_session(self) -> SessionRecord | None:
        if self._session is None and self._token:
            record = self.store.session()
            if record and record.api_base == self.settings.api_base and record.owner == self._owner():
                self._session = record
                self._user_id = self._user_id or record.user_id
        return self._session

    def _create_session(self) -> None:
        language = backend_language(self.lang)  # type: ignore[arg-type]
        data = self.request("POST", SESSION_PATH, json={"task_name": "project", "language": language})
        session_id = envelope.text_field(data.get("session_id")) if isinstance(data, dict) else None
        task_id = envelope.text_field(data.get("task_id")) if isinstance(data, dict) else None
        if not session_id or not task_id:
            raise BadResponse("errors/bad_response", status=200, kind="missing_field")
        self._user_id = self._user_id or envelope.text_field(data.get("user_id"))
        self._session = SessionRecord(session_id=session_id, task_id=task_id, api_base=self.settings.api_base,
                                      owner=self._owner(), language=language, user_id=self._user_id)
        self.store.save_session(self._session)

    @contextmanager
    def _setting_up(self) -> Iterator[None]:
        """"Connecting..." before the first network setup step, "Ready!" once all of it worked."""
        if self._connecting:
            yield
            return
        self._connecting = True
        self.events.notice("session/connecting")
        try:
            yield
        finally:
            self._connecting = False
        self.events.notice("session/ready")

    # -- recovery ---------------------------------------------------------------------------
    def _recover(self, error: ApiStatusError, path: str, recovered: set[type[ApiError]], *,
                 uses_session: bool) -> None:
        """Prepare the one retry this error allows, or raise the error the person should see."""
        kind = type(error)
        if isinstance(error, NoCredits):
            raise self._no_credits(error)
        if isinstance(error, MissingClientId) and path != ANONYMOUS_TOKEN_PATH:
            # Only the anonymous-token call sends a client id; elsewhere a 400 is a plain bad request.
            raise ApiStatusError("errors/api_status", status=error.status, code=error.code,
                                 detail=error.params.get("detail", ""))
        if kind in recovered:
            raise error
        recovered.add(kind)
        if isinstance(error, AuthExpired) and path != ANONYMOUS_TOKEN_PATH:
            if self._from_env:
                raise AuthExpired("errors/auth_env_token", status=error.status, code=error.code)
            log.debug("token rejected; re-authenticating with the same client id")
            with _TOKEN_LOCK:  # a client sharing the store may have stored a fresh token already: keep it
                self.store.forget_credentials(only=self._token)
                self._token = None
        elif isinstance(error, SessionNotFound) and uses_session:
            self.events.notice("session/renewed")
            self.store.forget_session()
            self._session = None
        elif isinstance(error, MissingClientId):
            if self.settings.client_id:
                raise error  # NEMO_CLIENT_ID was set on purpose: do not replace it
            self.store.new_client_id()
        elif isinstance(error, RateLimited):
            seconds = self.settings.retry_seconds
            self.events.notice("session/rate_limited", seconds=round(seconds))
            time.sleep(seconds)
        else:
            raise error

    def _no_credits(self, error: NoCredits) -> NoCredits:
        params: dict[str, Any] = {"anonymous": self.anonymous, "register_url": None}
        if self.anonymous:
            bind = f"?bind={quote(self._user_id, safe='')}" if self._user_id else ""
            params["register_url"] = f"{self.settings.web_base}/register{bind}"
        return NoCredits(status=error.status, code=error.code, **params)

    # -- transport --------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, headers: dict[str, str] | None = None,
              timeout: float | None = None, **body: Any) -> httpx.Response:
        """Send and return once the status line and headers are in; the body is read by the caller."""
        headers = dict(headers or {})
        if path == ANONYMOUS_TOKEN_PATH:
            headers["X-Client-Id"] = self.store.client_id(self.settings.client_id)
        elif uses_session(path, body.get("json")):
            session_id = self.ensure_session().session_id  # token and session in one announced setup
            path = path.replace(SESSION_PLACEHOLDER, session_id)
            body["json"] = fill_session(body.get("json"), session_id)
        else:
            self._ensure_token()
        # A long read timeout (a 15-minute SSE turn) must not become a 15-minute connect timeout.
        limits = httpx.Timeout(timeout, connect=min(10.0, timeout)) if timeout else httpx.USE_CLIENT_DEFAULT
        request = self.http.build_request(method, path, headers=headers, timeout=limits,
                                          **{k: v for k, v in body.items() if v is not None})
        started = time.perf_counter()
        response = transport.send(self.http, request)
        log.debug("%s %s -> %d in %.0f ms", method, request.url.path, response.status_code,
                  (time.perf_counter() - started) * 1000)
        return response
