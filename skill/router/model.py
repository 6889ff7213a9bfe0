"""The router's learned second opinion: a logistic regression that reads a sentence and the rules' verdict.

The rules route on lexicon phrases and get the sentences they were written for right; on fresh
text they miss about one in five (docs/router.md, round 7), mostly by matching nothing or by taking a
keyword for the meaning. This model, trained by ``scripts/train_router_model.py`` on the labeled
sets and shipped as ``model.json`` beside this module (no download, no dependency), sees the
sentence's words, word pairs and English letter triples *and* what the rules decided (their label,
how sure they were, the lexicon sections that fired, the kinds of file sent), and names a label: an
intent with the hints that matter for it (``edit+about``, ``upload+then_edit``).

It is a second opinion, not a replacement: where it keeps the rules' intent it may add hints, never
drop one; where it changes the intent the route carries its label's hints, plus any hint no label
speaks of (``cloud``). :func:`skill.router.route_with` decides when it is not asked at all.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from itertools import pairwise
from math import exp
from pathlib import Path
from typing import Any, NamedTuple

from skill.router.pickled import fingerprint, load_pickled

MODEL_FILE = Path(__file__).resolve().with_name("model.json")
# The hints a label carries: what the handlers do next. The rest ("cloud") stay with the rules.
LABEL_HINTS = frozenset({"about", "sync_fix", "then_edit", "then_export", "then_credits", "then_state"})
_MARK = frozenset("?？")  # the one punctuation token kept as a feature: a question


class Model(NamedTuple):
    labels: tuple[str, ...]  # "edit", "edit+about", "upload+then_edit", …
    bias: int  # per label, packed
    weights: dict[str, int]  # feature → its weight for every label, packed (:func:`pack`)
    threshold: float  # the probability its label needs before it overrules the rules


class Opinion(NamedTuple):
    intent: str
    hints: tuple[str, ...]
    label: str  # what the model named
    probability: float  # the model's probability for that label


def label_of(intent: str, hints: Iterable[str]) -> str:
    """``intent`` joined with its hints that labels carry (``LABEL_HINTS``), in a fixed order."""
    return "+".join((intent, *sorted(LABEL_HINTS.intersection(hints))))


def split_label(label: str) -> tuple[str, tuple[str, ...]]:
    intent, *hints = label.split("+")
    return intent, tuple(hints)


def text_features(tokens: Sequence[str]) -> list[str]:
    """Words (or Chinese characters), adjacent pairs, the first and last word, and English letter triples.

    Clause punctuation splits pairs; a question mark counts as a word, and as the last token. Letter
    triples (``#exp``) let "exprot", "exporting" and "exported" share most of their evidence.
    """
    is_word = [t.isalnum() or _is_word(t) for t in tokens]
    words = [t for t, w in zip(tokens, is_word, strict=True) if w or t in _MARK]
    out = list(words)
    out += [f"{a} {b}" for (a, b), (wa, wb) in zip(pairwise(tokens), pairwise(is_word)) if wa and wb]
    if words:
        out += [f"^{words[0]}", f"{words[-1]}$"]
    for word in words:
        if len(word) > 3 and word.isascii():
            out += _triples(word)
    return out


@lru_cache(maxsize=8192)  # the same few thousand words come back in every message
def _triples(word: str) -> tuple[str, ...]:
    padded = f"<{word}>"
    return tuple(f"#{padded[i:i + 3]}" for i in range(len(padded) - 2))


def verdict_features(label: str, confidence: float, evidence: Sequence[str], kinds: Iterable[str],
                     sections: Iterable[str]) -> list[str]:
    """What the rules saw and decided, as features: every lexicon section with a match (``@m:past``),
    their label and intent, their confidence, each piece of evidence's section (``@e:export``, and
    ``@e:export[negated`` where a marker took it out of play), and the kind of each file or link sent
    (``@a:audio``) with their count."""
    intent, _ = split_label(label)
    out = [f"@label:{label}", f"@intent:{intent}", f"@c{confidence:.2f}", *(f"@m:{s}" for s in sections)]
    for entry in evidence:
        section = entry.split(":", 1)[0]
        out.append(f"@e:{section}")
        if "[" in entry:
            out.append(f"@e:{section}[{entry.split('[', 1)[1].split(' ', 1)[0].rstrip(']')}")
    kinds = list(kinds)
    out.append(f"@files{min(len(kinds), 3)}")
    out += [f"@a:{kind}" for kind in sorted(set(kinds))]
    return out


def _is_word(token: str) -> bool:
    return token.isalnum() or ("'" in token and token.replace("'", "").isalnum())  # "don't", "what's"


_LAYOUT = 1  # bump when the pickled Model changes shape


@cache
def load_model(path: Path = MODEL_FILE) -> Model | None:
    """The shipped model, or None when the file is missing or unreadable (the rules alone then route).

    Built from the JSON once and then read from ``__pycache__`` (JSON and packing cost ~70 ms a start).
    """
    try:
        cache_file = path.parent / "__pycache__" / f"model-{_LAYOUT}-{fingerprint((path, Path(__file__)))}.pickle"
        return load_pickled(cache_file, _LAYOUT, Model,
                            lambda: model_from(json.loads(path.read_text(encoding="utf-8"))))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def model_from(data: dict[str, Any]) -> Model:
    """The :class:`Model` of the parsed ``model.json`` layout (what the training script writes)."""
    labels = tuple(data["labels"])
    index = {label: i for i, label in enumerate(labels)}

    def packed(row: dict[str, float]) -> int:
        dense = [0] * len(labels)
        for label, weight in row.items():
            dense[index[label]] = round(weight * _UNIT)
        return pack(dense)

    bias = pack([round(b * _UNIT) for b in data["bias"]])
    return Model(labels, bias, {f: packed(row) for f, row in data["weights"].items()}, float(data["threshold"]))


# A sentence has some forty known features and the model twenty-odd labels: adding the weights one by
# one cost ~40 µs a route in Python. Packed into one integer per feature — each label's weight, in
# thousandths, in its own 64-bit lane, offset to be non-negative — a feature's whole row is added in
# one big-integer addition, exactly (the shipped weights have three decimals).
_UNIT = 1000
_LANE = 64
_OFFSET = 1 << 40  # > any |weight| in thousandths; lanes hold 2**24 offsets before one overflows


def pack(weights: Sequence[int]) -> int:
    """Integer weights (thousandths), one per label, as one integer: label k in bits 64k..64k+63."""
    return int.from_bytes(array("Q", [w + _OFFSET for w in weights]).tobytes(), sys.byteorder)


def scores(model: Model, features: Iterable[str]) -> list[float]:
    """Each label's logit: its bias plus the weights of the features the model knows (each counted once)."""
    weights = model.weights
    rows = [row for row in map(weights.get, set(features)) if row is not None]
    total = sum(rows, model.bias)
    offset = _OFFSET * (len(rows) + 1)
    lanes = memoryview(total.to_bytes(8 * len(model.labels), sys.byteorder)).cast("Q")  # unpacked in C
    return [(lane - offset) / _UNIT for lane in lanes]


def second_opinion(model: Model, intent: str, hints: Sequence[str], features: Iterable[str]) -> Opinion | None:
    """The model's route for a sentence the rules sent to ``intent`` with ``hints``; None if it agrees
    or is less sure than its threshold."""
    logits = scores(model, features)
    top = max(logits)
    probability = 1.0 / sum(map(exp, [v - top for v in logits]))
    if probability < model.threshold:
        return None
    label = model.labels[logits.index(top)]
    named, label_hints = split_label(label)
    if named == intent:
        added = tuple(h for h in label_hints if h not in hints)
        return Opinion(intent, (*hints, *added), label, probability) if added else None
    return Opinion(named, (*label_hints, *(h for h in hints if h not in LABEL_HINTS)), label, probability)
