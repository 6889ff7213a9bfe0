"""The router's statistical fallback: shipped as data, reproducible from the committed sets, used only
where the rules matched nothing."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from skill.router import MODEL_GUESS, NOTHING_MATCHED, route, route_with
from skill.router.model import CHOICES, MODEL_FILE, features, load_model

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_router_model", REPO / "scripts" / "train_router_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_weights_are_what_the_script_trains_on_the_committed_sets() -> None:
    script = _script()
    fresh = script.train([item for _, item in script.load()])
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert {k: v for k, v in shipped.items() if k != "weights"} == {k: v for k, v in fresh.items() if k != "weights"}
    assert shipped["weights"].keys() == fresh["weights"].keys()
    # rounded to 3 digits: allow one unit of the last digit for another machine's floating point
    worst = max(abs(a - b) for f, row in fresh["weights"].items() for a, b in zip(row, shipped["weights"][f]))
    assert worst <= 0.0015, "skill/router/model.json is stale: run scripts/train_router_model.py"


def test_the_script_trains_on_no_unseen_heldout_set() -> None:
    names = _script().TRAINING
    assert "router_corpus" in names
    # v6 became tuning data in round 6; v7 is the held-out set written for round 6 and is never trained on
    assert not [n for n in names if "heldout_v7" in n]


@pytest.mark.parametrize(("text", "intent"), [
    ("did it crash again", "state"), ("出结果了没", "state"), ("ship the final over to me", "export"),
    ("thanks!", "edit"), ("go ahead", "edit"), ("你好", "edit"),
])
def test_the_model_moves_only_sentences_the_rules_found_nothing_in(text: str, intent: str) -> None:
    got = route(text)
    rules = route_with(text, (), lambda: None)
    assert rules.confidence == NOTHING_MATCHED and rules.intent == "edit"
    assert got.intent == intent
    if intent != "edit":
        assert got.confidence == MODEL_GUESS and got.evidence[0].startswith(f"model:{intent}")


def test_a_rule_match_is_never_overridden() -> None:
    for text in ("add captions", "export it", "how do credits work?"):
        got = route(text)
        assert not any(e.startswith("model:") for e in got.evidence)


def test_without_the_model_file_the_rules_route_alone(tmp_path: Path) -> None:
    assert load_model.__wrapped__(tmp_path / "missing.json") is None
    (tmp_path / "torn.json").write_text('{"classes": [', encoding="utf-8")
    assert load_model.__wrapped__(tmp_path / "torn.json") is None
    assert route_with("did it crash again", (), lambda: None).intent == "edit"


def test_features_are_words_pairs_and_the_ends() -> None:
    assert features(("is", "it", "done", "?")) == ["is", "it", "done", "?", "is it", "it done", "^is", "?$"]
    assert features(()) == []


def test_the_model_can_only_choose_the_intents_that_need_no_files() -> None:
    model = load_model()
    assert model is not None and set(model.classes) == {*CHOICES, "edit"}


@pytest.mark.parametrize("text", ["thanks!", "ok 谢谢", "go ahead", "hello", "好的"])
def test_greetings_and_thanks_are_never_guessed_at(text: str) -> None:
    model = load_model()
    assert model is not None
    eager = model._replace(margin=-100.0)  # would move anything it is asked about
    got = route_with(text, (), lambda: eager)
    assert got.intent == "edit" and any(e.startswith("courtesy:") for e in got.evidence)
    assert route_with("hello?? anyone there? my clip?", (), lambda: eager).intent != "edit"  # not courtesy only


@pytest.mark.parametrize(("text", "intent"), [("did you add the music?", "state"), ("can you add music?", "edit"),
                                              ("能帮我加个字幕吗", "edit")])
def test_plain_edit_words_in_a_question_are_weighed_by_the_model(text: str, intent: str) -> None:
    assert route(text).intent == intent
    assert route_with("did you add the music?", (), lambda: None).intent == "edit"  # the rules alone


@pytest.mark.parametrize("text", ["is it better with or without music?", "这样好看吗", "it's still blurry",
                                  "还是太亮了"])
def test_a_remark_on_how_it_looks_or_sounds_is_never_guessed_at(text: str) -> None:
    model = load_model()
    assert model is not None
    got = route_with(text, (), lambda: model._replace(margin=-100.0))
    assert got.intent == "edit" and not any(e.startswith("model:") for e in got.evidence)
