"""The deterministic bilingual intent router: one sentence (plus attachments) → one of five intents.

``export``, ``credits``, ``state`` and ``upload`` skip the cloud agent; everything else is ``edit``
(one SSE turn). No model and no network: lexicons in ``skill/router/*.yaml`` are matched on
normalised tokens (``skill.router.text``), then a few rules decide what naive keyword tables get
wrong:

1. *Shadows*: a trigger inside a longer phrase that means an edit ("status bar", "balance of music
   and voice", "end credits") does not count.
2. *Negation and deferral*: "don't export yet", "先别导出", "hold off on exporting" drop the trigger
   (within a few tokens, never across a clause; "don't forget to", "能不能" do not negate);
   "before exporting", "导出前" and a sentence opening with a condition ("once …", "等…") drop it
   now but keep it as a ``then_<intent>`` hint.
3. *About vs. asking*: "how do credits work?", "what format does export use?", "why did my export
   fail?" are questions for the cloud agent (``edit`` + hint ``about``); "how many credits do I
   have?" asks for them (``credits``).
4. *Files*: attachments, paths or URLs in the text → ``upload`` (hint ``then_edit`` if the text also
   carries an instruction). A path after "export to …" is the output, not an upload.
5. *Edit + trigger*: "add captions then export" → ``edit`` with hint ``then_export``; a request
   before "then" and an edit ("check my credits, then add subtitles") → the request + ``then_edit``.
6. *Quoted words are content*: "add a title that says 'upload complete'" is an edit.
7. *Done-questions*: "is the dub ready yet?", "口型同步做完了吗" ask for ``state``; the work they name
   is their subject, not a request, and they yield to a real request ("is it done? export please").
8. *Nouns*: an edit verb right after a determiner is a thing ("the status of the dub").

Lexicon phrases may use lexical classes ("{final} {media}") and a gap ("is * done"): see
``skill/router/intents.yaml`` and docs/router.md (held-out accuracy and how it was measured).

Hints: ``then_edit`` (after an upload, or after a request that came first), ``then_<intent>``,
``sync_fix`` (an offset/drift complaint the offline engine may fix), ``about``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from skill.media.names import is_web_url
from skill.replies import Lang, detect_lang
from skill.router.lexicon import GAP, Lexicon, Phrase, load_lexicon
from skill.router.text import PUNCTUATION, Reference, extract_references, tokenize, without_quotes

Intent = Literal["export", "credits", "state", "upload", "edit"]
INTENTS: tuple[Intent, ...] = ("export", "credits", "state", "upload", "edit")
# Longer messages are routed on their first MAX_CHARS characters (a pasted script is an edit anyway,
# and the chat handler still sends all of it): every scan stays bounded whatever arrives.
MAX_CHARS = 10_000


class Match(NamedTuple):
    phrase: Phrase
    start: int  # token index
    end: int


@dataclass(frozen=True)
class Route:
    """Where an utterance goes, and why (``evidence`` lists the lexicon entries that decided it)."""

    intent: Intent
    lang: Lang
    evidence: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    output: str | None = None
    confidence: float = 0.5

    def as_dict(self) -> dict[str, Any]:
        return {"intent": self.intent, "lang": self.lang, "evidence": list(self.evidence),
                "files": list(self.files), "urls": list(self.urls), "hints": list(self.hints),
                "output": self.output, "confidence": self.confidence}


def route(utterance: str, attachments: Sequence[str] = ()) -> Route:
    """Route one utterance; ``attachments`` are paths or http(s) URLs the person sent with it."""
    lexicon = load_lexicon()
    utterance = (utterance or "")[:MAX_CHARS]
    rest, references = extract_references(utterance, lexicon.output_words)
    text = without_quotes(rest)
    tokens = tokenize(text, lexicon.chars, lexicon.typos, lexicon.words)
    # Where each possible export target stands, in tokens: "export … to <path>" needs the export first.
    slots = {r.start: len(tokenize(text[: r.start], lexicon.chars, lexicon.typos, lexicon.words))
             for r in references if r.output_slot and not r.is_url}
    return _decide(_Analysis(tokens, _find(tokens, lexicon), lexicon), references, slots,
                   attachments, detect_lang(utterance))


def _find(tokens: tuple[str, ...], lexicon: Lexicon) -> list[Match]:
    matches: list[Match] = []
    pairs, last = lexicon.pairs, len(tokens) - 1
    for i, token in enumerate(tokens):
        entry = pairs.get(token)
        if entry is None:
            continue
        singles, longer = entry
        matches += [Match(phrase, i, i + 1) for phrase in singles]
        if not longer:
            continue
        if i < last:
            for phrase in longer.get(tokens[i + 1], ()):
                end = i + len(phrase.tokens)
                if GAP in phrase.tokens:
                    end = _gapped(tokens, i, phrase.tokens, lexicon.gap)
                elif tokens[i:end] != phrase.tokens:
                    continue
                if end:
                    matches.append(Match(phrase, i, end))
        for phrase in longer.get(GAP, ()):  # "what * formats": the gap right after the first token
            if end := _gapped(tokens, i, phrase.tokens, lexicon.gap):
                matches.append(Match(phrase, i, end))
    return matches


def _gapped(tokens: tuple[str, ...], i: int, pattern: tuple[str, ...], gap: int) -> int:
    """The end of ``pattern`` ("is", "*", "done") matched at ``i`` with one to ``gap`` tokens of one
    clause for the ``*``; 0 if it does not match."""
    star = pattern.index(GAP)
    head, tail = pattern[:star], pattern[star + 1:]
    if tokens[i:i + star] != head:
        return 0
    for j in range(i + star, min(i + star + gap, len(tokens))):
        if tokens[j] in PUNCTUATION:
            return 0
        if tokens[j + 1:j + 1 + len(tail)] == tail:
            return j + 1 + len(tail)
    return 0


class _Analysis:
    """The matches of one utterance, with shadowed ones removed and clause numbers per token."""

    def __init__(self, tokens: tuple[str, ...], matches: list[Match], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.evidence: list[str] = []
        shadows = [m for m in matches if m.phrase.kind == "shadows"]
        self._by_kind: dict[str, list[Match]] = {}
        for m in matches:
            if m.phrase.kind == "shadows" or not self._shadowed(m, shadows):
                self._by_kind.setdefault(m.phrase.kind, []).append(m)
        self.clause = self._clauses(tokens)

    def _shadowed(self, match: Match, shadows: list[Match]) -> bool:
        for shadow in shadows:
            if shadow.start <= match.start and match.end <= shadow.end:
                self.evidence.append(f"{_tag(match)}[in '{shadow.phrase.text}']")
                return True
        return False

    def _clauses(self, tokens: tuple[str, ...]) -> list[int]:
        bumps = [0] * (len(tokens) + 1)
        for i, token in enumerate(tokens):
            if token in PUNCTUATION:
                bumps[i + 1] += 1
        for m in self.of("clause_breaks"):
            bumps[m.end] += 1
        clause, total = [], 0
        for bump in bumps:
            total += bump
            clause.append(total)
        return clause

    def of(self, kind: str) -> list[Match]:
        return self._by_kind.get(kind, [])

    def marked(self, target: Match, before: str, after: str) -> Match | None:
        """A marker of kind ``before`` shortly before ``target``, or ``after`` right after it, same clause."""
        for m in self.of(before):
            if m.end <= target.start and target.start - m.end <= self.lexicon.window and self.same(m, target):
                return m
        for m in self.of(after):
            if m.start >= target.end and m.start - target.end <= self.lexicon.after_window and self.same(m, target):
                return m
        return None

    def deferral(self, trigger: Match) -> Match | None:
        """A condition opening the sentence ("once …, export it"), or a deferral marker by the trigger."""
        for m in self.of("condition_start"):
            if m.start == 0 and m.end <= trigger.start:
                return m
        return self.marked(trigger, "defer_before", "defer_after")

    def answered_no(self, trigger: Match) -> Match | None:
        """A clause that opens with "not yet" / "先不" right after the trigger's clause ("export? not yet")."""
        for m in self.of("negation_reply"):
            if self.clause[m.start] == self.clause[trigger.start] + 1 and (
                    m.start == 0 or self.clause[m.start - 1] != self.clause[m.start]):
                return m
        return None

    def done_questions(self) -> list[Match]:
        """"is the dub done?", "渲染好了吗": asked as a question (at the clause start, before "?"/"yet",
        or ending in a question particle) they ask for the state; the matched words are their subject."""
        ends = self.of("question_end")
        return [m for m in self.of("done")
                if m.start == 0 or self.clause[m.start] != self.clause[m.start - 1]
                or any(q.start == m.end or (m.start <= q.start and q.end == m.end) for q in ends)]

    def same(self, a: Match, b: Match) -> bool:
        return self.clause[a.start] == self.clause[b.start]

    def is_about(self, trigger: Match) -> Match | None:
        """The question marker that makes ``trigger`` the topic of a question, if any."""
        for m in self.of("about"):
            if self.same(m, trigger) and not (trigger.start <= m.start < trigger.end):
                return m
        for m in self.of("about_before"):
            if m.end == trigger.start:
                return m
        for m in self.of("about_after"):
            if m.start == trigger.end:
                return m
        return None


