"""Train the router's naive-Bayes fallback (``skill/router/model.json``) and cross-validate it.

    python scripts/train_router_model.py          # write skill/router/model.json
    python scripts/train_router_model.py --check  # exit 1 if the shipped file differs from a fresh training
    python scripts/train_router_model.py --cv     # k-fold and leave-one-set-out figures (docs/router.md)

Trained on the labeled sentences the router was tuned on (``TRAINING``: the corpus and every tuning
set, never a held-out set that is still unseen). Counting is exact, so the same data always give the
same file. The model is consulted only where the rules matched nothing (``skill.router.route_with``);
cross-validation measures exactly that: each fold's sentences are routed with a model trained without
them, and every sentence the model moved is counted as fixed or broken.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from skill.router import NOTHING_MATCHED, route_with, tokens_of  # noqa: E402
from skill.router.model import CHOICES, MODEL_FILE, Model, features, model_from  # noqa: E402

DATA = REPO / "tests" / "conversation"
# Named one by one: a held-out set joins only after its one score was recorded (docs/router.md).
TRAINING = ("router_corpus", "router_heldout", "router_heldout_final", "router_heldout_v2", "router_heldout_v3",
            "router_heldout_v4", "router_heldout_v5", "router_heldout_v6", "router_tuning_v2", "router_tuning_v2b",
            "router_tuning_v3", "router_tuning_v4", "router_tuning_v4b", "router_tuning_v4c", "router_tuning_v4d",
            "router_tuning_v6a", "router_tuning_v6b", "router_tuning_v6c", "router_tuning_v6d")
OTHER = "edit"  # every intent the fallback cannot choose is counted as the default it would leave alone
STEPS = 400  # gradient-descent steps (full batch)
STEP = 2.0  # learning rate
L2 = 1e-3  # penalty on the weights: many small features rather than one sentence's words
MIN_COUNT = 2  # features seen fewer times are dropped (they only memorise one sentence)
MARGIN = 0.25  # how far (log-odds) the best choice must lead `edit`: --cv and the fresh sets (docs/router.md)
DIGITS = 3


def load(names: Sequence[str] = TRAINING) -> list[tuple[str, dict[str, Any]]]:
    """(set name, item) for every labeled sentence of the named sets, in file order."""
    return [(name, item) for name in names
            for item in yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))]


def train(items: Sequence[dict[str, Any]], margin: float = MARGIN) -> dict[str, Any]:
    """Multinomial logistic regression over :func:`skill.router.model.features`, as the JSON that is shipped.

    Full-batch gradient descent from zero weights with a fixed step count and L2 penalty: no randomness,
    so the same data give the same file (weights rounded to ``DIGITS``).
    """
    import numpy as np

    classes = (*CHOICES, OTHER)
    docs = [(classes.index(item["intent"] if item["intent"] in CHOICES else OTHER),
             sorted(set(features(tokens_of(item["text"]))))) for item in items]
    total = Counter(f for _, feats in docs for f in feats)
    vocabulary = sorted(f for f, n in total.items() if n >= MIN_COUNT)
    column = {f: i for i, f in enumerate(vocabulary)}
    rows = [[column[f] for f in feats if f in column] for _, feats in docs]
    flat = np.array([c for row in rows for c in row], dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    starts = np.cumsum([0] + [len(row) for row in rows[:-1]])
    labels = np.array([label for label, _ in docs])
    target = np.zeros((len(docs), len(classes)))
    target[np.arange(len(docs)), labels] = 1.0
    weights = np.zeros((len(vocabulary), len(classes)))
    bias = np.zeros(len(classes))
    nonempty = np.array([bool(row) for row in rows])
    for _ in range(STEPS):
        logits = np.zeros((len(docs), len(classes))) + bias
        if len(flat):
            logits[nonempty] += np.add.reduceat(weights[flat], starts[nonempty], axis=0)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        error = (probs - target) / len(docs)
        grad = np.zeros_like(weights)
        np.add.at(grad, flat, error[owner])
        weights -= STEP * (grad + L2 * weights)
        bias -= STEP * error.sum(axis=0)
    return {"classes": list(classes), "prior": [round(float(b), DIGITS) for b in bias],
            "weights": {f: [round(float(w), DIGITS) for w in weights[i]] for f, i in column.items()
                        if np.abs(weights[i]).max() >= 10 ** -DIGITS},
            "margin": margin, "trained_on": list(TRAINING), "sentences": len(docs)}


def as_json(data: dict[str, Any]) -> str:
    """One feature per line, sorted, so that a retraining shows as a readable diff."""
    head = {k: v for k, v in data.items() if k != "weights"}
    lines = [f"{json.dumps(f, ensure_ascii=False)}: {json.dumps(w)}" for f, w in sorted(data["weights"].items())]
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "weights": {\n' + ",\n".join(lines) + "\n}}\n"


def is_hit(item: dict[str, Any], model: Model | None) -> tuple[bool, bool]:
    """(hit, whether the model decided it)."""
    got = route_with(item["text"], item.get("attach", []), lambda: model)
    hit = got.intent == item["intent"] and set(item.get("hints", [])) <= set(got.hints)
    return hit, any(e.startswith("model:") for e in got.evidence)


def cross_validate(folds: dict[str, list[dict[str, Any]]], margins: Sequence[float], verbose: bool = False) -> None:
    """For each margin: sentences the model moved in the held-out fold, right and wrong, over all folds."""
    everything = [item for fold in folds.values() for item in fold]
    nothing = 0
    result = {m: Counter() for m in margins}
    for name, fold in folds.items():
        held = {id(item) for item in fold}
        trained = train([item for item in everything if id(item) not in held], 0.0)
        for item in fold:
            base, _ = is_hit(item, None)
            if route_with(item["text"], item.get("attach", []), lambda: None).confidence == NOTHING_MATCHED:
                nothing += 1
            for margin in margins:
                trained["margin"] = margin
                hit, moved = is_hit(item, model_from(trained))
                if moved:
                    outcome = "fixed" if hit and not base else "broken" if base and not hit else "wrong"
                    result[margin][outcome] += 1
                    if verbose and margin == margins[-1]:
                        print(f"    {outcome}: {item['text']!r} ({item['intent']})", file=sys.stderr)
        print(f"  fold {name}: {len(fold)} sentences", file=sys.stderr)
    print(f"sentences the rules matched nothing in: {nothing} of {len(everything)}")
    for margin in margins:
        r = result[margin]
        print(f"  margin {margin:4.2f}: moved {sum(r.values()):3d}, fixed {r['fixed']:3d}, broke {r['broken']:3d}, "
              f"still wrong {r['wrong']:3d}, net {r['fixed'] - r['broken']:+d}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the shipped model with a fresh training")
    parser.add_argument("--cv", action="store_true", help="cross-validate (k-fold and leave one set out)")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)
    labeled = load()
    if args.cv:
        margins = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
        print(f"{args.k}-fold (item k goes to fold k mod {args.k}):")
        cross_validate({str(k): [item for i, (_, item) in enumerate(labeled) if i % args.k == k]
                        for k in range(args.k)}, margins)
        print("leave one set out:")
        cross_validate({name: [item for n, item in labeled if n == name] for name in TRAINING}, margins)
        return 0
    text = as_json(train([item for _, item in labeled]))
    if args.check:
        same = MODEL_FILE.read_text(encoding="utf-8") == text
        print("model.json matches the training data" if same else "model.json is stale: retrain")
        return 0 if same else 1
    MODEL_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_FILE.relative_to(REPO)} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
