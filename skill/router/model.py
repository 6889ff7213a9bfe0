"""The router's learned second opinion: a logistic regression that reads a sentence and the rules' verdict.

The rules route on lexicon phrases and get the sentences they were written for right; on fresh
text they miss about one in five (docs/router.md, round 7), mostly by matching nothing or by taking a
keyword for the meaning. This model, trained by ``scripts/train_router_model.py`` on the labeled
sets and shipped as ``model.json`` beside this module (no download, no dependency), sees the
sentence's tokens, token pairs, first and last token and English letter triples *and* what the rules
decided (their label, how sure they were, the lexicon sections that fired, the kinds of file sent),
and names a label: an intent with the hints that matter for it (``edit+about``, ``upload+then_edit``).

It is a second opinion, not a replacement: where it keeps the rules' intent it may add hints, never
drop one, and no step (``then_export``…) where the rules read steps in order from the words ("add
captions, then show my balance" is not also an export); where it changes the intent the route
carries its label's hints, plus any hint no label speaks of (``cloud``).
:func:`skill.router.route_with` decides when it is not asked at all.

Every route pays for it, so scoring is built for speed (round 8): each distinct token counts once
*with its own letter triples* (two words sharing a triple count it twice), which lets a token's
weight and its triples' be added up once per vocabulary word when the model loads; each feature's
weights for all labels are one packed integer; so a sentence costs a few dozen dictionary lookups
and big-integer additions. Counting every occurrence instead would let a long repetitive message
("a a a …") outweigh everything else in it.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import pairwise, repeat
from math import exp
from pathlib import Path
from typing import Any, NamedTuple

from skill.router.pickled import fingerprint, load_pickled

MODEL_FILE = Path(__file__).resolve().with_name("model.json")
# The hints a label carries: what the handlers do next. The rest ("cloud") stay with the rules.
LABEL_HINTS = frozenset({"about", "sync_fix", "then_edit", "then_export", "then_credits", "then_state"})
_STEPS = frozenset(h for h in LABEL_HINTS if h.startswith("then_"))  # what to do after the route's own step
# What a feature is of, as ``model.json`` groups its weights: a token, two adjacent tokens ("a b"),
# the first or last token, an English letter triple ("<ex", "exp", "rt>") or the rules' verdict.
FAMILIES = ("words", "pairs", "first", "last", "triples", "verdict")
MAX_TOKENS = 4096  # the model reads a message's first 4096 tokens: this bounds every packed lane
_LONGEST_WORD = 24  # longer "words" (hashes, run-together junk) get no letter triples


class Verdict(NamedTuple):
    """What the rules saw and decided about a message."""

    label: str  # their route as a label (:func:`label_of`)
    confidence: float  # Route.confidence, two decimals
    sections: Sequence[str]  # every lexicon section with a match (after shadows)
    kinds: Sequence[str]  # the kind of each file or link sent ("audio", "url")


class Sentence(NamedTuple):
    """What the model reads of one message: its tokens and the rules' verdict."""

    tokens: tuple[str, ...]
    verdict: Verdict


class Model(NamedTuple):
    labels: tuple[str, ...]  # "edit", "edit+about", "upload+then_edit", …
    split: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...]  # each label's intent and hints, as tuple and set
    bias: int  # per label, packed (:func:`pack`), each lane lifted by 2**31 (see ``scores``)
    tokens: dict[str, int]  # a vocabulary token → its own weights plus its letter triples', packed
    triples: dict[str, int]  # for a token outside the vocabulary (a typo): its triples are summed then
    pairs: dict[tuple[str, str], int]
    first: dict[str, int]
    last: dict[str, int]
    verdict: _VerdictRows
    threshold: float  # the probability its label needs before it overrules the rules


class Opinion(NamedTuple):
    intent: str
    hints: tuple[str, ...]
    label: str  # what the model named
    probability: float  # the model's probability for that label


def label_of(intent: str, hints: Iterable[str]) -> str:
    """``intent`` joined with its hints that labels carry (``LABEL_HINTS``), in a fixed order."""
    carried = LABEL_HINTS.intersection(hints)
    return "+".join((intent, *sorted(carried))) if carried else intent


def split_label(label: str) -> tuple[str, tuple[str, ...]]:
    intent, *hints = label.split("+")
    return intent, tuple(hints)