def _within(inner: Match, outer: Match) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _tag(match: Match) -> str:
    phrase = match.phrase
    kind = phrase.label if phrase.kind in ("triggers", "shadows") else phrase.kind
    return f"{kind}:{phrase.text}"


@dataclass
class _Triggers:
    active: list[Match]  # asked for now
    later: list[str]  # intents wanted after the edit ("before exporting…", "导出前…")
    negated: set[str]
    about: bool  # some trigger was only the topic of a question


# Triggers a done-question takes in: work in progress it asks about ("did the upload finish?") and
# state words it repeats ("is it done?"), so that the question yields to a request ("is it done? export
# please"). A balance is not work ("how's my balance looking?" asks for it).
_PROCESSES = frozenset({"export", "upload", "state"})


def _triggers(analysis: _Analysis) -> _Triggers:
    found = _Triggers([], [], set(), False)
    done = analysis.done_questions()
    for trigger in analysis.of("triggers") + done:
        label = trigger.phrase.label
        if label in _PROCESSES and trigger.phrase.kind == "triggers" and (
                inside := next((d for d in done if _within(trigger, d)), None)):
            analysis.evidence.append(f"{_tag(trigger)}[in '{inside.phrase.text}']")  # "is the render done?"
            continue
        if marker := analysis.is_about(trigger):  # before negation: "why can't I export?" asks about it
            analysis.evidence.append(f"{_tag(trigger)}[topic of '{marker.phrase.text}']")
            found.about = True
        elif marker := analysis.marked(trigger, "negation_before", "negation_after") or analysis.answered_no(trigger):
            analysis.evidence.append(f"{_tag(trigger)}[negated by '{marker.phrase.text}']")
            found.negated.add(label)
        elif marker := analysis.deferral(trigger):
            analysis.evidence.append(f"{_tag(trigger)}[deferred by '{marker.phrase.text}']")
            found.later.append(label)
        else:
            analysis.evidence.append(_tag(trigger))
            found.active.append(trigger)
    return found


