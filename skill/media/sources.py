"""Classify what the person handed us: a local path or an http(s) URL the cloud can fetch.

Anything else that looks like a URL (``file:``, ``ftp:``, ``javascript:``, ``data:`` …) is refused
before the network, and so are URLs the cloud could never reach (loopback, private networks) or
that would carry credentials to a third party.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from skill.errors import MediaError
from skill.media.names import SUPPORTED_EXTENSIONS, extension_of, scheme_of

# Script endpoints may well stream a video; the backend judges those by content.
_DYNAMIC_PAGES = frozenset({"php", "asp", "aspx", "jsp", "cgi"})


@dataclass(frozen=True)
class LocalSource:
    path: Path


@dataclass(frozen=True)
class UrlSource:
    url: str

    @property
    def name(self) -> str:
        return PurePosixPath(unquote(urlsplit(self.url).path)).name or urlsplit(self.url).hostname or self.url


Source = LocalSource | UrlSource


def classify(raw: str) -> Source:
    """A local path, or a fetchable http(s) URL; raises :class:`MediaError` for anything else."""
    text = raw.strip()
    if not text:
        raise MediaError("errors/media_empty_argument")
    if "\x00" in text:
        raise MediaError("errors/media_bad_path", source=text.replace("\x00", "\\0"))
    scheme = scheme_of(text)
    if scheme is None:
        return LocalSource(Path(text).expanduser())
    if scheme not in ("http", "https"):
        raise MediaError("errors/media_bad_scheme", source=text, scheme=scheme)
    return UrlSource(_checked_url(text))


def _checked_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        raise MediaError("errors/media_bad_url", source=url) from None
    if not host or any(c.isspace() for c in url):
        raise MediaError("errors/media_bad_url", source=url)
    if parts.username or parts.password:
        # The backend would fetch it and keep the credentials; never hand a password to a third party.
        raise MediaError("errors/media_url_credentials", host=host)
    if _is_private_host(host):
        raise MediaError("errors/media_url_private", host=host)
    ext = extension_of(unquote(parts.path))
    if ext and ext not in SUPPORTED_EXTENSIONS and ext not in _DYNAMIC_PAGES:
        raise MediaError("errors/media_unsupported", name=url, ext=ext,
                         supported=", ".join(SUPPORTED_EXTENSIONS))
    return url


def _is_private_host(host: str) -> bool:
    """True for names and addresses the cloud cannot reach: they point back at this machine or LAN."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified
