"""Settings read from the environment (names: ``skill.env``), defaults, and where the skill's files live.

Every wait is an environment variable so tests can shrink minutes to milliseconds.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from skill import env
from skill.errors import ConfigError
from skill.redact import register_secret

DEFAULT_API_BASE = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_BASE = "https://nemovideo.com"
PACKAGE_DIR = Path(__file__).resolve().parent
# Batch pairs at once, for `batch --jobs` and the batch tool alike. A pair spends nearly all its
# time waiting on the cloud (a turn, then render polls), so a whole season of languages may be in
# flight together; a 429 from the backend is still waited out per request.
MAX_BATCH_JOBS = 64
DEFAULT_BATCH_JOBS = 3  # pairs at once when the person does not say
DEFAULT_JOB_TIMEOUT_SECONDS = 600.0  # how long a provider job is waited for before its id is handed back
MAX_JOB_TIMEOUT_SECONDS = 3600.0  # the most a tool call may ask to wait
# `fit`: the stretch bound both ways (1/R ... R). 1.25 is near the comfort limit the popular dubbing tools
# settle on; past ±50 % WSOLA speech turns audibly mechanical, so R may be at most 1.5 (docs/fit.md).
DEFAULT_MAX_STRETCH = 1.25
HARD_MAX_STRETCH = 1.5


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
    chosen = env.read(env.OUTPUT_DIR)
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


def _seconds(environ: Mapping[str, str], var: env.Var, default: float) -> float:
    """A finite, non-negative number of seconds (``nan`` and ``inf`` would make a wait endless)."""
    raw = env.read(var, environ)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("errors/config_number", name=var.name, value=raw) from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError("errors/config_number", name=var.name, value=raw)
    return value


def base_url(environ: Mapping[str, str], var: env.Var, default: str, *, error: str = "errors/config_url") -> str:
    """An http(s) base URL from the variable ``var`` (else ``default``), without a trailing slash.

    ``error`` is the message key for a bad value: each service's example URL is its own.
    """
    raw = (env.read(var, environ) or default).rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(error, name=var.name, value=raw)
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
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        home = env.read(env.HOME, environ)
        token = env.read(env.NEMO_TOKEN, environ)
        register_secret(token)  # masked from the moment it is read, whether or not the client ever runs
        return cls(
            api_base=base_url(environ, env.NEMO_API_BASE, DEFAULT_API_BASE),
            web_base=base_url(environ, env.NEMO_WEB_BASE, DEFAULT_WEB_BASE),
            home=Path(home).expanduser() if home else None,
            token=token,
            client_id=env.read(env.NEMO_CLIENT_ID, environ),
            platform=env.read(env.PLATFORM, environ),
            retry_seconds=_seconds(environ, env.RETRY_SECONDS, cls.retry_seconds),
            poll_seconds=_seconds(environ, env.POLL_SECONDS, cls.poll_seconds),
            render_timeout_seconds=_seconds(environ, env.RENDER_TIMEOUT_SECONDS, cls.render_timeout_seconds),
            progress_seconds=_seconds(environ, env.PROGRESS_SECONDS, cls.progress_seconds),
            sse_timeout_seconds=_seconds(environ, env.SSE_TIMEOUT_SECONDS, cls.sse_timeout_seconds),
            silence_seconds=_seconds(environ, env.SILENCE_SECONDS, cls.silence_seconds),
            http_timeout_seconds=_seconds(environ, env.HTTP_TIMEOUT_SECONDS, cls.http_timeout_seconds),
        )
