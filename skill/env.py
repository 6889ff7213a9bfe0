"""Every environment variable the skill reads, in one registry.

Code reads a variable through its entry here (``read(NEMO_TOKEN)``), so a name is spelled once;
the tests' isolation fixture clears every entry, so no real key, folder or wait of the person
running the tests can reach a test. The locale variables (``LANG``, ``LC_ALL``, ``LC_MESSAGES``)
are the system's, not ours, and are not listed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple


class Var(NamedTuple):
    name: str
    about: str
    secret: bool = False  # masked in every output from the moment it is read


# NemoVideo
NEMO_TOKEN = Var("NEMO_TOKEN", "NemoVideo token; wins over the stored one", secret=True)
NEMO_CLIENT_ID = Var("NEMO_CLIENT_ID", "NemoVideo client id; overrides the stored one")
NEMO_API_BASE = Var("NEMO_API_BASE", "NemoVideo API base URL")
NEMO_WEB_BASE = Var("NEMO_WEB_BASE", "NemoVideo web app base URL (claim links)")
# The skill itself
HOME = Var("LIP_SYNC_VIDEO_HOME", "folder of the credential and session store")
OUTPUT_DIR = Var("LIP_SYNC_VIDEO_OUTPUT_DIR", "folder for results when no output path is given")
PLATFORM = Var("LIP_SYNC_VIDEO_PLATFORM", "agent host name sent to the backend; overrides detection")
LANG = Var("LIP_SYNC_VIDEO_LANG", "reply language when the person wrote nothing (en or zh)")
LOG_FILE = Var("LIP_SYNC_VIDEO_LOG_FILE", "file that receives the redacted debug log")
MAX_UPLOAD_MB = Var("LIP_SYNC_VIDEO_MAX_UPLOAD_MB", "largest file preflight lets through, in MB")
RETRY_SECONDS = Var("LIP_SYNC_VIDEO_RETRY_SECONDS", "wait before retrying a rate-limited request")
POLL_SECONDS = Var("LIP_SYNC_VIDEO_POLL_SECONDS", "interval between render status polls")
RENDER_TIMEOUT_SECONDS = Var("LIP_SYNC_VIDEO_RENDER_TIMEOUT_SECONDS", "longest wait for one cloud render")
PROGRESS_SECONDS = Var("LIP_SYNC_VIDEO_PROGRESS_SECONDS", "quiet time before a 'still working' line")
SSE_TIMEOUT_SECONDS = Var("LIP_SYNC_VIDEO_SSE_TIMEOUT_SECONDS", "longest edit turn")
SILENCE_SECONDS = Var("LIP_SYNC_VIDEO_SILENCE_SECONDS", "keep-alive-only time after which a turn has stalled")
FACE_CHECK = Var("LIP_SYNC_VIDEO_FACE_CHECK", "off: no automatic face check before a lip-sync job or on its result")
HTTP_TIMEOUT_SECONDS = Var("LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS", "timeout of one HTTP exchange")
# Peer services
FAL_KEY = Var("FAL_KEY", "fal.ai key", secret=True)
FAL_KEY_ID = Var("FAL_KEY_ID", "fal.ai key id (with FAL_KEY_SECRET, instead of FAL_KEY)")
FAL_KEY_SECRET = Var("FAL_KEY_SECRET", "fal.ai key secret", secret=True)
FAL_QUEUE_BASE = Var("FAL_QUEUE_BASE", "fal.ai queue API base URL")
FAL_REST_BASE = Var("FAL_REST_BASE", "fal.ai storage API base URL")
FAL_MULTIPART_THRESHOLD = Var("FAL_MULTIPART_THRESHOLD", "bytes from which fal uploads go in parts")
FAL_MULTIPART_CHUNK = Var("FAL_MULTIPART_CHUNK", "bytes per part of a fal multipart upload")
WAVESPEED_API_KEY = Var("WAVESPEED_API_KEY", "WaveSpeed key", secret=True)
WAVESPEED_API_BASE = Var("WAVESPEED_API_BASE", "WaveSpeed API base URL")
NIM_TARGET = Var("NIM_TARGET", "host:port of an NVIDIA lip-sync NIM (gRPC)")
NIM_FUNCTION_ID = Var("NIM_FUNCTION_ID", "NVIDIA cloud function id of a hosted NIM")
NVIDIA_API_KEY = Var("NVIDIA_API_KEY", "NVIDIA key for hosted NIMs", secret=True)

REGISTRY: tuple[Var, ...] = tuple(value for value in dict(globals()).values() if isinstance(value, Var))
WAITS: tuple[Var, ...] = tuple(var for var in REGISTRY if var.name.endswith("_SECONDS"))


def read(var: Var, env: Mapping[str, str] | None = None) -> str | None:
    """The variable's value without surrounding blanks; None when unset or blank."""
    value = (os.environ if env is None else env).get(var.name)
    if value is None or not value.strip():
        return None
    return value.strip()
