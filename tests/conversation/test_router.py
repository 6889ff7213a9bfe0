"""The intent router: accuracy over the labeled corpus, then each rule on its own."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.router import INTENTS, route
from skill.router.lexicon import LEXICON_DIR, SOURCES, load_lexicon, typo_variants
from skill.router.text import tokenize

CORPUS = Path(__file__).with_name("router_corpus.yaml")
# Held-out utterances written before the lexicons were read (docs/router.md): the tuned part was
# used to improve the router; the final part was split off before any tuning and never looked at.
HELDOUT = Path(__file__).with_name("router_heldout.yaml")
HELDOUT_FINAL = Path(__file__).with_name("router_heldout_final.yaml")
# The untouched part's accuracy when measured once after tuning (102/110, docs/router.md), minus two points.
HELDOUT_FINAL_FLOOR = 102 / 110 - 0.02
# Issue 14: a tuning set written after the v2 held-out set was scored, and that held-out set itself
# (never tuned on; its misses are not printed here, see docs/router.md).
TUNING_V2 = Path(__file__).with_name("router_tuning_v2.yaml")
TUNING_V2B = Path(__file__).with_name("router_tuning_v2b.yaml")  # a second round, written later
# Round 3: a third set, plus the v3 held-out set, which became tuning data after its one score.
TUNING_V3 = Path(__file__).with_name("router_tuning_v3.yaml")
HELDOUT_V3 = Path(__file__).with_name("router_heldout_v3.yaml")
HELDOUT_V4 = Path(__file__).with_name("router_heldout_v4.yaml")
# Round 4: a fresh tuning set written after v5's first try; v4 became tuning data too.
TUNING_V4 = Path(__file__).with_name("router_tuning_v4.yaml")
TUNING_V4B = Path(__file__).with_name("router_tuning_v4b.yaml")  # a second round-4 set, written later
TUNING_V4C = Path(__file__).with_name("router_tuning_v4c.yaml")  # and a third
TUNING_V4D = Path(__file__).with_name("router_tuning_v4d.yaml")  # and a fourth
HELDOUT_V5 = Path(__file__).with_name("router_heldout_v5.yaml")  # tuning data since round 5
# Round 5: fresh tuning sets written while the router was tuned (first passes in docs/router.md).
TUNING_V6A = Path(__file__).with_name("router_tuning_v6a.yaml")
TUNING_V6B = Path(__file__).with_name("router_tuning_v6b.yaml")
TUNING_V6C = Path(__file__).with_name("router_tuning_v6c.yaml")
TUNING_V6D = Path(__file__).with_name("router_tuning_v6d.yaml")
# Round 5's held-out set: written before round 5 by someone who had not read the router, scored once
# before it (260/323, 80.5 %) and once after (300/323, 92.9 %). Tuning data since round 6 (its misses
# were read and fixed by general rules, and the fallback model trains on it): a floor, misses printed.
HELDOUT_V6 = Path(__file__).with_name("router_heldout_v6.yaml")
# Round 6's held-out set: written before round 6 apart from the router, scored once on the round-5
# router (269/308, 87.3 %) and once after round 6 (273/308, 88.6 %); never tuned on, never trained on.
HELDOUT_V7 = Path(__file__).with_name("router_heldout_v7.yaml")
# Round 7: two held-out sets written from one brief with the fresh training sets, never trained on.
HELDOUT_V8 = Path(__file__).with_name("router_heldout_v8.yaml")
HELDOUT_V9 = Path(__file__).with_name("router_heldout_v9.yaml")
# Round 8: written from a brief of its own (docs/router-data-brief.md) apart from the router, never
# trained on; first try on the round-7 router 272/290, final 275/290 (docs/router.md, Round 8).
HELDOUT_V10 = Path(__file__).with_name("router_heldout_v10.yaml")
# Round 8's second held-out set, written to be harder: first try 273/306, final 274/306.
HELDOUT_V11 = Path(__file__).with_name("router_heldout_v11.yaml")
# Round 9's held-out set (inventive, stock words avoided): first try 257/301, final 278/301.
HELDOUT_V12 = Path(__file__).with_name("router_heldout_v12.yaml")
# Round 10's held-out set (inventive, many kinds of people): first try 276/302, then 286/302.
HELDOUT_V13 = Path(__file__).with_name("router_heldout_v13.yaml")
# Round 11's: first try 275/292 (round 10's router), then 277/292.
HELDOUT_V14 = Path(__file__).with_name("router_heldout_v14.yaml")
# Round 12's: first try 285/302 (round 11's router), then 284/302.
HELDOUT_V15 = Path(__file__).with_name("router_heldout_v15.yaml")
# Round 14's two, written apart from each other after round 13's relay rule: first try 294/307 and 293/306.
HELDOUT_V16 = Path(__file__).with_name("router_heldout_v16.yaml")
HELDOUT_V17 = Path(__file__).with_name("router_heldout_v17.yaml")
HELDOUT_V2 = Path(__file__).with_name("router_heldout_v2.yaml")
# Measured after tuning (204/217, docs/router.md), minus two points: a regression guard.
HELDOUT_V2_FLOOR = 204 / 217 - 0.02
REPO = Path(__file__).resolve().parents[2]


def _corpus() -> list[dict[str, Any]]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def _is_hit(item: dict[str, Any]) -> bool:
    got = route(item["text"], item.get("attach", []))
    return got.intent == item["intent"] and set(item.get("hints", [])) <= set(got.hints)


# -- the corpus --------------------------------------------------------------------------------

def test_corpus_accuracy_is_at_least_98_percent() -> None:
    corpus = _corpus()
    misses = [item for item in corpus if not _is_hit(item)]
    accuracy = 1 - len(misses) / len(corpus)
    report = "\n".join(f"  {m['text']!r}: want {m['intent']} {m.get('hints', [])}, got "
                       f"{route(m['text'], m.get('attach', [])).as_dict()}" for m in misses)
    print(f"router accuracy {accuracy:.1%} over {len(corpus)} utterances, {len(misses)} misses")
    assert accuracy >= 0.98, f"accuracy {accuracy:.1%}; misses:\n{report}"


def test_corpus_covers_languages_intents_and_hard_cases() -> None:
    corpus = _corpus()
    texts = [item["text"] for item in corpus]
    traditional = {chr(code) for code in load_lexicon().chars}
    assert len(corpus) >= 250
    old = ("export", "credits", "state", "upload", "edit")
    assert min(Counter(item["intent"] for item in corpus if item["intent"] in old).values()) >= 30
    tuning = yaml.safe_load(TUNING_V2.read_text(encoding="utf-8"))
    assert Counter(item["intent"] for item in corpus + tuning).keys() == set(INTENTS)
    assert min(Counter(item["intent"] for item in tuning if item["intent"] not in old).values()) >= 8
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in t) for t in texts) >= 100
    assert sum(any(c in traditional for c in t) for t in texts) >= 15
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in t) and any(c.isascii() and c.isalpha() for c in t)
               for t in texts) >= 15
    hinted = Counter(h for item in corpus for h in item.get("hints", []))
    assert {"then_edit", "then_export", "about", "sync_fix"} <= hinted.keys()
    assert len(set(texts)) == len(texts), "duplicate utterances in the corpus"


# -- the held-out sets --------------------------------------------------------------------------

def _accuracy(path: Path) -> tuple[float, list[str]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    misses = [f"  {m['text']!r}: want {m['intent']} {m.get('hints', [])}, got "
              f"{route(m['text'], m.get('attach', [])).as_dict()}" for m in items if not _is_hit(m)]
    return 1 - len(misses) / len(items), misses


def test_heldout_tuned_part_is_at_least_95_percent() -> None:
    accuracy, misses = _accuracy(HELDOUT)
    print(f"held-out (tuned part) accuracy {accuracy:.1%}")
    assert accuracy >= 0.95, f"accuracy {accuracy:.1%}; misses:\n" + "\n".join(misses)


def test_heldout_final_part_does_not_regress() -> None:
    """A regression guard on the untouched part: the level measured once, minus two points.

    Its misses are deliberately not printed: fixing them one by one would make it a tuning set.
    """
    accuracy, _ = _accuracy(HELDOUT_FINAL)
    print(f"held-out (final part) accuracy {accuracy:.1%}")
    assert accuracy >= HELDOUT_FINAL_FLOOR, f"untouched held-out accuracy fell to {accuracy:.1%}"


@pytest.mark.parametrize(("path", "floor"), [(TUNING_V2, 0.98), (TUNING_V2B, 0.98), (TUNING_V3, 0.96),
                                             (HELDOUT_V3, 0.98), (TUNING_V4, 0.94), (HELDOUT_V4, 0.97),
                                             (TUNING_V4B, 0.96), (TUNING_V4C, 0.97),
                                             (TUNING_V4D, 0.95), (TUNING_V6A, 0.97), (TUNING_V6B, 0.97),
                                             (TUNING_V6C, 0.96), (TUNING_V6D, 0.96), (HELDOUT_V6, 0.97)],
                         ids=["round1", "round2", "round3", "v3", "round4", "v4", "round4b", "round4c", "round4d",
                              "round5a", "round5b", "round5c", "round5d", "v6"])
def test_tuning_v2_accuracy_is_at_least_98_percent(path: Path, floor: float) -> None:
    accuracy, misses = _accuracy(path)
    print(f"tuning accuracy {accuracy:.1%}")
    assert accuracy >= floor, f"accuracy {accuracy:.1%}; misses:\n" + "\n".join(misses)


def test_heldout_v2_does_not_regress() -> None:
    """The issue-14 held-out set: a guard at the level measured once after tuning, minus two points.

    Its misses are deliberately not printed: fixing them one by one would make it a tuning set.
    """
    accuracy, _ = _accuracy(HELDOUT_V2)
    print(f"held-out v2 accuracy {accuracy:.1%}")
    assert accuracy >= HELDOUT_V2_FLOOR, f"held-out v2 accuracy fell to {accuracy:.1%}"


def test_heldout_v4_does_not_regress() -> None:
    """The third fresh set: measured once after round 3 (96/114), minus two points; misses not printed."""
    accuracy, _ = _accuracy(HELDOUT_V4)
    print(f"held-out v4 accuracy {accuracy:.1%}")
    assert accuracy >= 96 / 114 - 0.02, f"held-out v4 accuracy fell to {accuracy:.1%}"


def test_heldout_v5_does_not_regress() -> None:
    """The fourth fresh set: measured once after round 4 (197/212), minus two points; misses not printed."""
    accuracy, _ = _accuracy(HELDOUT_V5)
    print(f"held-out v5 accuracy {accuracy:.1%}")
    assert accuracy >= 197 / 212 - 0.02, f"held-out v5 accuracy fell to {accuracy:.1%}"


@pytest.mark.parametrize(("path", "trained_on", "chinese"), [(HELDOUT_V6, True, 0.5), (HELDOUT_V7, False, 0.5),
                                                             (HELDOUT_V8, False, 0.5), (HELDOUT_V9, False, 0.49),
                                                             (HELDOUT_V10, False, 0.5), (HELDOUT_V11, False, 0.5),
                                                             (HELDOUT_V12, False, 0.49), (HELDOUT_V13, False, 0.49),
                                                             (HELDOUT_V14, False, 0.5),
                                                             (HELDOUT_V15, False, 0.5), (HELDOUT_V16, False, 0.49),
                                                             (HELDOUT_V17, False, 0.49)])
def test_fresh_heldout_set_is_new_half_chinese_and_covers_every_intent(path: Path, trained_on: bool,
                                                                       chinese: float) -> None:
    """v6–v17 were each written apart from every set before them (v8 and v9 from one brief, with the
    fresh training sets v8a–v8n; v10 and v11 from round 8's, v12 to v15 from rounds 9 to 12's, v16 and
    v17 from round 14's). v6 is tuning data since round 6, so the model trains on it; v7–v17 stay held
    out, so they must never be in the model's training data."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    others = [p for p in path.parent.glob("router_*.yaml") if p != path]
    seen = {_normalised(item["text"]) for other in others for item in yaml.safe_load(other.read_text(encoding="utf-8"))}
    assert len(items) >= 200
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in item["text"]) for item in items) >= chinese * len(items)
    assert Counter(item["intent"] for item in items).keys() == set(INTENTS)
    assert not [item["text"] for item in items if _normalised(item["text"]) in seen]
    model = json.loads((Path(__file__).parents[2] / "skill" / "router" / "model.json").read_text(encoding="utf-8"))
    assert (path.stem in model["trained_on"]["fresh"] + model["trained_on"]["tuned"]) == trained_on


