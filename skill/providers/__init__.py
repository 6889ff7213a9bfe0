"""Peer lip-sync services behind one job model (see ``base.py``), and how we pick one.

``--provider auto`` takes the first service whose key is present and which can do the job;
with no key at all it falls back to NemoVideo, which needs none.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, get_args

from skill import env
from skill.errors import UsageError

if TYPE_CHECKING:
    from skill.nemo.context import NemoContext
    from skill.providers.base import Provider

# The one list of provider names: the CLI choices and the tool inputs' schema are built from it.
ProviderName = Literal["nemo", "fal", "wavespeed", "nim"]
ProviderChoice = Literal["auto", ProviderName]  # what a person may ask for: "auto" picks one
PROVIDER_NAMES: tuple[str, ...] = get_args(ProviderName)

# Which provider can do which job. NemoVideo's agent lip-syncs footage and animates stills; it
# has no motion-transfer model, so "motion" needs fal.
MODES: dict[str, frozenset[str]] = {
    "nemo": frozenset({"talk", "dub"}),
    "fal": frozenset({"talk", "motion", "dub"}),
    "wavespeed": frozenset({"dub"}),
    "nim": frozenset({"dub"}),
}

_FACTORIES: dict[str, str] = {
    "nemo": "skill.providers.nemo:NemoProvider",
    "fal": "skill.providers.fal:FalProvider",
    "wavespeed": "skill.providers.wavespeed:WaveSpeedProvider",
    "nim": "skill.providers.nim:NimProvider",
}


def has_credentials(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``name`` can be used as configured. A NIM needs an address or an NVIDIA key (hosted
    NIMs); NemoVideo needs nothing (an anonymous token is fetched on first use)."""
    if name == "fal":
        return bool(env.read(env.FAL_KEY, environ)
                    or (env.read(env.FAL_KEY_ID, environ) and env.read(env.FAL_KEY_SECRET, environ)))
    if name == "wavespeed":
        return env.read(env.WAVESPEED_API_KEY, environ) is not None
    if name == "nim":
        return env.read(env.NIM_TARGET, environ) is not None or env.read(env.NVIDIA_API_KEY, environ) is not None
    return name == "nemo"


def pick(name: str, mode: str, environ: Mapping[str, str] | None = None) -> str:
    """Resolve ``auto`` and refuse a provider that cannot do ``mode``."""
    if name == "auto":
        for candidate in ("fal", "wavespeed", "nim"):
            if mode in MODES[candidate] and has_credentials(candidate, environ):
                return candidate
        if mode in MODES["nemo"]:
            return "nemo"
        raise UsageError("errors/provider_no_key_for_mode", mode=mode,
                         providers=", ".join(p for p in PROVIDER_NAMES if mode in MODES[p]))
    if name not in MODES:
        raise UsageError("errors/provider_unknown", provider=name, known=", ".join(PROVIDER_NAMES))
    if mode not in MODES[name]:
        raise UsageError("errors/provider_mode", provider=name, mode=mode,
                         providers=", ".join(p for p in PROVIDER_NAMES if mode in MODES[p]))
    return name


def create(name: str, app: NemoContext, **options: Any) -> Provider:
    """Build a provider lazily: its module (and grpc for NIM) is imported only when used."""
    module_name, _, class_name = _FACTORIES[name].partition(":")
    factory = getattr(importlib.import_module(module_name), class_name)
    provider: Provider = factory.from_app(app, **options)
    return provider
