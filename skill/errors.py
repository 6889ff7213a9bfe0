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
    │   └── ApiStatusError            an error code or HTTP status from the backend
    │       ├── AuthExpired           1001 / 401
    │       ├── SessionNotFound       1002
    │       ├── NoCredits             2001
    │       ├── UnsupportedFile       4001
    │       ├── FileTooLarge          4002
    │       ├── MissingClientId       400
    │       ├── PlanRequired          402 (plan, NOT credits)
    │       ├── RateLimited           429
    │       └── ServerError           5xx
    ├── StreamError                   an SSE turn that timed out or dropped
    ├── MediaError                    a local file or URL we refuse before the network
    ├── JobFailed                     a render or provider job that ended in failure
    ├── AlignmentError                the offline engine cannot measure this pair honestly
    └── ProviderError                 a peer service (fal, WaveSpeed, NIM) said no
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
    key = "errors/config"


class ApiError(LipSyncError):
    key = "errors/api"


class ConnectionFailed(ApiError):
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

    def __init__(self, key: str | None = None, /, *, status: int = 0, code: int | None = None,
                 **params: Any) -> None:
        self.status = status
        self.code = code
        super().__init__(key, status=status, code=code, **params)


class AuthExpired(ApiStatusError):
    key = "errors/auth_expired"


class SessionNotFound(ApiStatusError):
    key = "errors/session_not_found"


class NoCredits(ApiStatusError):
    key = "errors/no_credits"


class UnsupportedFile(ApiStatusError):
    key = "errors/unsupported_file"


class FileTooLarge(ApiStatusError):
    key = "errors/file_too_large"


class MissingClientId(ApiStatusError):
    key = "errors/missing_client_id"


class PlanRequired(ApiStatusError):
    key = "errors/plan_required"


class RateLimited(ApiStatusError):
    key = "errors/rate_limited"
    retryable = True


class ServerError(ApiStatusError):
    key = "errors/server_error"
    retryable = True


class StreamError(LipSyncError):
    key = "errors/stream"


class MediaError(LipSyncError):
    key = "errors/media"


def write_failed(name: object, exc: OSError) -> MediaError:
    """The person's file or folder ``name`` could not be written: the OS's reason, in one line."""
    return MediaError("errors/media_write_failed", name=str(name), reason=exc.strerror or type(exc).__name__)


class JobFailed(LipSyncError):
    key = "errors/job_failed"


class AlignmentError(LipSyncError):
    key = "errors/alignment"


class ProviderError(LipSyncError):
    key = "errors/provider"

    def __init__(self, key: str | None = None, /, *, retryable: bool = False, **params: Any) -> None:
        self.retryable = retryable
        super().__init__(key, **params)