def _instruction(analysis: _Analysis, active: list[Match]) -> tuple[list[Match], bool]:
    """(un-negated edit verbs and sync complaints, whether an edit noun is named) — recording the evidence.

    A verb inside a trigger being asked for ("send over the final cut") is part of that request, one
    ahead of a question about being done ("口型同步做完了吗") is that question's subject, and one
    right after a determiner ("the status of the dub") is a noun.
    """
    verbs = []
    done = [t for t in active if t.phrase.kind == "done"]
    nouns_at = {m.end for m in analysis.of("determiners")}
    for verb in analysis.of("edit_verbs"):
        if marker := analysis.marked(verb, "negation_before", "negation_after"):
            analysis.evidence.append(f"{_tag(verb)}[negated by '{marker.phrase.text}']")
        elif verb.start in nouns_at:  # "the dub", "my lip sync", "新的配音": a thing, not a request
            continue
        elif not any(_within(verb, t) for t in active) and not any(
                verb.end <= d.end and analysis.same(verb, d) for d in done):
            verbs.append(verb)
    sync_fix, nouns = analysis.of("sync_fix"), analysis.of("edit_nouns")
    analysis.evidence.extend(_tag(m) for m in verbs + sync_fix + nouns)
    return verbs + sync_fix, bool(nouns)