def test_heldout_v7_does_not_regress() -> None:
    """The sixth fresh set: 273/308 after round 6, 292/308 with round 7's second opinion (never trained
    on), minus two points; misses not printed."""
    accuracy, _ = _accuracy(HELDOUT_V7)
    print(f"held-out v7 accuracy {accuracy:.1%}")
    assert accuracy >= 292 / 308 - 0.02, f"held-out v7 accuracy fell to {accuracy:.1%}"


@pytest.mark.parametrize(("path", "right", "size"), [(HELDOUT_V8, 277, 294), (HELDOUT_V9, 299, 307),
                                                     (HELDOUT_V10, 275, 290), (HELDOUT_V11, 274, 306),
                                                     (HELDOUT_V12, 278, 301), (HELDOUT_V13, 286, 302),
                                                     (HELDOUT_V14, 277, 292),
                                                     (HELDOUT_V15, 284, 302), (HELDOUT_V16, 294, 307),
                                                     (HELDOUT_V17, 293, 306)])
def test_heldout_v8_to_v17_do_not_regress(path: Path, right: int, size: int) -> None:
    """Round 7's held-out sets, scored with the learned second opinion (docs/router.md, Round 7), and
    rounds 8 to 12's, each at its round's final score, and round 14's at their first (and only) score,
    minus two points; misses are not printed here."""
    accuracy, _ = _accuracy(path)
    print(f"held-out {path.stem} accuracy {accuracy:.1%}")
    assert accuracy >= right / size - 0.02, f"held-out {path.stem} accuracy fell to {accuracy:.1%}"


