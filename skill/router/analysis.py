"""Matching for the router: every lexicon phrase found in the tokens, and what each match means in
its sentence (shadows, clauses, markers around a trigger). :func:`skill.router.route` decides on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property, partial
from typing import NamedTuple

from skill.router.lexicon import GAP, Lexicon, Phrase
from skill.router.text import PUNCTUATION


class Match(NamedTuple):
    phrase: Phrase
    start: int  # token index
    end: int


# Match(phrase, start, end) without the Python-level __new__ every NamedTuple has: find_matches makes
# about five a sentence, and that call was ~5 % of routing.
_match: Callable[[tuple[Phrase, int, int]], Match] = partial(tuple.__new__, Match)


def find_matches(tokens: tuple[str, ...], lexicon: Lexicon) -> list[Match]:
    """Every lexicon phrase in ``tokens``, by start, then one-token phrases first (the order the rules read)."""
    matches: list[Match] = []
    pairs, gap, size = lexicon.pairs, lexicon.gap, len(tokens)
    for i, token in enumerate(tokens):
        entry = pairs.get(token)
        if entry is None:
            continue
        singles, following, gapped = entry
        for phrase in singles:
            matches.append(_match((phrase, i, i + 1)))
        if following and i + 1 < size and (after := following.get(tokens[i + 1])):
            two, exact, tails, by_third = after
            if tails and not tails.isdisjoint(tokens[i + 3:i + 3 + gap]):  # where a gap phrase's tail may start
                _starting_at(tokens, i, two, gap, matches)  # every candidate, in lexicon order
            else:  # no gap phrase can match (nearly always): the two-token phrases are the two tokens
                for phrase in exact:
                    matches.append(_match((phrase, i, i + 2)))
            if by_third and i + 2 < size and (longer := by_third.get(tokens[i + 2])):
                any_fourth, by_fourth = longer  # a large group is narrowed down by the fourth token
                candidates = by_fourth.get(tokens[i + 3], any_fourth) if by_fourth and i + 3 < size else any_fourth
                if candidates:
                    _starting_at(tokens, i, candidates, gap, matches)
        # "what * formats": the gap right after the first token, indexed by the token after it
        if gapped and not gapped.keys().isdisjoint(window := tokens[i + 2:i + 2 + gap]):
            for tail in dict.fromkeys(window):  # where the tail's first token stands
                for phrase in gapped.get(tail, ()):
                    if end := _gapped(tokens, i, phrase.tokens, gap):
                        matches.append(_match((phrase, i, end)))
    return matches


def _starting_at(tokens: tuple[str, ...], i: int, candidates: Iterable[Phrase], gap: int,
                 matches: list[Match]) -> None:
    """Adds each candidate phrase that matches the tokens from ``i`` on (with its gap, if it has one)."""
    for phrase in candidates:
        end = i + len(phrase.tokens)
        if GAP in phrase.tokens:
            end = _gapped(tokens, i, phrase.tokens, gap)
        elif tokens[i:end] != phrase.tokens:
            continue
        if end:
            matches.append(_match((phrase, i, end)))


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


# Words that make a done-question a question by themselves (多久 "how long", "how much longer").
# …and waiting, stuck or "nothing yet" complaints ("bro it's been ages", "等咗好耐"), and A-not-A particles.
_ASKING = frozenset({"how", "how's", "whether", "久", "几", "什", "不", "waiting", "ages", "forever", "frozen", "等",
                     "圈", "minutes", "min", "mins", "hours"})

# What a not-negation phrase ("no worries", "when will", "跟不上") may hide: negation and condition markers.
_MARKER_KINDS = frozenset({"negation_before", "negation_after", "negation_reply", "defer_before", "defer_after",
                           "condition_start"})


class Analysis:
    """The matches of one utterance, with shadowed ones removed and clause numbers per token.

    ``shadowed`` is its own evidence: the matches dropped because a longer phrase holds them.
    """

    def __init__(self, tokens: tuple[str, ...], matches: list[Match], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.tokens = tokens
        self.shadowed: list[str] = []
        self._by_kind: dict[str, list[Match]] = {}
        for m in matches:
            self._by_kind.setdefault(m.phrase.kind, []).append(m)
        if shadows := self._by_kind.get("shadows"):  # only then can a match be held (few sentences)
            # reach[i]: the furthest end of a shadow starting at or before token i, so that a match no
            # shadow can hold is let through without looping over the shadows
            self._reach_all = _reach(shadows, len(tokens) + 1)
            self._reach_plain = _reach([m for m in shadows if m.phrase.label != "negation"], len(tokens) + 1)
            self._by_kind = {}
            for m in matches:
                if m.phrase.kind == "shadows" or not self._shadowed(m, shadows):
                    self._by_kind.setdefault(m.phrase.kind, []).append(m)

    def _shadowed(self, match: Match, shadows: list[Match]) -> bool:
        reach = self._reach_all if match.phrase.kind in _MARKER_KINDS else self._reach_plain
        if reach[match.start] < match.end:
            return False
        for shadow in shadows:
            if shadow.phrase.label == "negation" and match.phrase.kind not in _MARKER_KINDS:
                continue  # "跟不上" hides its 不 from the negation rules, not the complaint itself
            if shadow.start <= match.start and match.end <= shadow.end:
                self.shadowed.append(f"{tag(match)}[in '{shadow.phrase.text}']")
                return True
        return False

    @cached_property
    def clause(self) -> list[int]:
        """clause[i]: how many clause ends (punctuation, "clause_breaks" phrases) precede token i.

        Worked out on first use: four sentences in five are routed without asking.
        """
        tokens = self.tokens
        if PUNCTUATION.isdisjoint(tokens):  # two sentences in three: one clause until a break phrase
            clause = [0] * (len(tokens) + 1)
        else:
            clause, total = [0], 0
            for token in tokens:
                if token in PUNCTUATION:
                    total += 1
                clause.append(total)
        for m in self._by_kind.get("clause_breaks", ()):  # "…, and then": a break after the phrase's last token
            for i in range(m.end, len(clause)):
                clause[i] += 1
        return clause

    def sections(self) -> list[str]:
        """The lexicon sections with a match in the sentence (after shadows), in first-match order."""
        return list(self._by_kind)

    def of(self, kind: str) -> list[Match]:
        """The matches of one lexicon section, in sentence order. (The methods below read ``_by_kind``
        directly, with () for a section the sentence does not hold: they look up a dozen sections for
        every trigger, and the method call was a third of what each check cost.)"""
        return self._by_kind.get(kind, [])

    def marked(self, target: Match, before: str, after: str) -> Match | None:
        """A marker of kind ``before`` shortly before ``target``, or ``after`` right after it, same clause."""
        for m in self._by_kind.get(before, ()):
            if m.end <= target.start and target.start - m.end <= self.lexicon.window and self.same(m, target):
                return m
        for m in self._by_kind.get(after, ()):
            if m.start >= target.end and m.start - target.end <= self.lexicon.after_window and self.same(m, target):
                return m
        return None

    def deferral(self, trigger: Match) -> Match | None:
        """A condition opening the sentence ("once …, export it"), or a deferral marker by the trigger.

        A question is not deferred by a condition: "after all those dubs, what's my balance?" asks now.
        """
        for m in self._by_kind.get("condition_start", ()):
            if m.start == 0 and m.end <= trigger.start:
                if not (trigger.phrase.label in ("credits", "state") and self.asks(trigger)):
                    return m
                break  # whether the clause asks does not depend on the condition
        return self.marked(trigger, "defer_before", "defer_after")

    def answered_no(self, trigger: Match) -> Match | None:
        """A clause that opens with "not yet" / "先不" right after the trigger's clause ("export? not yet")."""
        for m in self._by_kind.get("negation_reply", ()):
            if self.clause[m.start] == self.clause[trigger.start] + 1 and (
                    m.start == 0 or self.clause[m.start - 1] != self.clause[m.start]) and not any(
                    self.same(v, m) and v.start >= m.end for v in self._by_kind.get("edit_verbs", ())):
                return m  # "export? not yet"; but "先传上去就行，暂时不用改" refuses the edit, not the upload
        return None

    def done_questions(self) -> list[Match]:
        """"is the dub done?", "渲染好了吗": asked as a question (at the clause start, before "?"/"yet",
        or ending in a question particle) they ask for the state; the matched words are their subject."""
        done = self._by_kind.get("done", ())
        if not done:  # most sentences
            return []
        ends = self._by_kind.get("question_end", ())
        openers = self._by_kind.get("question_before", ())
        return [m for m in done
                if m.start == 0 or self.clause[m.start] != self.clause[m.start - 1]
                or _ASKING.intersection(m.phrase.tokens)  # "还要等多久" asks wherever it stands
                or any(q.start == m.end or (m.start <= q.start and q.end == m.end) for q in ends)
                or any(q.end <= m.start and self.same(q, m) for q in openers)  # "你那边是不是出问题了"
                or _a_not_a(m.phrase.tokens)]  # "字幕到底加没加上去"

    def same(self, a: Match, b: Match) -> bool:
        return self.clause[a.start] == self.clause[b.start]

    def asks(self, target: Match) -> bool:
        """Whether ``target``'s clause ends with a question mark."""
        clause = self.clause[target.start]
        end = next((i for i in range(target.end, len(self.tokens)) if self.clause[i + 1] != clause), None)
        return end is not None and self.tokens[end] == "?"

    def reported(self, target: Match) -> Match | None:
        """A past marker in ``target``'s clause ("that dub must have used…", "已经加好了"): told, not asked."""
        for m in self._by_kind.get("past", ()):
            if self.same(m, target) and not within(m, target):
                return m
        for m in self._by_kind.get("past_after", ()):
            if m.start == target.end and self.same(m, target):
                return m
        return None

    def attributive(self, target: Match) -> bool:
        """"之前上传的配音", "the export from…": a one-word trigger used as a modifier or a noun."""
        if " " in target.phrase.text:  # one word: "export", "上传"
            return False
        if target.end < len(self.tokens) and self.tokens[target.end] == "的":
            return True
        # "the export from this morning", "that export used…"; not "proceed with the export"
        return any(m.start == target.end for m in self._by_kind.get("noun_after", ())) and any(
            m.end == target.start for m in self._by_kind.get("determiners", ()))

    def is_about(self, trigger: Match) -> Match | None:
        """The question marker that makes ``trigger`` the topic of a question, if any."""
        for m in self._by_kind.get("about", ()):
            if self.same(m, trigger) and not (trigger.start <= m.start < trigger.end):
                return m
        for m in self._by_kind.get("about_before", ()):
            if m.end == trigger.start:
                return m
        for m in self._by_kind.get("about_after", ()):
            if m.start == trigger.end:
                return m
        return None


def _a_not_a(tokens: tuple[str, ...]) -> bool:
    """"加没加", "好唔好": a verb, a negation, the verb again — a question by its form."""
    return any(tokens[i + 1] in ("没", "不") and tokens[i] == tokens[i + 2] for i in range(len(tokens) - 2))


def _reach(shadows: list[Match], size: int) -> list[int]:
    reach = [-1] * size
    for m in shadows:
        reach[m.start] = max(reach[m.start], m.end)
    for i in range(1, size):
        reach[i] = max(reach[i], reach[i - 1])
    return reach


def within(inner: Match, outer: Match) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def tag(match: Match) -> str:
    phrase = match.phrase
    kind = phrase.label if phrase.kind in ("triggers", "shadows") else phrase.kind
    return f"{kind}:{phrase.text}"
