"""The router's held-out sets that nothing was ever tuned or trained on (docs/router.md): one list for
the model's training script, its tests and ``bench router``. A new set joins once its first score is
recorded; a set whose misses were then used as tuning data leaves it."""

from __future__ import annotations

from pathlib import Path

UNSEEN = tuple(Path(__file__).with_name(f"router_heldout_{v}.yaml")
               for v in ("v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17"))