def test_heldout_v5_is_new_half_chinese_and_covers_every_intent() -> None:
    items = yaml.safe_load(HELDOUT_V5.read_text(encoding="utf-8"))
    older = (CORPUS, HELDOUT, HELDOUT_FINAL, TUNING_V2, TUNING_V2B, TUNING_V3, HELDOUT_V2, HELDOUT_V3, HELDOUT_V4,
             TUNING_V4, TUNING_V4B, TUNING_V4C, TUNING_V4D)
    seen = {_normalised(item["text"]) for path in older for item in yaml.safe_load(path.read_text(encoding="utf-8"))}
    assert len(items) >= 200
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in item["text"]) for item in items) * 2 >= len(items)
    assert Counter(item["intent"] for item in items).keys() == set(INTENTS)
    assert not [item["text"] for item in items if _normalised(item["text"]) in seen]


def test_heldout_v2_is_new_half_chinese_and_covers_the_new_intents() -> None:
    items = yaml.safe_load(HELDOUT_V2.read_text(encoding="utf-8"))
    seen = {_normalised(item["text"]) for path in (CORPUS, HELDOUT, HELDOUT_FINAL, TUNING_V2, TUNING_V2B, TUNING_V3,
                                                   HELDOUT_V3, HELDOUT_V4)
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))}
    assert len(items) >= 200
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in item["text"]) for item in items) * 2 >= len(items)
    assert Counter(item["intent"] for item in items).keys() == set(INTENTS)
    assert not [item["text"] for item in items if _normalised(item["text"]) in seen]


