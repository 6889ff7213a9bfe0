"""The one exception tree of the package.

Every error a person can meet is a ``LipSyncError``. It carries a message *key* (a template
under ``prompts/<lang>/errors/``) and the parameters for it, never a pre-formatted English
string, so the CLI, the tools and the MCP server can all say it in the person's language.

::

    LipSyncError                      exit 1 unless noted
    ├── UsageError                    exit 2: bad flags, bad JSON input
    ├── ConfigError                   bad NEMO_API_BASE, unreadable SKILL.md
    ├── ApiError                      anything from a remote service
    │   ├── ConnectionFailed          DNS, refused: the request never left
    │   │   └── ConnectionLost        reset after sending: the outcome is unknown
    │   ├── RequestTimeout            connect/read timeout
    │   ├── BadResponse               HTML error page, truncated or non-JSON body
    │   └── ApiStatusError            an error code or HTTP status from the backend (each
    │       ├── AuthExpired           subclass lists its own in ``codes``)
    │       ├── SessionNotFound
    │       ├── NoCredits
    │       ├── UnsupportedFile
    │       ├── FileTooLarge
    │       ├── MissingClientId
    │       ├── PlanRequired          a plan limit, NOT credits
    │       ├── RateLimited
    │       └── ServerError           any 5xx
    ├── MediaError                    a local file or URL we refuse before the network
    ├── AlignmentError                the offline engine cannot measure this pair honestly
    ├── ProviderError                 a peer service (fal, WaveSpeed, NIM) said no
    └── JobFailed                     a render or provider job that ended in failure
"""

from __future__ import annotations

from typing import Any, ClassVar


class LipSyncError(Exception):
    """Base class. ``key`` names the message template; ``params`` fill it."""

    key: ClassVar[str] = "errors/internal"
    exit_code: ClassVar[int] = 1
    retryable: bool = False
    lang: str | None = None  # pinned by ``chat`` to the message's language (issue 14)

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        from skill.replies import shown

        self.message_key = key or self.key
        # Parameters are shown to the person and often come from them (paths, URLs, names):
        # one place makes every message safe from terminal escapes and echoed megabytes.
        self.params = {name: _shown(value, shown) for name, value in params.items()}
        super().__init__(self.message_key)

    def render(self, lang: str = "en") -> str:
        """The message in the person's language (imports jinja2 lazily)."""
        from skill.replies import render

        return render(self.message_key, self.lang or lang, **self.params)

    def __str__(self) -> str:
        try:
            return self.render("en")
        except Exception:  # a broken template must never hide the original error
            return self.message_key


def _shown(value: Any, shown: Any) -> Any:
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, (list, tuple)):
        return [shown(item) if isinstance(item, str) else item for item in value]
    return value


class UsageError(LipSyncError):
    key = "errors/usage"
    exit_code = 2


class ConfigError(LipSyncError):
    """A setting cannot be used: a bad base URL or number in the environment, an unwritable log file."""

    key = "errors/config"


class ApiError(LipSyncError):
    """Anything that went wrong talking to a remote service."""

    key = "errors/api"


class ConnectionFailed(ApiError):
    """DNS failure or refused connection: the request never left, so sending it again is safe."""

    key = "errors/unreachable"
    retryable = True


class ConnectionLost(ConnectionFailed):
    """The connection broke after the request went out: the backend may have acted on it."""

    key = "errors/connection_lost"
    retryable = False


class RequestTimeout(ApiError):
    key = "errors/timeout"
    retryable = True


class BadResponse(ApiError):
    key = "errors/bad_response"


class ApiStatusError(ApiError):
    key = "errors/api_status"
    # The backend codes and HTTP statuses that mean this error (the one table: skill.nemo.envelope reads it).
    codes: ClassVar[tuple[int, ...]] = ()

    def __init_subclass__(cls, key: str = "", codes: tuple[int, ...] = (), retryable: bool = False,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.key, cls.codes, cls.retryable = key or cls.key, codes, retryable

    def __init__(self, key: str | None = None, /, *, status: int = 0, code: int | None = None,
                 **params: Any) -> None:
        self.status = status
        self.code = code
        super().__init__(key, status=status, code=code, **params)


# One line each: what the person is told (``key``) and which backend codes or HTTP statuses mean it.
class AuthExpired(ApiStatusError, key="errors/auth_expired", codes=(1001, 1010, 1011, 401)):
    """The sign-in is no longer valid (1010 and 1011: the token was revoked or has the wrong scope)."""
class SessionNotFound(ApiStatusError, key="errors/session_not_found", codes=(1002,)): ...
class NoCredits(ApiStatusError, key="errors/no_credits", codes=(2001,)): ...
class UnsupportedFile(ApiStatusError, key="errors/unsupported_file", codes=(4001,)): ...
class FileTooLarge(ApiStatusError, key="errors/file_too_large", codes=(4002,)): ...
class MissingClientId(ApiStatusError, key="errors/missing_client_id", codes=(400,)): ...
class PlanRequired(ApiStatusError, key="errors/plan_required", codes=(402,)):
    """The plan does not allow it (a free plan's export): never about credits."""
class RateLimited(ApiStatusError, key="errors/rate_limited", codes=(429,), retryable=True): ...
class ServerError(ApiStatusError, key="errors/server_error", retryable=True): ...  # any 5xx


class MediaError(LipSyncError):
    key = "errors/media"


def write_failed(name: object, exc: OSError) -> MediaError:
    """The person's file or folder ``name`` could not be written: the OS's reason, in one line."""
    return MediaError("errors/media_write_failed", name=str(name), reason=exc.strerror or type(exc).__name__)


class AlignmentError(LipSyncError):
    """The offline engine cannot measure this pair honestly (no audio, other speech, too little signal)."""

    key = "errors/alignment"


class ProviderError(LipSyncError):
    key = "errors/provider"

    def __init__(self, key: str | None = None, /, *, retryable: bool = False, **params: Any) -> None:
        self.retryable = retryable
        super().__init__(key, **params)


class JobFailed(LipSyncError):
    key = "errors/job_failed"
