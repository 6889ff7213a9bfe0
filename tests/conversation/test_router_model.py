"""The router's learned second opinion: shipped as data, reproducible from the committed sets, never
trained on a held-out set, and bounded in what it may do to the rules' route."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from skill.router import route, route_with, ruled
from skill.router.model import (
    FAMILIES,
    LABEL_HINTS,
    MODEL_FILE,
    Model,
    Sentence,
    Verdict,
    features,
    label_of,
    load_model,
    model_from,
    scores,
    second_opinion,
)
from tests.conversation.heldout import UNSEEN

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_router_model", REPO / "scripts" / "train_router_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_weights_are_what_the_script_trains_on_the_committed_sets() -> None:
    script = _script()
    always, cross_validated = script.training()
    fresh = script.train(always + cross_validated)
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert {k: v for k, v in shipped.items() if k != "weights"} == {k: v for k, v in fresh.items() if k != "weights"}
    assert list(shipped["weights"]) == list(FAMILIES)
    for family in FAMILIES:
        old, new = shipped["weights"][family], fresh["weights"][family]
        # another machine's floating point may move a weight by a unit of the last digit, and so across
        # the pruning threshold: a feature may differ only there
        for feature in old.keys() ^ new.keys():
            row = old.get(feature) or new[feature]
            assert max(map(abs, row.values())) <= script.PRUNE + 0.002, f"model.json is stale ({feature!r})"
        worst = max((abs(w - new[f].get(label, 0.0)) for f, row in old.items() if f in new
                     for label, w in row.items()), default=0.0)
        assert worst <= script.PRUNE + 0.002, "skill/router/model.json is stale: run scripts/train_router_model.py"


def test_the_script_never_trains_on_a_heldout_set_that_is_still_unseen() -> None:
    script = _script()
    names = script.TUNED + script.FRESH + script.GAPS
    assert "router_corpus" in names and len(script.FRESH) == 14
    # v6 became tuning data in round 6; v7 (round 6), v8, v9 (round 7), v10, v11 (round 8), v12 (round 9)
    # v13, v14 and v15 (rounds 10-12), v16 and v17 (round 14) are never trained on
    assert [p.stem.removeprefix("router_heldout_") for p in UNSEEN] == ["v7", "v8", "v9", "v10", "v11", "v12",
                                                                         "v13", "v14", "v15", "v16", "v17"]
    assert not {p.stem for p in UNSEEN}.intersection(names)
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert shipped["trained_on"] == {"fresh": sorted(script.FRESH + script.GAPS), "tuned": sorted(script.TUNED)}


def _model(labels: tuple[str, ...], words: dict[str, dict[str, float]]) -> Model:
    return model_from({"labels": labels, "bias": [0.0] * len(labels), "weights": {"words": words}, "threshold": 0.0})


def _sentence(*tokens: str) -> Sentence:
    return Sentence(tokens, Verdict("edit", 0.5, (), ()))


LABELS = ("edit", "edit+about", "state", "export", "upload+then_edit")


def test_keeping_the_intent_it_may_add_hints_but_never_drop_one() -> None:
    model = _model(LABELS, {"how": {"edit+about": 5.0}, "add": {"edit": 5.0}})
    added = second_opinion(model, "edit", ("sync_fix",), _sentence("how"))
    assert added is not None and added.intent == "edit" and added.hints == ("sync_fix", "about")
    # the plain label drops nothing
    assert second_opinion(model, "edit", ("about", "sync_fix"), _sentence("add")) is None


def test_it_adds_no_step_other_than_the_ones_the_words_put_in_order() -> None:
    model = _model(("edit", "edit+then_export", "edit+about+then_export"), {"add": {"edit+then_export": 5.0},
                                                                           "how": {"edit+about+then_export": 5.0}})
    # "add captions, then show my balance": the rules read edit → credits; an export nobody asked for is not added
    assert second_opinion(model, "edit", ("then_credits",), _sentence("add")) is None
    added = second_opinion(model, "edit", ("then_credits",), _sentence("how"))
    assert added is not None and added.hints == ("then_credits", "about")  # other hints still may be
    added = second_opinion(model, "edit", (), _sentence("add"))
    assert added is not None and added.hints == ("then_export",)  # with no order read, the step is its to add


def test_changing_the_intent_it_carries_its_labels_hints_and_the_rest() -> None:
    model = _model(LABELS, {"done": {"state": 5.0}, "file": {"upload+then_edit": 5.0}})
    moved = second_opinion(model, "edit", ("about", "cloud"), _sentence("done"))
    assert moved is not None and moved.intent == "state" and moved.hints == ("cloud",)  # about was the rules'
    moved = second_opinion(model, "edit", (), _sentence("file"))
    assert moved is not None and moved.hints == ("then_edit",) and moved.probability > 0.9
    assert second_opinion(model, "state", (), _sentence("done")) is None


@pytest.mark.parametrize("text", ["thanks!", "ok 谢谢", "go ahead", "hello", "好的", "?", "嗯？",
                                  "先导出，然后告诉我还剩多少积分", "export it and then show me my balance"])
def test_greetings_nudges_and_requests_in_order_are_not_asked_about(text: str) -> None:
    found, features = ruled(text)
    assert features is None
    eager = _model(("talk",), {})  # would move anything it were asked about
    assert route_with(text, (), lambda: eager) == found
    assert route_with("hello?? anyone there? my clip?", (), lambda: eager).intent == "talk"  # not courtesy only


def test_without_the_model_file_the_rules_route_alone(tmp_path: Path) -> None:
    assert load_model.__wrapped__(tmp_path / "missing.json") is None
    (tmp_path / "torn.json").write_text('{"labels": [', encoding="utf-8")
    assert load_model.__wrapped__(tmp_path / "torn.json") is None
    assert route_with("did it crash again", (), lambda: None).intent == "edit"


# Sentences written for this test (not from any labeled set): the kinds issue 14 names, which the
# rules alone route wrong and the shipped model puts right.
@pytest.mark.parametrize(("text", "intent"), [
    ("did it crash again", "state"), ("出结果了没", "state"), ("ship the final over to me", "export"),
    ("could I possibly have the file now?", "export"), ("did you add the music?", "state"),
])
def test_the_shipped_model_fixes_what_the_rules_miss(text: str, intent: str) -> None:
    assert route_with(text, (), lambda: None).intent != intent
    got = route(text)
    assert got.intent == intent and got.evidence[0].startswith(f"model:{intent}")
    assert got.confidence == float(got.evidence[0].split("p=")[1].rstrip("]"))


@pytest.mark.parametrize(("text", "intent"), [
    ("add captions", "edit"), ("export it", "export"), ("can you add music?", "edit"), ("能帮我加个字幕吗", "edit"),
    ("is it better with or without music?", "edit"), ("这样好看吗", "edit"), ("it's still blurry", "edit"),
])
def test_the_shipped_model_leaves_plain_requests_and_remarks_where_the_rules_put_them(text: str, intent: str) -> None:
    assert route(text).intent == route_with(text, (), lambda: None).intent == intent


def test_a_sync_complaint_with_its_files_stays_an_upload_then_the_fix() -> None:
    got = route("音画不同步，帮我修一下", ["talk.mp4", "voice.wav"])
    assert got.intent == "upload" and {"then_edit", "sync_fix"} <= set(got.hints)


def test_features_are_distinct_tokens_pairs_ends_each_tokens_letter_triples_and_the_verdict() -> None:
    verdict = Verdict("edit+about", 0.9, ["triggers"], ["audio"])
    assert features(Sentence(("is", "it", "done", "?", "done", "?", "undone"), verdict)) == [
        ("words", "is"), ("words", "it"), ("words", "done"), ("words", "?"), ("words", "undone"),
        ("pairs", "is it"), ("pairs", "it done"), ("pairs", "done ?"), ("pairs", "? done"), ("pairs", "? undone"),
        ("first", "is"), ("last", "undone"),
        *[("triples", g) for g in ("<do", "don", "one", "ne>", "<un", "und", "ndo", "don", "one", "ne>")],
        *[("verdict", v) for v in ("label:edit+about", "intent:edit", "c0.90", "m:triggers", "files1", "a:audio")]]
    assert features(Sentence((), Verdict("edit", 0.5, (), ()))) == [
        ("verdict", "label:edit"), ("verdict", "intent:edit"), ("verdict", "c0.50"), ("verdict", "files0")]
    assert label_of("upload", ("cloud", "then_edit", "sync_fix")) == "upload+sync_fix+then_edit"
    assert "cloud" not in LABEL_HINTS


def _by_names(sentence: Sentence) -> list[float]:
    """The logits the slow way: every named feature's weights from model.json, added as floats."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    logits = list(data["bias"])
    for family, name in features(sentence):
        for label, weight in data["weights"][family].get(name, {}).items():
            logits[data["labels"].index(label)] += weight
    return logits


