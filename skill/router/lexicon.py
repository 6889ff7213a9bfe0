"""The router's lexicons: read ``skill/router/*.yaml`` once, tokenise every phrase, index by first token.

Importing PyYAML and tokenising ~500 phrases costs more than the rest of a ``route`` cold start,
so the compiled lexicon is kept in ``skill/router/__pycache__`` and rebuilt whenever a YAML file or
the tokenizer changes (the same stat-based rule Python uses for ``.pyc`` files). A read-only install
simply compiles in memory each time. Since round 6 the cache holds the built index itself, pickled
(the package's own ``__pycache__``, trusted like the ``.pyc`` files beside it), and is read with the
garbage collector paused: the 18,000 class-expanded phrases made JSON parsing plus indexing ~60 ms of
every cold start, unpickling takes ~20 ms.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from skill.router import text as tokenizer_module
from skill.router.pickled import fingerprint, load_pickled
from skill.router.text import RelayWords, changes_pattern, tokenize

LEXICON_DIR = Path(__file__).resolve().parent  # the YAML files sit beside this module
SOURCES = ("intents", "markers", "typos", "t2s")
_FORMAT = 13  # bump when the cached layout (the pickled Lexicon) changes
GAP = "*"  # in a phrase: up to ``gap`` tokens of the same clause ("is * done" matches "is the dub done")

# Lexicon sections whose phrases carry no intent label.
_INTENT_MARKERS = ("edit_verbs", "edit_nouns", "sync_fix", "about", "about_before", "about_after", "drawn_words",
                   "photo_words", "lipsync_verbs", "cloud_words", "face_words", "check_words", "dub_words",
                   "fit_words", "price_words", "speak_words", "cue_words", "courtesy",
                   "opinion_words")
_CLASS = re.compile(r"\{(\w+)\}")  # a lexical class in a phrase: "{final} {media}"
# RelayWords' fields and the markers.yaml sections they are read from.
_RELAY_KEYS = {"people": "relay_people", "saying": "relay_saying", "alone": "relay_alone",
               "not_relayers": "not_relayers"}
_MARKERS = ("negation_before", "negation_after", "defer_before", "defer_after", "condition_start", "clause_breaks",
            "sequence", "question_end", "determiners", "negation_reply", "past", "past_after", "noun_after",
            "articles", "question_before")


class Phrase(NamedTuple):
    kind: str  # a lexicon section: "triggers", "shadows", "edit_verbs", "negation_before", …
    label: str  # the intent for triggers and shadows ("negation" for not_negation), else ""
    text: str  # as written in the lexicon, for the evidence list
    tokens: tuple[str, ...]


Phrases = tuple[Phrase, ...]
# The phrases of three tokens or more that share their first three, as (the candidates when the fourth
# token narrows nothing down, fourth token → the candidates then). A small group is (all of it, {});
# a large one ("send me the {final} {media}" alone spells 18) is narrowed by ``_longer``.
Longer = tuple[Phrases, dict[str, Phrases]]
# second token → (two-token phrases and those with a gap third, in lexicon order; the two-token ones
# alone; the first token after the gap of the others; third token → the longer phrases)
Following = dict[str, tuple[Phrases, Phrases, frozenset[str], dict[str, Longer]]]
_NO_TAILS: frozenset[str] = frozenset()  # shared (pickled once)
_BY_FOURTH = 4  # a group of this many longer phrases is also indexed by its fourth token
_NO_FOURTH: dict[str, Phrases] = {}  # shared by the smaller groups (pickled once), never written to


# The phrases starting with one token, as the matcher walks them (``Lexicon.pairs``): (one-token
# phrases, the others by their second token and third so that most probes miss on one lookup, those
# with a gap second ("what * formats") by the token after the gap). A plain tuple: a NamedTuple
# would cost a Python-level __new__ per entry when the cache is unpickled.
Entry = tuple[Phrases, Following, dict[str, Phrases]]


@dataclass(frozen=True, slots=True)
class Lexicon:
    index: dict[str, Phrases]  # first token → the phrases starting with it
    pairs: dict[str, Entry]  # first token → its phrases by their next tokens: what the matcher walks, so a
    # common first word (or a class spelt in every combination) costs little
    chars: dict[int, str]  # traditional → simplified, for str.translate
    typos: dict[str, str]
    words: tuple[tuple[str, str], ...]  # regional word → the mainland word, after chars
    output_words: tuple[str, ...]
    window: int  # tokens a "before" marker may stand ahead of its trigger
    after_window: int  # tokens an "after" marker may follow its trigger
    gap: int  # most tokens a ``*`` in a phrase may stand for
    relay: RelayWords  # what makes a short prefix a relay ("The user wrote: '…'")
    changes: str  # a pattern finding what chars or words would change (text.changes_pattern)


@cache
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """The indexed lexicon, from the cache when it is fresh, else compiled from the YAML."""
    cache_file = directory / "__pycache__" / f"lexicon-{_fingerprint(directory)}.pickle"
    paused = gc.isenabled()
    gc.disable()  # tens of thousands of small tuples: collections during the build only cost time
    try:
        return load_pickled(cache_file, _FORMAT, Lexicon, lambda: _index(compile_lexicon(directory)))
    finally:
        if paused:
            gc.enable()


def compile_lexicon(directory: Path = LEXICON_DIR) -> dict[str, Any]:
    """Parse the YAML files and tokenise every phrase (JSON-safe; :func:`_index` builds the lexicon)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
    data = {name: yaml.load((directory / f"{name}.yaml").read_text(encoding="utf-8"), Loader=loader)
            for name in SOURCES}
    intents, markers, typo_data = data["intents"], data["markers"], data["typos"]
    chars = {ord(pair[0]): pair[1] for pair in data["t2s"]["pairs"].split()}
    words = [[regional.translate(chars), mainland] for regional, mainland in data["t2s"].get("words", {}).items()]
    if any(chr(code).isascii() for code in chars) or any(regional.isascii() for regional, _ in words):
        raise ValueError("t2s.yaml maps Chinese only: normalise() skips it for an ASCII sentence")
    typos = typo_variants(typo_data["generate"], typo_data.get("not_typos", ()))
    typos.update(typo_data.get("extra", {}))
    typos.update(dict.fromkeys(typo_data.get("fillers", ()), ""))

    classes = intents.get("classes", {})

    def phrases(kind: str, label: str, texts: Sequence[str]) -> list[list[Any]]:
        return [[kind, label, text, _phrase_tokens(variant, chars, typos, words)]
                for text in texts for variant in expand(text, classes)]

    rows: list[list[Any]] = []
    for section in ("triggers", "shadows"):
        for label, texts in intents[section].items():
            rows += phrases(section, label, texts)
    for section in _INTENT_MARKERS:
        rows += phrases(section, "", intents[section])
    for section in _MARKERS:
        rows += phrases(section, "", markers[section])
    rows += phrases("shadows", "negation", markers["not_negation"])
    rows += phrases("done", "state", intents["done_questions"])
    regional = [(left, right) for left, right in words]
    return {"format": _FORMAT, "phrases": rows, "chars": {str(k): v for k, v in chars.items()}, "typos": typos,
            "words": words,
            "output_words": markers["output_before"], "window": markers["window"],
            "after_window": markers["after_window"], "gap": markers["gap"],
            **{key: [t for w in markers[key] for t in tokenize(w, chars, {}, regional)]
               for key in _RELAY_KEYS.values()}}