def _normalised(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def test_heldout_sets_are_new_sentences_over_all_intents() -> None:
    corpus = {_normalised(item["text"]) for item in _corpus()}
    tuned, final = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (HELDOUT, HELDOUT_FINAL))
    items = tuned + final
    assert len(items) >= 240 and len(final) * 3 >= len(items) - 2
    assert Counter(item["intent"] for item in items).keys() == {"export", "credits", "state", "upload", "edit"}
    assert Counter(item["intent"] for item in items).most_common(1)[0][0] == "edit"
    assert not [item["text"] for item in items if item["text"] and _normalised(item["text"]) in corpus]
    texts = [_normalised(item["text"]) for item in items]
    assert len(set(texts)) == len(texts)


# -- negation and deferral ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "don't export yet, first add captions", "do not export", "hold off on exporting", "先别导出，把字幕加上",
    "不要导出", "暂时不导出", "稍后再导出", "先別導出",
])
def test_negated_trigger_is_not_run(text: str) -> None:
    got = route(text)
    assert got.intent == "edit"
    assert "then_export" not in got.hints
    assert any("[negated by" in e for e in got.evidence)


@pytest.mark.parametrize("text", ["don't add music, just export", "别加音乐了，直接导出", "no worries, just export",
                                  "never mind the captions, export it", "don't forget to export", "别忘了导出",
                                  "能不能导出"])
def test_negation_stops_at_the_clause_or_a_non_negating_phrase(text: str) -> None:
    assert route(text).intent == "export"


@pytest.mark.parametrize("text", ["导出前加字幕", "add captions before exporting", "before you export, lower the music",
                                  "add captions, then export"])
def test_export_asked_for_after_an_edit_becomes_a_hint(text: str) -> None:
    got = route(text)
    assert (got.intent, got.hints) == ("edit", ("then_export",))


@pytest.mark.parametrize("text", ["once the captions are in, export it", "等我确认后再导出"])
def test_a_condition_opening_the_sentence_defers_the_trigger(text: str) -> None:
    got = route(text)
    assert (got.intent, got.hints) == ("edit", ("then_export",))


# -- questions about a thing vs. asking for it -------------------------------------------------

@pytest.mark.parametrize("text", ["what format does export use?", "how do credits work?", "what are credits?",
                                  "积分怎么算？", "为什么导出失败了", "do credits expire?"])
def test_question_about_a_feature_goes_to_the_cloud_agent(text: str) -> None:
    got = route(text)
    assert got.intent == "edit" and "about" in got.hints


@pytest.mark.parametrize(("text", "intent"), [
    ("how many credits do I have?", "credits"), ("what are my credits", "credits"), ("我的积分是多少", "credits"),
    ("can you export it?", "export"), ("怎么导出", "export"), ("what's the status", "state"),
])
def test_question_asking_for_a_thing_runs_it(text: str, intent: str) -> None:
    got = route(text)
    assert got.intent == intent and "about" not in got.hints


# -- trigger words inside edits ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["add a status bar overlay", "make the balance of music and voice better",
                                  "add end credits with the cast names", "加个进度条", "fix the white balance"])
def test_trigger_inside_an_edit_phrase_does_not_count(text: str) -> None:
    got = route(text)
    assert got.intent == "edit" and got.hints == ()
    assert any("[in '" in e for e in got.evidence)


