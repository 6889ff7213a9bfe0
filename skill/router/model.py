"""A small logistic-regression fallback for the router, consulted only where the rules found nothing.

The rules route on lexicon phrases; a sentence none of them matches ("any luck with my video?",
"完事了没", "ready for the file whenever you are") used to go to the cloud agent as an edit. This
model, trained on the router's labeled corpus and tuning sets by ``scripts/train_router_model.py``
and shipped as ``model.json`` beside this module (no download, no dependency), reads the same tokens
and may move such a sentence to ``state``, ``export`` or ``credits`` when it is clearly surer of that
than of ``edit`` (``MARGIN``, chosen by cross-validation, docs/router.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

MODEL_FILE = Path(__file__).resolve().with_name("model.json")
# The intents the fallback may choose instead of ``edit``: the rest need files or named capabilities.
CHOICES = ("state", "export", "credits")
_MARK = frozenset("?？")  # the one punctuation token kept as a feature: a question


class Model(NamedTuple):
    classes: tuple[str, ...]
    prior: tuple[float, ...]  # log P(class)
    weights: dict[str, tuple[float, ...]]  # feature → log P(feature | class), per class
    margin: float  # nats the best choice must lead ``edit`` by


def features(tokens: Sequence[str]) -> list[str]:
    """Words (or Chinese characters), adjacent pairs, and the first and last token of the sentence.

    Clause punctuation splits pairs; a question mark counts as a word, and as the last token.
    """
    words = [t for t in tokens if _is_word(t) or t in _MARK]
    out = list(words)
    out += [f"{a} {b}" for a, b in pairwise(tokens) if _is_word(a) and _is_word(b)]
    if words:
        out += [f"^{words[0]}", f"{words[-1]}$"]
    return out


def _is_word(token: str) -> bool:
    return token.isalnum() or ("'" in token and token.replace("'", "").isalnum())  # "don't", "what's"


@cache
def load_model(path: Path = MODEL_FILE) -> Model | None:
    """The shipped model, or None when the file is missing or unreadable (the rules alone then route)."""
    try:
        return model_from(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def model_from(data: dict[str, Any]) -> Model:
    """The :class:`Model` of the parsed ``model.json`` layout (what the training script writes)."""
    return Model(tuple(data["classes"]), tuple(data["prior"]), {f: tuple(w) for f, w in data["weights"].items()},
                 float(data["margin"]))


def scores(model: Model, tokens: Sequence[str]) -> dict[str, float]:
    """Each class's score: its bias plus the weights of the features the model knows (logits)."""
    totals = list(model.prior)
    for feature in features(tokens):
        row = model.weights.get(feature)
        if row is not None:
            for k, weight in enumerate(row):
                totals[k] += weight
    return dict(zip(model.classes, totals, strict=True))


def guess(tokens: Sequence[str], model: Model | None) -> tuple[str, float] | None:
    """(intent, lead over ``edit`` in log-odds) when ``model`` prefers one of ``CHOICES`` by its margin."""
    if model is None:
        return None
    by_class = scores(model, tokens)
    best = max(CHOICES, key=by_class.__getitem__)
    lead = by_class[best] - max(v for k, v in by_class.items() if k not in CHOICES)
    return (best, lead) if lead >= model.margin else None
