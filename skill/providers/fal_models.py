"""The fal models we know: their input JSON, their local limits and their per-second prices.

Limits are checked on local files before anything is uploaded or billed. A URL input cannot be
probed without downloading it, so its limits are left to the service.
Prices come from ``reference/providers.md`` (fal's pricing pages) and are estimates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.errors import MediaError, UsageError
from skill.media.names import scheme_of
from skill.media.probe import probe
from skill.providers.base import JobRequest, require_inputs

OMNIHUMAN = "fal-ai/bytedance/omnihuman/v1.5"
DREAMACTOR = "fal-ai/bytedance/dreamactor/v2"
PIXVERSE = "fal-ai/pixverse/lipsync"
SYNC = "fal-ai/sync-lipsync"

DEFAULTS: dict[str, str] = {"talk": OMNIHUMAN, "motion": DREAMACTOR, "dub": PIXVERSE}
ROLES: dict[str, tuple[str, str]] = {"talk": ("image", "audio"), "motion": ("image", "video"),
                                     "dub": ("video", "audio")}

OMNIHUMAN_MAX_AUDIO = {"1080p": 30.0, "720p": 60.0}
DREAMACTOR_MAX_IMAGE_BYTES = 4_700_000  # "4.7 MB"; the decimal reading is the stricter one
DREAMACTOR_MIN_SIDE, DREAMACTOR_MAX_LONG, DREAMACTOR_MAX_SHORT = 480, 1920, 1080
DREAMACTOR_MAX_VIDEO = 30.0
SYNC_MODES = ("cut_off", "loop", "bounce", "silence", "remap")


@dataclass(frozen=True)
class Pricing:
    usd_per_second: float
    billed_from: str  # the input whose duration is billed
    minimum_seconds: float = 0.0

    def estimate(self, seconds: float) -> float:
        return round(self.usd_per_second * max(seconds, self.minimum_seconds), 2)


@dataclass(frozen=True)
class FalModel:
    id: str
    mode: str
    pricing: Pricing | None
    options: Callable[[dict[str, Any]], dict[str, Any]]
    # Given the request and its inputs' lengths in seconds (by role; None for a URL or no input).
    limits: Callable[[JobRequest, Callable[[str], float | None]], None] = lambda request, durations: None


def _is_local(value: str) -> bool:
    return scheme_of(value) not in ("http", "https", "data")  # a data: URI is sent inline


def _duration(request: JobRequest, role: str) -> float | None:
    value = request.inputs.get(role, "")
    return probe(Path(value)).duration if value and _is_local(value) else None


def _omnihuman_options(options: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"resolution": options.get("resolution") or "1080p"}
    if options.get("turbo"):
        out["turbo_mode"] = True
    if options.get("prompt"):
        out["prompt"] = str(options["prompt"])
    return out


def _omnihuman_limits(request: JobRequest, durations: Callable[[str], float | None]) -> None:
    resolution = request.options.get("resolution") or "1080p"
    if resolution not in OMNIHUMAN_MAX_AUDIO:
        raise UsageError("errors/provider_bad_option", option="--resolution", value=resolution,
                         allowed="720p, 1080p")
    seconds = durations("audio")
    limit = OMNIHUMAN_MAX_AUDIO[resolution]
    if seconds is not None and seconds > limit:
        raise MediaError("errors/provider_audio_too_long", seconds=round(seconds, 1), limit=int(limit),
                         resolution=resolution)


def _dreamactor_options(options: dict[str, Any]) -> dict[str, Any]:
    return {"trim_first_second": bool(options.get("trim", True))}


def _dreamactor_limits(request: JobRequest, durations: Callable[[str], float | None]) -> None:
    image = request.inputs.get("image", "")
    if image and _is_local(image):
        size = Path(image).stat().st_size
        if size > DREAMACTOR_MAX_IMAGE_BYTES:
            raise MediaError("errors/provider_image_too_large", mb=round(size / 1_000_000, 1), limit=4.7)
        info = probe(Path(image))
        width, height = info.width or 0, info.height or 0
        long_side, short_side = max(width, height), min(width, height)
        if short_side < DREAMACTOR_MIN_SIDE or long_side > DREAMACTOR_MAX_LONG or short_side > DREAMACTOR_MAX_SHORT:
            raise MediaError("errors/provider_image_size", width=width, height=height)
    seconds = durations("video")
    if seconds is not None and seconds > DREAMACTOR_MAX_VIDEO:
        raise MediaError("errors/provider_video_too_long", seconds=round(seconds, 1), limit=int(DREAMACTOR_MAX_VIDEO))


def _sync_options(options: dict[str, Any]) -> dict[str, Any]:
    mode = options.get("sync_mode")
    if mode and mode not in SYNC_MODES:
        raise UsageError("errors/provider_bad_option", option="--sync-mode", value=mode, allowed=", ".join(SYNC_MODES))
    return {"sync_mode": mode} if mode else {}


MODELS: dict[str, FalModel] = {
    OMNIHUMAN: FalModel(OMNIHUMAN, "talk", Pricing(0.16, "audio", 3.0), _omnihuman_options, _omnihuman_limits),
    DREAMACTOR: FalModel(DREAMACTOR, "motion", Pricing(0.05, "video", 3.0), _dreamactor_options, _dreamactor_limits),
    PIXVERSE: FalModel(PIXVERSE, "dub", Pricing(0.04, "audio"), lambda options: {}),
    SYNC: FalModel(SYNC, "dub", Pricing(0.7 / 60, "audio"), _sync_options),
}


def check(model: str, request: JobRequest) -> float | None:
    """Refuse what the model would reject and return the cost estimate in USD (None if unknown)."""
    require_inputs(request, ROLES[request.mode])
    spec = MODELS.get(model)
    if spec is None:
        return None
    if spec.mode != request.mode:
        raise UsageError("errors/provider_model_mode", model=model, mode=request.mode)
    probed: dict[str, float | None] = {}

    def durations(role: str) -> float | None:
        # The limit and the price both read the billed input's length: probe each file once.
        if role not in probed:
            probed[role] = _duration(request, role)
        return probed[role]

    spec.limits(request, durations)
    spec.options(request.options)  # surfaces bad option values before any upload
    if spec.pricing is None:
        return None
    seconds = durations(spec.pricing.billed_from)
    return None if seconds is None else spec.pricing.estimate(seconds)


def payload(model: str, request: JobRequest) -> dict[str, Any]:
    """The model's input JSON: ``<role>_url`` for each input plus the model's own options."""
    body: dict[str, Any] = {f"{role}_url": request.inputs[role] for role in ROLES[request.mode]}
    spec = MODELS.get(model)
    if spec is not None:
        body.update(spec.options(request.options))
    return body