def test_quoted_words_are_content_not_instructions() -> None:
    assert route("add a subtitle that says 'upload complete'").intent == "edit"
    assert route('add text saying "export now"').intent == "edit"
    assert route('"export"').intent == "export"  # nothing but a quote: it is the request


def test_edit_with_a_trigger_is_an_edit_then_the_trigger() -> None:
    got = route("fix the offset then export")
    assert got.intent == "edit"
    assert set(got.hints) == {"then_export", "sync_fix"}


def test_several_requests_run_in_order() -> None:
    got = route("check my credits and then export")
    assert (got.intent, got.hints) == ("credits", ("then_export",))


def test_a_request_before_then_runs_first_and_the_edit_follows() -> None:
    got = route("check my credits, then add subtitles")
    assert (got.intent, got.hints) == ("credits", ("then_edit",))
    assert route("add subtitles, then check my credits").intent == "edit"


@pytest.mark.parametrize(("text", "intent"), [
    ("is the dub done yet?", "state"), ("did the lip sync finish?", "state"), ("口型同步做完了吗", "state"),
    ("is the render finished?", "state"), ("how's my balance looking", "credits"),
    ("once the captions are done, export it", "edit"), ("is it done? export please", "export"),
])
def test_a_question_about_being_done_asks_for_the_state(text: str, intent: str) -> None:
    assert route(text).intent == intent


def test_a_verb_after_a_determiner_is_a_noun() -> None:
    assert route("what's the current status of the dub").intent == "state"
    assert route("redo the dub").intent == "edit"


def test_lexical_classes_and_gaps_expand_in_the_lexicon() -> None:
    lexicon = load_lexicon()
    texts = {p.tokens for phrases in lexicon.index.values() for p in phrases}
    assert ("finished", "mp4") in texts and ("final", "video") in texts  # '{final} {media}'
    assert ("is", "*", "done") in texts
    assert route("is the Spanish dub done?").intent == "state"  # three tokens in the gap
    # a gap never crosses a clause: no lexicon phrase matches (only the fallback model may guess)
    assert not [e for e in route("is the, uh, thing, done").evidence if not e.startswith("model:")]


def test_fillers_are_dropped_and_keyboard_slips_corrected() -> None:
    lexicon = load_lexicon()
    assert tokenize("send me uh the video", lexicon.chars, lexicon.typos) == ("send", "me", "the", "video")
    assert route("cresits pls").intent == "credits"
    assert route("send teh video to me").intent == "export"


# -- files, URLs and outputs -------------------------------------------------------------------

def test_attachments_route_to_upload_and_keep_the_instruction() -> None:
    got = route("sync this audio to the clip", ["clip.mp4", "https://example.com/voice.wav"])
    assert got.intent == "upload"
    assert got.files == ("clip.mp4",) and got.urls == ("https://example.com/voice.wav",)
    assert got.hints == ("then_edit",)


def test_plain_attachment_is_an_upload_without_hints() -> None:
    got = route("here you go", ["clip.mp4"])
    assert (got.intent, got.hints, got.confidence) == ("upload", (), 1.0)


@pytest.mark.parametrize(("text", "files", "urls"), [
    ("sync voice_es.wav to talk.mp4", ["voice_es.wav", "talk.mp4"], []),
    ("add music to 'My Holiday Clip.mp4'", ["My Holiday Clip.mp4"], []),
    ("把clip.mp4上传一下", ["clip.mp4"], []),
    ("upload C:\\Users\\me\\clip.MOV please", ["C:\\Users\\me\\clip.MOV"], []),
    ("use https://example.com/a/export.mp4.", [], ["https://example.com/a/export.mp4"]),
    ("上传这个链接 https://example.com/a.mp4，谢谢", [], ["https://example.com/a.mp4"]),
])
def test_paths_and_urls_in_the_text_are_found_in_order(text: str, files: list[str], urls: list[str]) -> None:
    got = route(text)
    assert got.intent == "upload"
    assert (list(got.files), list(got.urls)) == (files, urls)


def test_a_url_never_triggers_the_words_inside_it() -> None:
    got = route("https://example.com/export/credits.mp4")
    assert got.intent == "upload" and got.evidence == ()


def test_path_after_export_to_is_the_output_not_an_upload() -> None:
    got = route("export to ~/Desktop/final.mp4")
    assert (got.intent, got.output, got.files) == ("export", "~/Desktop/final.mp4", ())
    assert route("导出到 ~/成片.mp4").output == "~/成片.mp4"


def test_a_path_is_the_export_target_only_after_an_export() -> None:
    got = route("add subtitles to /Users/kim/talk.mp4 and export it")
    assert (got.intent, got.files, got.output) == ("upload", ("/Users/kim/talk.mp4",), None)
    assert set(got.hints) == {"then_edit", "then_export"}
    assert route("please sync D:/ad/voice.wav to D:/ad/cut.mp4").files == ("D:/ad/voice.wav", "D:/ad/cut.mp4")