def expand(text: str, classes: dict[str, Sequence[str]]) -> list[str]:
    """Every spelling of a phrase written with lexical classes: "{done} yet" → "done yet", "ready yet", …"""
    match = _CLASS.search(text)
    if not match:
        return [text]
    head, tail = text[: match.start()], text[match.end():]
    return [variant for member in classes[match.group(1)] for variant in expand(head + member + tail, classes)]


def _phrase_tokens(text: str, chars: dict[int, str], typos: dict[str, str], words: Any) -> list[str]:
    parts = [list(tokenize(part, chars, typos, words)) for part in text.split(GAP, 1)]
    return parts[0] + [GAP] + parts[1] if len(parts) == 2 and parts[0] and parts[1] else parts[0]


# Neighbours on a QWERTY keyboard: a slipped finger types one of these instead of the letter.
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR = {c: "".join(row[j] for row in _KEYS[max(0, r - 1): r + 2] for j in range(max(0, i - 1), i + 2)
                    if j < len(row) and row[j] != c)
         for r, line in enumerate(_KEYS) for i, c in enumerate(line)}
_SLIP_MIN = 6  # words this long also get one neighbouring-key slip and one doubled letter


def typo_variants(words: Sequence[str], not_typos: Sequence[str] = ()) -> dict[str, str]:
    """Every adjacent swap and single dropped letter of each word, mapped back to the word; for
    longer words also one letter replaced by a neighbouring key or doubled ("cresits", "exporrt")."""
    keep = set(not_typos) | set(words)
    variants: dict[str, str] = {}
    for word in words:
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
        drops = {word[:i] + word[i + 1:] for i in range(len(word))}
        slips: set[str] = set()
        if len(word) >= _SLIP_MIN:
            slips = {word[:i] + near + word[i + 1:] for i, c in enumerate(word) for near in _NEAR.get(c, "")}
            slips |= {word[:i] + c + word[i:] for i, c in enumerate(word)}
        for variant in swaps | drops | slips:
            if variant not in keep:
                variants[variant] = word
    return variants