def _asked_first(analysis: _Analysis, active: list[Match], instruction: list[Match]) -> bool:
    """A request that comes before the edit with "then" between ("check my credits, then add music")."""
    if not active or not instruction:
        return False
    first, edit = min(m.start for m in active), min(m.start for m in instruction)
    return first < edit and any(first < m.start and m.end <= edit for m in analysis.of("sequence"))


def _split_references(references: list[Reference], slots: dict[int, int], attachments: Sequence[str],
             exports: list[Match]) -> tuple[list[str], list[str], str | None]:
    """Files, URLs and the export target: what the person sent first, then what the sentence names.

    A path is the export target when it follows "to"/"as"/"到" after an export asked for now
    ("export it to out.mp4"), not in "add subtitles to talk.mp4 and export it".
    """
    output = next((r.value for r in references if r.start in slots
                   and any(m.end <= slots[r.start] for m in exports)), None)
    files: list[str] = []
    urls: list[str] = []
    for item in attachments:
        (urls if is_web_url(item) else files).append(item)
    files += [r.value for r in references if not r.is_url and r.value != output]
    urls += [r.value for r in references if r.is_url]
    return list(dict.fromkeys(files)), list(dict.fromkeys(urls)), output


def _decide(analysis: _Analysis, references: list[Reference], slots: dict[int, int], attachments: Sequence[str],
            lang: Lang) -> Route:
    triggers = _triggers(analysis)
    verbs, nouns = _instruction(analysis, triggers.active)
    first = _asked_first(analysis, triggers.active, verbs)
    instruction = bool(verbs)
    labels = list(dict.fromkeys(m.phrase.label for m in triggers.active))
    exports = [m for m in triggers.active if m.phrase.label == "export"]
    files, urls, output = _split_references(references, slots, attachments, exports)
    then = [f"then_{label}" for label in labels + triggers.later if label != "upload"]

    hints: list[str] = []
    if (files or urls) and "upload" not in triggers.negated:
        intent: Intent = "upload"
        hints += ["then_edit"] if instruction or nouns or triggers.about else []
        hints += then
        confidence = 1.0
    elif "upload" in labels:
        intent = "upload"
        hints += ["then_edit"] if instruction else []
        hints += then
        confidence = 0.9
    elif labels and (first or not instruction):
        intent = labels[0]
        hints += then[1:] + (["then_edit"] if first else [])
        confidence = 0.95 if len(labels) == 1 else 0.8
    else:
        intent = "edit"
        hints += then
        hints += ["about"] if triggers.about and not labels else []
        evidence_of_edit = instruction or nouns or triggers.about or triggers.later or triggers.negated or labels
        confidence = 0.9 if evidence_of_edit else 0.5
    if analysis.of("sync_fix"):
        hints.append("sync_fix")
    return Route(intent, lang, tuple(analysis.evidence), tuple(files), tuple(urls), tuple(dict.fromkeys(hints)),
                 output, confidence)
