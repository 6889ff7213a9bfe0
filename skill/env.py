"""Every environment variable the skill reads, in one registry.

Code reads a variable through its handle here (``env.read(env.NEMO_TOKEN)``), so a name is
spelled in this file only; the tests' isolation fixture clears every entry, so no real key,
folder or wait of the person running the tests can reach a test. The locale variables (``LANG``,
``LC_ALL``, ``LC_MESSAGES``) are the system's, not ours, and are not listed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple


class Var(NamedTuple):
    name: str
    about: str
    secret: bool = False  # masked in every output from the moment it is read


def _table(text: str) -> dict[str, Var]:
    """Rows of ``NAME [secret] what it is``: a table is easier to scan (and to extend) than code."""
    rows: dict[str, Var] = {}
    for line in text.strip().splitlines():
        name, rest = line.split(None, 1)
        secret = rest.startswith("secret ")
        rows[name] = Var(name, rest.removeprefix("secret ").strip(), secret)
    return rows


_VARS = _table("""
NEMO_TOKEN                             secret NemoVideo token; wins over the stored one
NEMO_CLIENT_ID                         NemoVideo client id; overrides the stored one
NEMO_API_BASE                          NemoVideo API base URL
NEMO_WEB_BASE                          NemoVideo web app base URL (claim links)
LIP_SYNC_VIDEO_HOME                    folder of the credential and session store
LIP_SYNC_VIDEO_OUTPUT_DIR              folder for results when no output path is given
LIP_SYNC_VIDEO_PLATFORM                agent host name sent to the backend; overrides detection
LIP_SYNC_VIDEO_LANG                    reply language when the person wrote nothing (en or zh)
LIP_SYNC_VIDEO_LOG_FILE                file that receives the redacted debug log
LIP_SYNC_VIDEO_MAX_UPLOAD_MB           largest file preflight lets through, in MB
LIP_SYNC_VIDEO_RETRY_SECONDS           wait before retrying a rate-limited request
LIP_SYNC_VIDEO_POLL_SECONDS            interval between render status polls
LIP_SYNC_VIDEO_RENDER_TIMEOUT_SECONDS  longest wait for one cloud render
LIP_SYNC_VIDEO_PROGRESS_SECONDS        quiet time before a 'still working' line
LIP_SYNC_VIDEO_SSE_TIMEOUT_SECONDS     longest edit turn
LIP_SYNC_VIDEO_SILENCE_SECONDS         keep-alive-only time after which a turn has stalled
LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS    timeout of one HTTP exchange
LIP_SYNC_VIDEO_FACE_CHECK              off: no automatic face check before a lip-sync job or on its result
FAL_KEY                                secret fal.ai key
FAL_KEY_ID                             fal.ai key id (with FAL_KEY_SECRET, instead of FAL_KEY)
FAL_KEY_SECRET                         secret fal.ai key secret
FAL_QUEUE_BASE                         fal.ai queue API base URL
FAL_REST_BASE                          fal.ai storage API base URL
FAL_MULTIPART_THRESHOLD                bytes from which fal uploads go in parts
FAL_MULTIPART_CHUNK                    bytes per part of a fal multipart upload
WAVESPEED_API_KEY                      secret WaveSpeed key
WAVESPEED_API_BASE                     WaveSpeed API base URL
NIM_TARGET                             host:port of an NVIDIA lip-sync NIM (gRPC)
NIM_FUNCTION_ID                        NVIDIA cloud function id of a hosted NIM
NVIDIA_API_KEY                         secret NVIDIA key for hosted NIMs
CLAWHUB_WORKDIR                        clawhub's working directory (its workspace); read so install lands there
CLAWDHUB_WORKDIR                       older name of CLAWHUB_WORKDIR
OPENCLAW_STATE_DIR                     OpenClaw's state folder (default ~/.openclaw)
OPENCLAW_CONFIG_PATH                   OpenClaw's config file (default <state>/openclaw.json)
""")
REGISTRY: tuple[Var, ...] = tuple(_VARS.values())
WAITS: tuple[Var, ...] = tuple(var for var in REGISTRY if var.name.endswith("_SECONDS"))


def _handles(*names: str) -> tuple[Var, ...]:
    return tuple(_VARS[name] for name in names)  # a name missing from the table fails at import


# Typed handles for the code, by area.
NEMO_TOKEN, NEMO_CLIENT_ID, NEMO_API_BASE, NEMO_WEB_BASE = _handles(
    "NEMO_TOKEN", "NEMO_CLIENT_ID", "NEMO_API_BASE", "NEMO_WEB_BASE")
HOME, OUTPUT_DIR, PLATFORM, LANG, LOG_FILE, MAX_UPLOAD_MB = _handles(
    "LIP_SYNC_VIDEO_HOME", "LIP_SYNC_VIDEO_OUTPUT_DIR", "LIP_SYNC_VIDEO_PLATFORM", "LIP_SYNC_VIDEO_LANG",
    "LIP_SYNC_VIDEO_LOG_FILE", "LIP_SYNC_VIDEO_MAX_UPLOAD_MB")
RETRY_SECONDS, POLL_SECONDS, RENDER_TIMEOUT_SECONDS, PROGRESS_SECONDS, SSE_TIMEOUT_SECONDS, SILENCE_SECONDS, \
    HTTP_TIMEOUT_SECONDS = _handles(*(f"LIP_SYNC_VIDEO_{wait}_SECONDS" for wait in (
        "RETRY", "POLL", "RENDER_TIMEOUT", "PROGRESS", "SSE_TIMEOUT", "SILENCE", "HTTP_TIMEOUT")))
FAL_KEY, FAL_KEY_ID, FAL_KEY_SECRET, FAL_QUEUE_BASE, FAL_REST_BASE, FAL_MULTIPART_THRESHOLD, \
    FAL_MULTIPART_CHUNK = _handles("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "FAL_QUEUE_BASE", "FAL_REST_BASE",
                                   "FAL_MULTIPART_THRESHOLD", "FAL_MULTIPART_CHUNK")
WAVESPEED_API_KEY, WAVESPEED_API_BASE = _handles("WAVESPEED_API_KEY", "WAVESPEED_API_BASE")
NIM_TARGET, NIM_FUNCTION_ID, NVIDIA_API_KEY = _handles("NIM_TARGET", "NIM_FUNCTION_ID", "NVIDIA_API_KEY")
(FACE_CHECK,) = _handles("LIP_SYNC_VIDEO_FACE_CHECK")
# Agent clients' own variables: `install --target clawhub` lands where `clawhub install` would.
CLAWHUB_WORKDIR, CLAWDHUB_WORKDIR, OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH = _handles(
    "CLAWHUB_WORKDIR", "CLAWDHUB_WORKDIR", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH")


def read(var: Var, env: Mapping[str, str] | None = None) -> str | None:
    """The variable's value without surrounding blanks; None when unset or blank."""
    value = (os.environ if env is None else env).get(var.name)
    if value is None or not value.strip():
        return None
    return value.strip()