def test_negated_upload_ignores_the_named_file() -> None:
    got = route("don't upload clip.mp4 again, just add music")
    assert got.intent == "edit" and got.files == ("clip.mp4",)


def test_offset_complaint_adds_sync_fix() -> None:
    assert route("the audio is 200ms ahead, fix it", ["a.mp4", "b.wav"]).hints == ("then_edit", "sync_fix")
    assert route("音画不同步").hints == ("sync_fix",)


# -- normalisation, typos, language ------------------------------------------------------------

@pytest.mark.parametrize(("text", "intent"), [
    ("ＥＸＰＯＲＴ", "export"), ("導出", "export"), ("匯出影片", "export"), ("積分還剩多少", "credits"),
    ("輸出影片", "export"), ("幫我匯出條片", "export"),
    ("exprot", "export"), ("credts", "credits"), ("uplaod", "upload"), ("stauts?", "state"),
    ("dont exprot yet", "edit"),
])
def test_width_case_script_and_typos_are_normalised(text: str, intent: str) -> None:
    assert route(text).intent == intent


def test_typo_variants_are_swaps_and_drops_but_never_real_words() -> None:
    variants = typo_variants(["export", "credits"], not_typos=["credit"])
    assert variants["exprot"] == variants["xport"] == "export"
    assert "credit" not in variants and "export" not in variants


def test_no_generated_typo_shadows_a_lexicon_word() -> None:
    lexicon = load_lexicon()
    words = {token for phrases in lexicon.index.values() for p in phrases for token in p.tokens}
    clashes = {v: w for v, w in lexicon.typos.items() if v in words and v != w}
    assert not clashes


def test_tokens_split_numbers_from_units_and_keep_chinese_per_character() -> None:
    lexicon = load_lexicon()
    assert tokenize("帮我Export一下 200ms, don’t", lexicon.chars, lexicon.typos) == (
        "帮", "我", "export", "一", "下", "200", "ms", ",", "don't")


@pytest.mark.parametrize(("text", "lang"), [("export", "en"), ("帮我 export 一下", "zh"), ("導出", "zh")])
def test_language_is_detected(text: str, lang: str) -> None:
    assert route(text).lang == lang


def test_nothing_matched_is_a_low_confidence_edit() -> None:
    got = route("hmm")
    assert (got.intent, got.evidence, got.hints, got.confidence) == ("edit", (), (), 0.5)


def test_a_very_long_message_is_routed_on_its_beginning() -> None:
    assert route("export " + "a " * 100_000).intent == "export"
    assert route("a " * 100_000 + "export").intent == "edit"
    assert route("./" * 20_000 + ".mp4 " + "「" * 20_000).intent == "edit"  # pathological, and bounded


def test_route_is_json_safe() -> None:
    data = route("export to out.mp4").as_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"intent", "lang", "evidence", "files", "urls", "hints", "output", "confidence"}


# -- the lexicon files ---------------------------------------------------------------------------

def test_lexicon_entries_are_strings_without_duplicates() -> None:
    for path in LEXICON_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, section in data.items():
            groups = section.values() if isinstance(section, dict) and name != "extra" else [section]
            for group in groups:
                if isinstance(group, list):
                    assert all(isinstance(p, str) and p.strip() for p in group), f"{path.name}:{name}"
                    assert len(set(group)) == len(group), f"duplicates in {path.name}:{name}"


def test_traditional_map_is_one_character_to_another() -> None:
    pairs = yaml.safe_load((LEXICON_DIR / "t2s.yaml").read_text(encoding="utf-8"))["pairs"].split()
    assert all(len(p) == 2 and p[0] != p[1] for p in pairs)
    assert len({p[0] for p in pairs}) == len(pairs)


def test_compiled_lexicon_is_cached_and_rebuilt_when_a_yaml_file_changes(tmp_path: Path) -> None:
    for name in SOURCES:
        shutil.copy(LEXICON_DIR / f"{name}.yaml", tmp_path)
    load = load_lexicon.__wrapped__  # bypass the per-process memo
    first = load(tmp_path)
    assert len(list((tmp_path / "__pycache__").glob("lexicon-*.pickle"))) == 1
    assert load(tmp_path) == first
    intents = tmp_path / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    intents.write_text(text.replace("    - export\n", "    - export\n    - ship it\n", 1), encoding="utf-8")
    rebuilt = load(tmp_path)
    assert any(p.text == "ship it" for p in rebuilt.index["ship"])
    assert len(list((tmp_path / "__pycache__").glob("lexicon-*.pickle"))) == 1