def features(sentence: Sentence) -> list[tuple[str, str]]:
    """Every feature of a sentence as (family, name), as often as training counts it: each distinct
    token and pair once, each distinct token's letter triples once for that token.

    :func:`scores` adds up exactly these, by a faster road; a test holds the two together.
    """
    tokens = sentence.tokens[:MAX_TOKENS]
    distinct = list(dict.fromkeys(tokens))
    out = [("words", t) for t in distinct]
    out += [("pairs", f"{a} {b}") for a, b in dict.fromkeys(pairwise(tokens))]
    if tokens:
        out += [("first", tokens[0]), ("last", tokens[-1])]
    out += [("triples", g) for t in distinct for g in triples(t)]
    out += [("verdict", v) for v in verdict_features(sentence.verdict)]
    return out


def triples(token: str) -> list[str]:
    """The letter triples of an English word of four letters or more, ends marked: "exprot" shares
    most of them with "export"."""
    if not 3 < len(token) <= _LONGEST_WORD or not token.isascii() or not _is_word(token):
        return []
    padded = f"<{token}>"
    return [padded[i:i + 3] for i in range(len(padded) - 2)]


def verdict_features(verdict: Verdict) -> list[str]:
    """The verdict's features, by name: the rules' label and intent, their confidence, every lexicon
    section with a match (``m:past``), the number of files and links sent (``files1``, at most 3) and
    each of their kinds (``a:audio``). (Each piece of evidence's section, a feature until round 8,
    added nothing the sections do not say: cross-validation 7,452 → 7,451 of 7,679 without it.)"""
    intent, _ = split_label(verdict.label)
    return [f"label:{verdict.label}", f"intent:{intent}", f"c{verdict.confidence:.2f}",
            *(f"m:{s}" for s in verdict.sections), f"files{min(len(verdict.kinds), 3)}",
            *(f"a:{kind}" for kind in sorted(set(verdict.kinds)))]


class _VerdictRows(NamedTuple):
    """The verdict's weights keyed by what the rules give (no feature name is built per route)."""

    label: dict[str, int]  # a label's row plus its intent's
    intent: dict[str, int]
    confidence: dict[float, int]
    section: dict[str, int]
    files: dict[int, int]
    kind: dict[str, int]


def _verdict_rows(rows: dict[str, int]) -> _VerdictRows:
    """:class:`_VerdictRows` of the ``verdict`` family's named rows."""
    def named(prefix: str) -> dict[str, int]:
        return {name.removeprefix(prefix): row for name, row in rows.items() if name.startswith(prefix)}

    intents = named("intent:")
    labels = {label: row + intents.get(label.partition("+")[0], 0) for label, row in named("label:").items()}
    return _VerdictRows(
        labels, intents,
        {float(name[1:]): row for name, row in rows.items() if name[:1] == "c" and name[1:2].isdigit()},
        named("m:"),
        {int(name[5:]): row for name, row in rows.items() if name.startswith("files")},
        named("a:"))


def _is_word(token: str) -> bool:
    return token.isalnum() or ("'" in token and token.replace("'", "").isalnum())  # "don't", "what's"


_LAYOUT = 5  # bump when the pickled Model changes shape


@cache
def load_model(path: Path = MODEL_FILE) -> Model | None:
    """The shipped model, or None when the file is missing, unreadable or out of bounds (the rules
    alone then route).

    Built from the JSON once and then read from ``__pycache__`` (JSON and packing cost ~70 ms a start).
    """
    try:
        cache_file = path.parent / "__pycache__" / f"model-{_LAYOUT}-{fingerprint((path, Path(__file__)))}.pickle"
        return load_pickled(cache_file, _LAYOUT, Model,
                            lambda: model_from(json.loads(path.read_text(encoding="utf-8"))))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def model_from(data: dict[str, Any]) -> Model:
    """The :class:`Model` of the parsed ``model.json`` layout (what the training script writes).

    Raises ValueError for a weight too large for the packed lanes to add up exactly (see ``_LANE``).
    """
    labels = tuple(data["labels"])
    index = {label: i for i, label in enumerate(labels)}
    weights: dict[str, dict[str, dict[str, float]]] = data["weights"]

    def packed(row: dict[str, float]) -> int:
        dense = [0] * len(labels)
        for label, weight in row.items():
            dense[index[label]] = round(weight * _UNIT)
        if max(map(abs, dense)) > _LARGEST:
            raise ValueError("a weight is too large for the packed lanes")
        return pack(dense)

    family = {name: {f: packed(row) for f, row in weights.get(name, {}).items()} for name in FAMILIES}
    tokens = {t: row + sum(map(family["triples"].get, triples(t), repeat(0))) for t, row in family["words"].items()}
    pairs = {(a, b): row for f, row in family["pairs"].items() for a, b in [f.split(" ")]}
    bias = pack([round(b * _UNIT) for b in data["bias"]]) + pack([_HALF] * len(labels))
    split = tuple((intent, hints, frozenset(hints)) for intent, hints in map(split_label, labels))
    return Model(labels, split, bias, tokens, family["triples"], pairs, family["first"],
                 family["last"], _verdict_rows(family["verdict"]), float(data["threshold"]))