@pytest.mark.parametrize(("text", "attach"), [
    ("could you exprot the video for me now please?", []), ("先别导出，把字幕加上。", []),
    ("the status quo is boring, add more energy", []), ("口型对一下 thanks thanks", ["a.mp4", "b.wav"]),
    ("make the mp4 and send it to https://example.com/x so i can post it", ["https://example.com/y"]),
    ("x" * 40 + " " + "abcdefghij" * 5, []),
])
def test_the_packed_scores_are_the_named_features_weights_added_up(text: str, attach: list[str]) -> None:
    model = load_model()
    _, sentence = ruled(text, attach)
    assert model is not None and sentence is not None
    assert scores(model, sentence()) == pytest.approx(_by_names(sentence()), abs=1e-9)


def test_a_message_longer_than_the_model_reads_is_scored_on_its_first_tokens() -> None:
    model = load_model()
    assert model is not None
    verdict = Verdict("edit", 0.5, (), ())
    long = Sentence(tuple(f"w{i}" for i in range(5000)) + ("exporting", "now") * 50, verdict)
    assert scores(model, long) == scores(model, Sentence(long.tokens[:4096], verdict))
    assert scores(model, long) == pytest.approx(_by_names(long), abs=1e-6)


def test_a_weight_too_large_for_the_packed_lanes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too large"):
        _model(("edit", "state"), {"done": {"state": 25.0}})
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["weights"]["words"]["done"] = {"state": 99.0}
    (tmp_path / "model.json").write_text(json.dumps(data), encoding="utf-8")
    assert load_model.__wrapped__(tmp_path / "model.json") is None  # the rules route alone


def test_every_label_is_an_intent_with_hints_a_label_may_carry() -> None:
    model = load_model()
    assert model is not None
    for label in model.labels:
        intent, *hints = label.split("+")
        assert intent in {"export", "credits", "state", "upload", "edit", "mouth_cues", "animate", "talk", "fit",
                          "face_check"} and set(hints) <= LABEL_HINTS


def test_the_model_is_built_once_then_read_from_its_pickle(tmp_path: Path) -> None:
    source = tmp_path / "model.json"
    source.write_text(MODEL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    built = load_model.__wrapped__(source)
    (cached,) = (tmp_path / "__pycache__").glob("model-*.pickle")
    assert built is not None and load_model.__wrapped__(source) == built
    cached.write_bytes(cached.read_bytes()[:100])  # torn: rebuilt from the JSON, and rewritten
    assert load_model.__wrapped__(source) == built and cached.stat().st_size > 100
    source.write_text('{"labels": [', encoding="utf-8")  # a changed source is a new fingerprint
    assert load_model.__wrapped__(source) is None
