"""The credential and session store: small JSON files only this user can read.

Every file is written atomically (a 0600 temp file, fsync, ``os.replace``) so a crash or a full
disk leaves either the old file or the new one, never half of each. A file that is corrupt anyway
(hand-edited, truncated by another tool) is moved aside with a one-line notice and treated as
missing: the client then re-authenticates or opens a new session instead of crashing.

Other modules persist their own small records (e.g. pending render ids) with
:meth:`Store.read_json` / :meth:`Store.write_json` / :meth:`Store.delete`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from skill.config import Settings
from skill.console import Events, NullEvents
from skill.redact import register_secret

_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
AUTH_FILE = "auth"
SESSION_FILE = "session"


@dataclass
class Credentials:
    """A token the backend issued to us (an env ``NEMO_TOKEN`` is never stored)."""

    token: str
    expires_at: float
    api_base: str
    user_id: str | None = None

    def valid_for(self, api_base: str, now: float | None = None) -> bool:
        # A minute of slack so a token does not expire between the check and the request.
        return self.api_base == api_base and self.expires_at > (now or time.time()) + 60


@dataclass
class SessionRecord:
    """The backend editing session the person's draft lives in."""

    session_id: str
    task_id: str
    api_base: str
    owner: str  # fingerprint of the token that created it: a session belongs to one account
    language: str
    user_id: str | None = None


class Store:
    def __init__(self, home: Path, events: Events | None = None) -> None:
        self.home = home
        self.events: Events = events or NullEvents()

    @classmethod
    def open(cls, settings: Settings, events: Events | None = None) -> Store:
        return cls(settings.home or default_home(), events)

    # -- generic JSON records ---------------------------------------------------------------
    def path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"bad store record name {name!r}")
        return self.home / f"{name}.json"

    def read_json(self, name: str) -> Any | None:
        """The record, or None when it is missing or corrupt (corrupt ones are moved aside)."""
        path = self.path(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            self._recovered(path)
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._recovered(path)
            return None

    def write_json(self, name: str, obj: Any) -> None:
        """Replace the record atomically; the file is 0600 from its first byte."""
        path = self.path(name)
        self._ensure_home()
        payload = json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(name).unlink()

    # -- typed records ----------------------------------------------------------------------
    def client_id(self, override: str | None = None) -> str:
        """The persisted client UUID (``NEMO_CLIENT_ID`` wins), created on first use."""
        if override:
            return override
        auth = self._auth()
        existing = auth.get("client_id")
        if isinstance(existing, str) and existing:
            return existing
        return self.new_client_id()

    def new_client_id(self) -> str:
        """A fresh client UUID; the backend answers 400 when it does not know ours."""
        client_id = str(uuid.uuid4())
        self.write_json(AUTH_FILE, {"client_id": client_id})  # a new client owns no old token
        return client_id

    def credentials(self) -> Credentials | None:
        credentials = _typed(Credentials, self._auth().get("credentials"))
        if credentials is not None:
            register_secret(credentials.token)
        return credentials

    def save_credentials(self, credentials: Credentials) -> None:
        register_secret(credentials.token)
        auth = self._auth()
        auth["credentials"] = asdict(credentials)
        self.write_json(AUTH_FILE, auth)

    def forget_credentials(self, only: str | None = None) -> None:
        """Drop the stored token; with ``only``, just when it is that (rejected) token."""
        auth = self._auth()
        stored = auth.get("credentials")
        if only is not None and not (isinstance(stored, dict) and stored.get("token") == only):
            return
        if auth.pop("credentials", None) is not None:
            self.write_json(AUTH_FILE, auth)

    def session(self) -> SessionRecord | None:
        return _typed(SessionRecord, self.read_json(SESSION_FILE))

    def save_session(self, session: SessionRecord) -> None:
        self.write_json(SESSION_FILE, asdict(session))

    def forget_session(self) -> None:
        self.delete(SESSION_FILE)

    # -- plumbing ---------------------------------------------------------------------------
    def _auth(self) -> dict[str, Any]:
        record = self.read_json(AUTH_FILE)
        return record if isinstance(record, dict) else {}

    def _ensure_home(self) -> None:
        # 0700 when we create it; a folder the person chose and already made is left as it is.
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _recovered(self, path: Path) -> None:
        # Keep the bad bytes for a bug report instead of deleting them; they may hold a token,
        # so the copy keeps the 0600 mode of the original.
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(f"{path.name}.corrupt"))
        self.events.notice("session/store_recovered", file=path.name)


_FIELD_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "float": (int, float), "str | None": (str, type(None))}
_Record = TypeVar("_Record", Credentials, SessionRecord)


def _typed(cls: type[_Record], record: Any) -> _Record | None:
    """``cls`` from a stored dict, or None if a field is missing, unknown or of the wrong type.

    A hand-edited or foreign file (an expiry written as a date string, a numeric token) is then
    treated as missing, as a corrupt one is, instead of failing later in a comparison.
    """
    if not isinstance(record, dict):
        return None
    try:
        obj = cls(**record)
    except TypeError:
        return None
    for item in fields(obj):
        value = getattr(obj, item.name)
        if isinstance(value, bool) or not isinstance(value, _FIELD_TYPES[str(item.type)]):
            return None
    return obj


def default_home() -> Path:
    from platformdirs import user_config_path

    return user_config_path("lip-sync-video", appauthor=False)