def _index(compiled: dict[str, Any]) -> Lexicon:
    index: dict[str, list[Phrase]] = {}
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for kind, label, text, tokens in compiled["phrases"]:
        key = (kind, label, tuple(tokens))
        if tokens and key not in seen:  # a class can spell a phrase that is also listed
            seen.add(key)
            index.setdefault(tokens[0], []).append(Phrase(kind, label, text, tuple(tokens)))
    chars = {int(k): v for k, v in compiled["chars"].items()}
    words = tuple((regional, mainland) for regional, mainland in compiled["words"])
    return Lexicon({first: tuple(group) for first, group in index.items()}, _by_pair(index), chars,
                   compiled["typos"], words, tuple(compiled["output_words"]), int(compiled["window"]),
                   int(compiled["after_window"]), int(compiled["gap"]),
                   RelayWords(**{field: frozenset(compiled[key]) for field, key in _RELAY_KEYS.items()}),
                   changes_pattern(chars, words))


def _by_pair(index: dict[str, list[Phrase]]) -> dict[str, Entry]:
    pairs = {}
    for first, group in index.items():
        following: dict[str, tuple[list[Phrase], dict[str, list[Phrase]]]] = {}
        gapped: dict[str, list[Phrase]] = {}  # "is * done": by the token after the gap ("done")
        for phrase in group:
            tokens = phrase.tokens
            if len(tokens) > 2 and tokens[1] == GAP:
                gapped.setdefault(tokens[2], []).append(phrase)
            elif len(tokens) > 1:
                two, three = following.setdefault(tokens[1], ([], {}))
                if len(tokens) > 2 and tokens[2] != GAP:  # "声音慢过嘴": by the second and third tokens
                    three.setdefault(tokens[2], []).append(phrase)
                else:
                    two.append(phrase)
        pairs[first] = (tuple(p for p in group if len(p.tokens) == 1),
                        {second: _after_second(two, three) for second, (two, three) in following.items()},
                        {tail: tuple(more) for tail, more in gapped.items()})
    return pairs


def _after_second(two: list[Phrase], three: dict[str, list[Phrase]]
                  ) -> tuple[Phrases, Phrases, frozenset[str], dict[str, Longer]]:
    gapped = [p for p in two if len(p.tokens) > 2]  # "口型 * 数据": tokens[2] is the gap
    if not gapped:
        both = exact = tuple(two)
        tails = _NO_TAILS
    else:
        both, exact = tuple(two), tuple(p for p in two if len(p.tokens) == 2)
        tails = frozenset(p.tokens[3] for p in gapped)
    return both, exact, tails, {third: _longer(more) for third, more in three.items()}


def _longer(group: list[Phrase]) -> Longer:
    """A group's phrases that can match whatever comes fourth (three tokens long, or a gap fourth), and
    by fourth token those plus the ones with that fourth token: each in lexicon order, so the matcher
    finds what it found in the whole group, in the same order, checking far fewer."""
    if len(group) < _BY_FOURTH:
        return tuple(group), _NO_FOURTH

    def any_fourth(phrase: Phrase) -> bool:
        return len(phrase.tokens) == 3 or phrase.tokens[3] == GAP

    fourths = dict.fromkeys(p.tokens[3] for p in group if not any_fourth(p))
    return (tuple(p for p in group if any_fourth(p)),
            {fourth: tuple(p for p in group if any_fourth(p) or p.tokens[3] == fourth) for fourth in fourths})


def _fingerprint(directory: Path) -> str:
    """Changes whenever a source YAML file, the tokenizer or this module (the pickled layout) changes."""
    paths = [directory / f"{name}.yaml" for name in SOURCES] + [Path(tokenizer_module.__file__), Path(__file__)]
    return f"{_FORMAT}-{fingerprint(paths)}"