def test_a_torn_cache_file_is_rebuilt(tmp_path: Path) -> None:
    for name in SOURCES:
        shutil.copy(LEXICON_DIR / f"{name}.yaml", tmp_path)
    load_lexicon.__wrapped__(tmp_path)
    (cached,) = (tmp_path / "__pycache__").glob("lexicon-*.pickle")
    for torn in (cached.read_bytes()[:100], b"", b"\x80\x05N."):  # cut short, empty, a pickled None
        cached.write_bytes(torn)
        assert "export" in load_lexicon.__wrapped__(tmp_path).index


def test_a_failed_cache_write_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SOURCES:
        shutil.copy(LEXICON_DIR / f"{name}.yaml", tmp_path)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pickle, "dump", disk_full)
    assert "export" in load_lexicon.__wrapped__(tmp_path).index
    assert list((tmp_path / "__pycache__").iterdir()) == []


def test_unwritable_cache_still_routes(tmp_path: Path) -> None:
    for name in SOURCES:
        shutil.copy(LEXICON_DIR / f"{name}.yaml", tmp_path)
    (tmp_path / "__pycache__").write_text("not a directory")
    assert "export" in load_lexicon.__wrapped__(tmp_path).index


def test_routing_from_the_cache_imports_no_yaml() -> None:
    load_lexicon()  # writes the cache in the checkout, as the first run after an install does
    code = "import sys, skill.router as r; r.route('导出'); print('yaml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "False"


def test_router_import_is_light() -> None:
    code = ("import sys, skill.router; "
            "print(sorted(m for m in ('yaml', 'pydantic', 'httpx', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"


# -- the command -------------------------------------------------------------------------------

def test_route_command_prints_the_route_as_json(cli: Any) -> None:
    result = cli("route", "sync this audio to the clip", "--attach", "clip.mp4", "--attach", "voice.wav", "--json")
    assert result.code == 0
    assert result.json()["intent"] == "upload"
    assert result.json()["files"] == ["clip.mp4", "voice.wav"]
    assert result.json()["hints"] == ["then_edit"]


def test_route_command_speaks_the_persons_language(cli: Any) -> None:
    zh = cli("route", "先别导出，把字幕加上")
    en = cli("route", "export to out.mp4")
    assert zh.code == en.code == 0
    assert zh.out.startswith("→ 编辑") and "别" in zh.out
    assert en.out.startswith("→ export") and "out.mp4" in en.out


def test_route_command_refuses_an_empty_sentence(cli: Any) -> None:
    result = cli("route", "  ")
    assert result.code == 2
    assert "Traceback" not in result.err and result.err.strip()


def test_route_json_imports_no_http_or_templates() -> None:
    code = ("import sys, io, contextlib; from skill.cli import main; "
            "out = io.StringIO()\nwith contextlib.redirect_stdout(out): main(['route', '导出', '--json'])\n"
            "print(sorted(m for m in ('httpx', 'jinja2', 'pydantic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"


# -- issue 14: what people mean -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "intent"), [
    ("The user wrote: 'export it'", "export"), ("Message from user: any credits left?", "credits"),
    ("用户的原话是：「加个标题」", "edit"), ("客户说「搞好未」", "state"),
    ("add a caption for the user: 'welcome'", "edit"),  # a person but no saying: not a relay
    # round 13: a saying closing a short prefix is a relay whoever speaks…
    ("The sound team asks: 'how many credits are left?'", "credits"), ("市场部讲：「出片吧」", "export"),
    ("our dean just emailed: is the lecture video finished", "state"),
    # …but not a title, a caption or the app's own words
    ("make the end card say: 'export complete'", "edit"), ("the subtitles say 'credits', fix the spelling", "edit"),
])
def test_a_relayed_message_is_routed_on_the_persons_words(text: str, intent: str) -> None:
    assert route(text).intent == intent


def test_a_relayed_message_speaks_the_persons_language() -> None:
    assert route("The user wrote: '还剩多少积分'").lang == "zh"


@pytest.mark.parametrize(("text", "intent"), [
    ("done?", "state"), ("did my audio get uploaded?", "state"), ("视频上传成功了吗", "state"),
    ("做好未", "state"), ("还要多久", "state"), ("字幕加上了没", "state"), ("done, export it", "export"),
])
def test_status_questions_without_a_status_word(text: str, intent: str) -> None:
    assert route(text).intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("that export used a ton of credits, how many are left?", "credits"),
    ("the export from this morning has the wrong logo, change it", "edit"),
    ("把之前上传的配音换上去", "edit"), ("字幕已经加好了，直接导出吧", "export"),
    ("send me the mp4, I want to put it on Instagram", "export"), ("Please proceed with the export.", "export"),
    ("after all those dubs, what's my balance?", "credits"),
])
def test_a_keyword_is_not_the_meaning(text: str, intent: str) -> None:
    got = route(text)
    assert got.intent == intent and "then_export" not in got.hints


