"""The one redactor every printed or logged string passes through.

Known secret values (the NemoVideo token, provider keys) are registered at run time and
removed verbatim; shapes that look like secrets are removed even when nobody registered them.

One deliberate exception: a browser link built from a claim token (``?ct=clm_…``) is meant for
the person, yet it has the shape of a secret. The client *publishes* such a link; only output
addressed to the person (``redact(text, published=True)``: the reply on stdout) keeps it.
Logs, stderr and exception text stay strict and mask it like any other claim token.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "[redacted]"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"nmv_usr_[A-Za-z0-9_\-.]+"),
    re.compile(r"clm_[A-Za-z0-9_\-.]+"),
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9_\-.~+/=]+"),
    re.compile(r"(?i)\b(Key|Token)\s+[A-Za-z0-9_\-.:~+/=]{12,}"),  # fal uses "Authorization: Key …"
    re.compile(r"(?i)([?&](?:token|ct|key|api_key|access_token|signature|x-amz-signature)=)[^&#\s\"']+"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),  # JWT
)

_lock = threading.Lock()
_secrets: set[str] = set()
_published: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret so that it is masked wherever it appears. Short values are ignored."""
    if value and len(value) >= 8:
        with _lock:
            _secrets.add(value)


def publish(value: str) -> None:
    """Allow ``value`` (a claim link) in output addressed to the person; it must hold no secret."""
    with _lock:
        if not any(secret in value for secret in _secrets):
            _published.add(value)


def redact(text: str, *, published: bool = False) -> str:
    """Mask every registered secret and every secret-shaped substring of ``text``.

    ``published=True`` (stdout replies only) leaves values passed to :func:`publish` intact.
    """
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
        kept = sorted((v for v in _published if v in text), key=len, reverse=True) if published else []
    # Park published values behind placeholders no pattern can match, then put them back.
    placeholders = {f"\x00{i}\x00": value for i, value in enumerate(kept)}
    for placeholder, value in placeholders.items():
        text = text.replace(value, placeholder)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    for placeholder, value in placeholders.items():
        text = text.replace(placeholder, value)
    return text


def redact_obj(value: Any, *, published: bool = False) -> Any:
    """Redact every string inside a JSON-like structure (dict keys included)."""
    if isinstance(value, str):
        return redact(value, published=published)
    if isinstance(value, dict):
        return {redact_obj(k, published=published): redact_obj(v, published=published) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_obj(v, published=published) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Logging filter that renders the record, redacts it, and freezes the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            formatter = logging.Formatter()
            message = f"{message}\n{formatter.formatException(record.exc_info)}"
            record.exc_info = None
            record.exc_text = None
        record.msg = redact(message)
        record.args = None
        return True
