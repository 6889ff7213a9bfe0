"""A built object kept pickled in the package's own ``__pycache__``, trusted like the ``.pyc`` files
beside it: the router's lexicon index and its model are read from there in a few milliseconds
instead of being rebuilt from YAML or JSON on every start.

The file name carries a fingerprint of the sources, so a changed source is simply a cache miss; a
missing, torn or foreign file is one too. Writes are atomic, stale siblings are removed, and a
read-only install just goes without the cache.
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def fingerprint(sources: Iterable[Path]) -> str:
    """Changes whenever one of ``sources`` changes (name, mtime, size; crc32, since str hash() is salted)."""
    stats = [(p.name, s.st_mtime_ns, s.st_size) for p in sources for s in (p.stat(),)]
    return f"{zlib.crc32(repr(stats).encode()):08x}"


def load_pickled(cache_file: Path, layout: int, kind: type[T], build: Callable[[], T]) -> T:
    """The ``kind`` object cached in ``cache_file`` with this ``layout`` number, else ``build()``, cached."""
    try:
        cached = pickle.loads(cache_file.read_bytes())
    except Exception:  # missing, torn or foreign: any unpickling error just means "rebuild"
        cached = None
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == layout and isinstance(cached[1], kind):
        return cached[1]
    built = build()
    _write(cache_file, layout, built)
    return built


def _write(cache_file: Path, layout: int, value: object) -> None:
    """Write atomically and drop stale siblings (``<prefix>-*.pickle``, and the older ``.json`` caches)."""
    import tempfile  # only on a rebuild: ~3 ms of imports a cold start from the cache does not pay

    prefix = cache_file.name.split("-", 1)[0]
    try:
        cache_file.parent.mkdir(exist_ok=True)
        # a fresh name of our own (O_EXCL), so no file already there is written into
        handle, name = tempfile.mkstemp(prefix=f"{cache_file.stem}.", suffix=".tmp", dir=cache_file.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((layout, value), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, cache_file)
        except BaseException:
            os.unlink(name)  # a disk-full or interrupted write leaves no half file behind
            raise
        for stale in [*cache_file.parent.glob(f"{prefix}-*.json"), *cache_file.parent.glob(f"{prefix}-*.pickle")]:
            if stale != cache_file:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