# Each label's weight, in thousandths, sits in its own 32-bit lane of one integer per feature, so a
# feature's whole row is added in one big-integer addition, exactly (the shipped weights have three
# decimals). Lanes are signed two's complement. A sentence adds at most MAX_TOKENS × (3 +
# _LONGEST_WORD) weights of its tokens (a token, its triples, a pair; the two ends) and fewer than 256
# of its verdict's (label, intent, confidence, the lexicon's few dozen sections, files, kinds), each
# at most _LARGEST: no lane's sum reaches ±2**31, so none borrows from the next.
_UNIT = 1000
_LANE = 32
_HALF = 1 << (_LANE - 1)  # the lift that makes every lane's sum non-negative
_LARGEST = _HALF // (MAX_TOKENS * (_LONGEST_WORD + 3) + 256)  # ~19.4 in weight units


def pack(weights: Sequence[int]) -> int:
    """Integer weights (thousandths), one per label, as one integer: label k's in bits 32k..32k+31."""
    return sum(w << (_LANE * k) for k, w in enumerate(weights))


def scores(model: Model, sentence: Sentence) -> list[float]:
    """Each label's logit: its bias plus the weights of every feature of :func:`features` the model knows."""
    return [(lane - _HALF) / _UNIT for lane in _lanes(model, sentence)]


def _lanes(model: Model, sentence: Sentence) -> array[int]:
    """Each label's logit in thousandths, lifted by 2**31: the packed sum, unpacked in C."""
    tokens = sentence.tokens[:MAX_TOKENS]
    distinct = list(dict.fromkeys(tokens))
    rows = list(map(model.tokens.get, distinct))
    total = sum(filter(None, rows), model.bias)  # the bias is lifted: every lane's sum is non-negative
    if None in rows:  # outside the vocabulary: the token's letter triples are all the model knows of it
        for token, row in zip(distinct, rows, strict=True):
            if row is None and len(token) > 3 and token.isascii():  # what triples() asks first, inlined
                total += sum(map(model.triples.get, triples(token), repeat(0)))
    if tokens:
        total += (sum(map(model.pairs.get, set(pairwise(tokens)), repeat(0))) + model.first.get(tokens[0], 0)
                  + model.last.get(tokens[-1], 0))
    total += _verdict_sum(model.verdict, sentence.verdict)
    lanes = array("I", total.to_bytes(4 * len(model.labels), "little"))
    if sys.byteorder == "big":
        lanes.byteswap()
    return lanes


def _verdict_sum(rows: _VerdictRows, verdict: Verdict) -> int:
    label = rows.label.get(verdict.label)
    if label is None:  # a label the model never names ("edit+then_state"): its intent's row is all it knows
        label = rows.intent.get(verdict.label.partition("+")[0], 0)
    confidence = rows.confidence.get(verdict.confidence)  # the rules' levels have two decimals
    if confidence is None:
        confidence = rows.confidence.get(round(verdict.confidence, 2), 0)
    kinds = verdict.kinds
    total = label + confidence + sum(map(rows.section.get, verdict.sections, repeat(0)))
    if not kinds:
        return total + rows.files.get(0, 0)
    return total + rows.files.get(min(len(kinds), 3), 0) + sum(map(rows.kind.get, set(kinds), repeat(0)))


def second_opinion(model: Model, intent: str, hints: Sequence[str], sentence: Sentence) -> Opinion | None:
    """The model's route for a sentence the rules sent to ``intent`` with ``hints``; None if it agrees
    or is less sure than its threshold."""
    lanes = _lanes(model, sentence)
    top = max(lanes)
    best = lanes.index(top)
    named, label_hints, carried = model.split[best]
    if named == intent and carried.issubset(hints):
        return None  # it agrees (most routes): no probability needed
    label = model.labels[best]
    probability = 1.0 / sum(exp((lane - top) / _UNIT) for lane in lanes)
    if probability < model.threshold:
        return None
    ordered = [h for h in hints if h in _STEPS]  # steps the rules read in order from the words
    if named == intent:
        # it may add a hint, but not a step other than the ones the words put in order
        added = tuple(h for h in label_hints if h not in hints and not (ordered and h in _STEPS))
        return Opinion(intent, (*hints, *added), label, probability) if added else None
    return Opinion(named, (*label_hints, *(h for h in hints if h not in LABEL_HINTS)), label, probability)