@pytest.mark.parametrize(("text", "attach", "intent"), [
    ("export the viseme timing for Moho", ["line.wav"], "mouth_cues"),
    ("把这段台词做成口型数据", ["line.wav"], "mouth_cues"),
    ("make my cartoon say this line", ["toon.png", "l.wav"], "animate"),
    ("给我画的角色对口型", ["c.png", "v.wav"], "animate"),
    ("make this photo talk", ["p.jpg", "v.wav"], "talk"),
    ("the dub is longer than the video", ["v.mp4", "d.wav"], "fit"),
    ("按原视频的停顿调整配音", ["v.mp4", "d.wav"], "fit"),
    ("are the lips in sync?", ["r.mp4"], "face_check"),
    ("口型对吗", ["r.mp4"], "face_check"),
])
def test_local_capabilities_win_over_files_and_trigger_words(text: str, attach: list[str], intent: str) -> None:
    got = route(text, attach)
    assert got.intent == intent and "sync_fix" not in got.hints
    assert got.files == tuple(attach)


@pytest.mark.parametrize("text", ["what is a viseme?", "don't make the cartoon talk yet",
                                  "the lip sync is off", "配音和口型对不上"])
def test_questions_negations_and_plain_sync_complaints_stay_where_they_were(text: str) -> None:
    assert route(text).intent == "edit"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("intent", INTENTS)
def test_the_route_summary_names_every_intent_and_hint(intent: str, lang: str) -> None:
    from skill.replies import render

    text = render("route/summary", lang, intent=intent, hints=["cloud", "sync_fix"], files=[], urls=[], output=None,
                  evidence=[])
    assert text.startswith("→ ") and "cloud" not in text[2:4]


# -- round 5: classes of status question, files that name a capability, content after a colon -----

@pytest.mark.parametrize(("text", "intent"), [
    ("bro it's been ages", "state"), ("你那边是不是出问题了", "state"), ("字幕到底加没加上去", "state"),
    ("音樂換咗未", "state"), ("这个视频导出了吗", "state"), ("where's my vid at", "state"),
    ("why is the export so slow?", "edit"), ("why is it so slow", "state"),
    ("可以导出了吗？可以的话就导吧", "export"), ("my client asks: \"did you get the video I uploaded?\"", "state"),
])
def test_status_questions_by_class_not_by_phrase(text: str, intent: str) -> None:
    assert route(text).intent == intent


@pytest.mark.parametrize(("text", "attach", "intent"), [
    ("bring this cartoon frog to life with the voice clip", ["frog.png", "v.wav"], "animate"),
    ("this selfie + this audio = talking video please", ["selfie.jpg", "a.wav"], "talk"),
    ("這段錄音的音素時間軸給我", ["r.wav"], "mouth_cues"),
    ("add this audio to the timeline", ["a.wav"], "upload"),
    ("is the lip sync in this export any good?", ["export.mp4"], "face_check"),
])
def test_the_files_sent_and_a_class_of_words_name_a_local_capability(text: str, attach: list[str],
                                                                       intent: str) -> None:
    assert route(text, attach).intent == intent


def test_text_after_should_read_is_content_and_letter_runs_collapse() -> None:
    assert route("title should read: Is It Done Yet?").intent == "edit"
    assert route("y is it so slooow").intent == "state"
    assert tokenize("soooo", load_lexicon().chars, {}) == ("so",)


def test_a_quoted_message_closing_a_longer_note_is_routed_on_its_words() -> None:
    note = "Context for you: the user asked me to check. They wrote: 'did it work? nothing shows up'"
    assert route(note).intent == "state"
    assert route("Relaying: \"please export it\"").intent == "export"


def test_an_edit_verb_before_de_is_a_modifier() -> None:
    got = route("修改的部分都没问题了，麻烦把最后的影片传给我")
    assert got.intent == "export" and "then_export" not in got.hints


@pytest.mark.parametrize(("text", "intent"), [
    ('{"user": "send me the final mp4"}', "export"), ('{"message": "仲未好？", "sender": "user"}', "state"),
    ("客服转述：用户说“我的视频是不是卡住了”", "state"), ("嗯？", "state"), ("hm?", "state"),
    ("The co-host says 'what's my balance' as a joke at 14:00; bleep the next word, not that.", "edit"),
    ("有没有把我喘气的声音去掉", "state"),
])
def test_json_nested_relays_nudges_and_quotes_with_apostrophes(text: str, intent: str) -> None:
    assert route(text).intent == intent


def test_a_face_question_with_only_a_photo_is_a_face_check() -> None:
    assert route("幫我檢查一下這張照片的臉能不能用", ["lian.jpg"]).intent == "face_check"
    assert route("is the face in this picture clear enough to make it talk? only checking",
                 ["passport.jpg"]).intent == "face_check"
    assert route("make this photo talk", ["p.jpg", "v.wav"]).intent == "talk"
