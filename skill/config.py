"""Settings read from the environment, and where the skill's own files live.

Every wait is an environment variable so tests can shrink minutes to milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from skill.errors import ConfigError
from skill.redact import register_secret

DEFAULT_API_BASE = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_BASE = "https://nemovideo.com"
PACKAGE_DIR = Path(__file__).resolve().parent
# Batch pairs at once, for `batch --jobs` and the batch tool alike. A pair spends nearly all its
# time waiting on the cloud (a turn, then render polls), so a whole season of languages may be in
# flight together; a 429 from the backend is still waited out per request.
MAX_BATCH_JOBS = 64


@cache
def skill_root() -> Path:
    """The folder holding SKILL.md and prompts/.

    In a checkout or an installed skill folder that is the package's parent; in a wheel the
    build copies both into ``skill/_bundled``.
    """
    parent = PACKAGE_DIR.parent
    if (parent / "SKILL.md").is_file() and (parent / "prompts").is_dir():
        return parent
    return PACKAGE_DIR / "_bundled"


def output_dir() -> Path:
    """Where a result goes when the person named no path.

    ``LIP_SYNC_VIDEO_OUTPUT_DIR`` if set; else the working directory, as a person at a shell
    expects; but an MCP server or agent started at ``/`` (or anywhere unwritable) would scatter
    videos there, so then the user's Downloads folder.
    """
    chosen = os.environ.get("LIP_SYNC_VIDEO_OUTPUT_DIR")
    if chosen:
        folder = Path(chosen).expanduser()
    else:
        cwd = Path.cwd()
        if cwd != Path(cwd.anchor) and os.access(cwd, os.W_OK):
            return cwd
        import platformdirs

        folder = Path(platformdirs.user_downloads_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("errors/config_number", name=name, value=raw) from None
    if value < 0:
        raise ConfigError("errors/config_number", name=name, value=raw)
    return value


def base_url(env: Mapping[str, str], name: str, default: str, *, error: str = "errors/config_url") -> str:
    """An http(s) base URL from ``env[name]`` (else ``default``), without a trailing slash.

    ``error`` is the message key for a bad value: each service's example URL is its own.
    """
    raw = (env.get(name) or default).strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(error, name=name, value=raw)
    return raw


@dataclass(frozen=True)
class Settings:
    api_base: str = DEFAULT_API_BASE
    web_base: str = DEFAULT_WEB_BASE
    home: Path | None = None  # None: platformdirs' user config dir (resolved by the store)
    # NEMO_TOKEN from the environment wins over the store; never in a repr (tracebacks, debug logs)
    token: str | None = field(default=None, repr=False)
    client_id: str | None = None  # NEMO_CLIENT_ID overrides the persisted one
    platform: str | None = None  # LIP_SYNC_VIDEO_PLATFORM overrides detection
    retry_seconds: float = 30.0
    poll_seconds: float = 30.0
    render_timeout_seconds: float = 1800.0
    progress_seconds: float = 120.0
    sse_timeout_seconds: float = 900.0
    silence_seconds: float = 600.0
    http_timeout_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = env.get("LIP_SYNC_VIDEO_HOME")
        token = (env.get("NEMO_TOKEN") or "").strip() or None
        register_secret(token)  # masked from the moment it is read, whether or not the client ever runs
        return cls(
            api_base=base_url(env, "NEMO_API_BASE", DEFAULT_API_BASE),
            web_base=base_url(env, "NEMO_WEB_BASE", DEFAULT_WEB_BASE),
            home=Path(home).expanduser() if home else None,
            token=token,
            client_id=(env.get("NEMO_CLIENT_ID") or "").strip() or None,
            platform=(env.get("LIP_SYNC_VIDEO_PLATFORM") or "").strip() or None,
            retry_seconds=_seconds(env, "LIP_SYNC_VIDEO_RETRY_SECONDS", cls.retry_seconds),
            poll_seconds=_seconds(env, "LIP_SYNC_VIDEO_POLL_SECONDS", cls.poll_seconds),
            render_timeout_seconds=_seconds(env, "LIP_SYNC_VIDEO_RENDER_TIMEOUT_SECONDS", cls.render_timeout_seconds),
            progress_seconds=_seconds(env, "LIP_SYNC_VIDEO_PROGRESS_SECONDS", cls.progress_seconds),
            sse_timeout_seconds=_seconds(env, "LIP_SYNC_VIDEO_SSE_TIMEOUT_SECONDS", cls.sse_timeout_seconds),
            silence_seconds=_seconds(env, "LIP_SYNC_VIDEO_SILENCE_SECONDS", cls.silence_seconds),
            http_timeout_seconds=_seconds(env, "LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS", cls.http_timeout_seconds),
        )
