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
8. *Nouns*: an edit verb right after a determiner is a thing ("the status of the dub"); so is a
   one-word export/upload trigger before 的 or after "the/that" and before "from/used…".
9. *Relays* (issue 14): "The user wrote: '…'", "用户的原话是：「…」" are routed on the quoted words.
10. *Reported, not asked*: a clause with "must have used", "已经" or a verb + 好了 tells what was done.
11. *Local capabilities* (``LOCAL``: mouth cues, dub fitting, face check, animate/talk) win over
    files and the other triggers; a talking picture is ``animate`` with drawn words, else ``talk``.
    Without a phrase naming them, the files sent and a class of words decide (``_local_by_files``).
12. *A learned second opinion* (round 7, :mod:`skill.router.model`): a logistic regression trained
    on fresh labeled sets reads the sentence and the rules' verdict and may change the route (it
    keeps the rules' intent → it may only add hints). It is not asked about greetings and thanks
    alone, a bare "?", or two requests named in order (``ruled``).

Matching itself (phrases, shadows, clauses, markers) is :mod:`skill.router.analysis`.

Lexicon phrases may use lexical classes ("{final} {media}") and a gap ("is * done"): see
``skill/router/intents.yaml`` and docs/router.md (held-out accuracy and how it was measured).

Hints: ``then_edit`` (after an upload, or after a request that came first), ``then_<intent>``,
``sync_fix`` (an offset/drift complaint the offline engine may fix), ``cloud`` (the person names the
cloud), ``about``. Local capabilities (``LOCAL``) are intents of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal, cast

from skill.media.names import MediaKind, is_web_url, kind_of
from skill.replies import Lang, detect_lang
from skill.router.analysis import Analysis, Match, find_matches, tag, within
from skill.router.lexicon import load_lexicon
from skill.router.model import Model, Sentence, Verdict, label_of, load_model, second_opinion
from skill.router.text import PUNCTUATION, Reference, extract_references, tokenize, unwrap_relay, without_quotes

Intent = Literal["export", "credits", "state", "upload", "edit", "mouth_cues", "animate", "talk", "fit", "face_check"]
INTENTS: tuple[Intent, ...] = ("export", "credits", "state", "upload", "edit", "mouth_cues", "animate", "talk", "fit",
                               "face_check")
# The capabilities of this machine (issue 14), most specific first: asked for, they win over files,
# edit verbs and the other triggers ("export the viseme timing for Moho" is mouth cues).
LOCAL: tuple[Intent, ...] = ("mouth_cues", "fit", "face_check", "animate", "talk")

# How sure a route is, by what decided it (``Route.confidence``; an agent may ask back below EDIT_NAMED).
FILES_NAMED = 1.0  # files or links were sent or named: an upload, whatever else was said
ONE_REQUEST = 0.95  # exactly one request (export, credits, state) and no edit
UPLOAD_ASKED = 0.9  # "upload" asked for, but no file named yet
LOCAL_ASKED = 0.9  # one of this machine's capabilities was asked for by name
EDIT_NAMED = 0.9  # an edit verb, an edit noun, a question about a feature, or a negated/deferred request
SEVERAL_REQUESTS = 0.8  # two or more requests at once: the first one named wins
NOTHING_MATCHED = 0.5  # no lexicon entry matched: sent to the cloud agent as an edit
# Longer messages are routed on their first MAX_CHARS characters (a pasted script is an edit anyway,
# and the chat handler still sends all of it): every scan stays bounded whatever arrives.
MAX_CHARS = 10_000


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
    confidence: float = NOTHING_MATCHED

    def as_dict(self) -> dict[str, Any]:
        return {"intent": self.intent, "lang": self.lang, "evidence": list(self.evidence),
                "files": list(self.files), "urls": list(self.urls), "hints": list(self.hints),
                "output": self.output, "confidence": self.confidence}


def route(utterance: str, attachments: Sequence[str] = ()) -> Route:
    """Route one utterance; ``attachments`` are paths or http(s) URLs the person sent with it."""
    return route_with(utterance, attachments, load_model)


def route_with(utterance: str, attachments: Sequence[str], model: Callable[[], Model | None]) -> Route:
    """:func:`route` with another second-opinion model (``scripts/train_router_model.py`` cross-validates with it)."""
    found, features = ruled(utterance, attachments)
    if features is None or (learned := model()) is None:
        return found
    opinion = second_opinion(learned, found.intent, found.hints, features())
    if opinion is None:
        return found
    evidence = (f"model:{opinion.label}[p={opinion.probability:.2f}]", *found.evidence)
    if opinion.intent == found.intent:  # the same intent: only hints were added
        return replace(found, hints=opinion.hints, evidence=evidence)
    # a label's intent is one of the intents the training sets were labeled with
    return replace(found, intent=cast(Intent, opinion.intent), hints=opinion.hints, evidence=evidence,
                   confidence=round(opinion.probability, 2))


def ruled(utterance: str, attachments: Sequence[str] = ()) -> tuple[Route, Callable[[], Sentence] | None]:
    """The rules' route, and what makes the sentence the second opinion reads (worked out only when a
    model is there to read it) — None where it is not asked:
    a message of greetings and thanks only (for the agent), a bare "?" (a nudge: the state), and two
    requests named in order ("先导出，然后告诉我还剩多少积分": both run, first one first)."""
    lexicon = load_lexicon()
    utterance = unwrap_relay((utterance or "")[:MAX_CHARS], lexicon.relay, lexicon.chars, lexicon.words)
    references, text, tokens = _read(utterance)
    # Where each possible export target stands, in tokens: "export … to <path>" needs the export first.
    slots = {r.start: len(tokenize(text[: r.start], lexicon.chars, lexicon.typos, lexicon.words, lexicon.changes))
             for r in references if r.output_slot and not r.is_url}
    analysis = Analysis(tokens, find_matches(tokens, lexicon), lexicon)
    found = _decide(analysis, references, slots, attachments, detect_lang(utterance))
    if tokens and not found.files and not found.urls and all(t == "?" for t in tokens):
        return Route("state", found.lang, ("state:?[a nudge]",), confidence=ONE_REQUEST), None  # "hm?", "嗯？"
    if not tokens or (found.intent == "edit" and _only_courtesy(analysis)) or (
            found.intent in _REQUESTS and any(f"then_{r}" in found.hints for r in _REQUESTS)):
        return found, None
    return found, partial(_sentence, found, analysis)


def _sentence(found: Route, analysis: Analysis) -> Sentence:
    kinds = [kind_of(f) or "file" for f in found.files] + ["url"] * len(found.urls)
    return Sentence(analysis.tokens, Verdict(label_of(found.intent, found.hints), found.confidence,
                                             analysis.sections(), kinds))


# Requests that run without the cloud agent; two of them named in order are both run, in that order.
_REQUESTS = ("export", "credits", "state")


def _read(utterance: str) -> tuple[list[Reference], str, tuple[str, ...]]:
    lexicon = load_lexicon()
    rest, references = extract_references(utterance, lexicon.output_words)
    text = without_quotes(rest)
    return references, text, tokenize(text, lexicon.chars, lexicon.typos, lexicon.words, lexicon.changes)


@dataclass
class _Triggers:
    active: list[Match]  # asked for now
    labels: list[Intent]  # their intents, each once, in order
    later: list[str]  # intents wanted after the edit ("before exporting…", "导出前…")
    negated: set[str]
    about: bool  # some trigger was only the topic of a question
    evidence: list[str]  # each trigger, and what (if anything) took it out of play


# Triggers a done-question takes in: work in progress it asks about ("did the upload finish?") and
# state words it repeats ("is it done?"), so that the question yields to a request ("is it done? export
# please"). A balance is not work ("how's my balance looking?" asks for it).
_PROCESSES = frozenset({"export", "upload", "state"})
# An English question opening ("is her face big enough", "can this be lip synced"): checked by the
# first token rather than as lexicon phrases, which every utterance would pay for.
_WHY = frozenset({"why", "为什么", "为啥", "为何"})
_ASKS = frozenset({("is",), ("are",), ("does",), ("do",), ("can",), ("will",), ("would",), ("could",), ("how",)})


def _triggers(analysis: Analysis) -> _Triggers:
    found = _Triggers([], [], [], set(), False, [])
    triggers = analysis.of("triggers")
    done = analysis.done_questions()
    if not triggers and not done:  # most edits
        return found
    # "why is the export so slow?": a why-question about a named process asks how it works, not how far
    # it got; the done-question goes, the process becomes its topic
    why = {id(d) for t in triggers if t.phrase.label in ("export", "upload")
           for d in done if (within(t, d) or _subject(analysis, t, d))
           and (m := analysis.is_about(t)) and m.phrase.text in _WHY} if done else set()
    several = len(triggers) > 1
    for trigger in triggers + done:
        label = trigger.phrase.label
        if several and trigger.phrase.kind == "triggers" and (longer := next((
                t for t in triggers if t.phrase.label != label and within(trigger, t)
                and t.end - t.start > trigger.end - trigger.start), None)):
            found.evidence.append(f"{tag(trigger)}[in '{longer.phrase.text}']")  # "where's my vid at"
            continue
        if why and id(trigger) in why:
            found.evidence.append(f"{tag(trigger)}[a why-question]")
            continue
        if done and label in _PROCESSES and trigger.phrase.kind == "triggers" and not (
                why and any(id(d) in why for d in done)) and (
                inside := next((d for d in done if within(trigger, d) or _subject(analysis, trigger, d)), None)):
            found.evidence.append(f"{tag(trigger)}[in '{inside.phrase.text}']")  # "is the render done?"
            continue
        # before negation: "why can't I export?" asks about it; a done-question is never a topic
        if trigger.phrase.kind != "done" and (marker := analysis.is_about(trigger)):
            found.evidence.append(f"{tag(trigger)}[topic of '{marker.phrase.text}']")
            found.about = True
        elif trigger.phrase.kind == "triggers" and label in ("export", "upload") and analysis.attributive(trigger):
            found.evidence.append(f"{tag(trigger)}[a noun]")  # "之前上传的配音", "that export used…"
        elif trigger.phrase.kind == "triggers" and label in ("export", "upload", "state") and (
                marker := analysis.reported(trigger)):  # "I checked the draft and it looks fine"
            found.evidence.append(f"{tag(trigger)}[reported by '{marker.phrase.text}']")
        elif marker := analysis.marked(trigger, "negation_before", "negation_after") or analysis.answered_no(trigger):
            found.evidence.append(f"{tag(trigger)}[negated by '{marker.phrase.text}']")
            found.negated.add(label)
        elif marker := analysis.deferral(trigger):
            found.evidence.append(f"{tag(trigger)}[deferred by '{marker.phrase.text}']")
            found.later.append(label)
        else:
            found.evidence.append(tag(trigger))
            found.active.append(trigger)
            # a trigger's label is the intents.yaml section it was written under: always an Intent
            if label not in found.labels:
                found.labels.append(cast(Intent, label))
    return found


def _subject(analysis: Analysis, trigger: Match, done: Match) -> bool:
    """"视频上传成功了吗": a process named just ahead of a done-question in its clause (or right after
    it: "has it finished uploading", or starting inside it: "did you get the video") is its subject."""
    if analysis.same(trigger, done) and done.start < trigger.start <= done.end:  # "has it finished uploading"
        return True
    return analysis.same(trigger, done) and trigger.end <= done.start and done.start - trigger.end <= 1


def _instruction(analysis: Analysis, active: list[Match]) -> tuple[list[Match], bool, list[str]]:
    """(un-negated edit verbs and sync complaints, whether an edit noun is named, the evidence).

    A verb inside a trigger being asked for ("send over the final cut") is part of that request, one
    ahead of a question about being done ("口型同步做完了吗") is that question's subject, and one
    right after a determiner ("the status of the dub") is a noun.
    """
    edit_verbs, sync_fix, nouns = analysis.of("edit_verbs"), analysis.of("sync_fix"), analysis.of("edit_nouns")
    if not edit_verbs and not sync_fix and not nouns:  # a request, a question, a greeting
        return [], False, []
    verbs = []
    evidence: list[str] = []
    nouns_at = {m.end for m in analysis.of("determiners") + analysis.of("articles")} if edit_verbs else set()
    for verb in edit_verbs:
        if marker := analysis.marked(verb, "negation_before", "negation_after"):
            evidence.append(f"{tag(verb)}[negated by '{marker.phrase.text}']")
        elif verb.start in nouns_at or analysis.tokens[verb.end:verb.end + 1] == ("的",):
            continue  # "the dub", "my lip sync", "新的配音": a thing; "修改的部分": a modifier
        elif marker := analysis.reported(verb):  # "字幕已经加好了": done already, not asked for
            evidence.append(f"{tag(verb)}[reported by '{marker.phrase.text}']")
        elif not active or not _taken(analysis, verb, active):  # most edits come with no request
            verbs.append(verb)
    evidence.extend(map(tag, verbs + sync_fix + nouns))
    return verbs + sync_fix, bool(nouns), evidence


def _taken(analysis: Analysis, verb: Match, active: list[Match]) -> bool:
    """Whether an edit verb is part of a request ("send over the final cut") or the subject of a
    done-question ("有没有把背景音换成轻音乐": the verb after 有没有把 is what it asks about)."""
    return any(within(verb, t) for t in active) or any(
        (verb.end <= d.end or d.phrase.tokens[-1] == "把") and analysis.same(verb, d)
        for d in active if d.phrase.kind == "done")


def _asked_first(analysis: Analysis, active: list[Match], instruction: list[Match]) -> bool:
    """A request that comes before the edit with "then" between ("check my credits, then add music")."""
    if not active or not instruction:
        return False
    first, edit = min(m.start for m in active), min(m.start for m in instruction)
    return first < edit and any(first < m.start and m.end <= edit for m in analysis.of("sequence"))


# A message this long (in tokens; a Chinese character is one) may tell a story before its question.
_STORY = 25


def _asked_last(analysis: Analysis, active: list[Match], instruction: list[Match]) -> Intent | None:
    """The status or balance question that closes a long message whose edit verbs and other requests
    all stand in earlier clauses, at least two clauses before it and no "then" between ("I uploaded it
    an hour ago, asked for the lip sync, nothing yet — what's going on?"): the story says what was
    done, the end asks. The story must say it is one (a past marker before the question: 小时前,
    "was gonna"); a list of edits that ends with a question keeps the edits."""
    if len(analysis.tokens) < _STORY:
        return None
    asks = [m for m in active if m.phrase.label in ("state", "credits")]
    told = instruction + [m for m in active if m.phrase.label in ("export", "upload")]
    if not asks or not told:
        return None
    clause = analysis.clause
    ask = min(asks, key=lambda m: m.start)
    last = max(m.end for m in told)
    if not any(m.end <= ask.start for m in analysis.of("past") + analysis.of("past_after")):
        return None
    if clause[ask.start] < 2 or any(clause[m.start] >= clause[ask.start] for m in told) or any(
            last <= m.start < ask.start for m in analysis.of("sequence")):
        return None
    return cast(Intent, ask.phrase.label)


def _split_references(references: list[Reference], slots: dict[int, int], attachments: Sequence[str],
                      active: list[Match]) -> tuple[list[str], list[str], str | None]:
    """Files, URLs and the export target: what the person sent first, then what the sentence names.

    A path is the export target when it follows "to"/"as"/"到" after an export asked for now
    ("export it to out.mp4"), not in "add subtitles to talk.mp4 and export it".
    """
    if not references and not attachments:  # most sentences
        return [], [], None
    output = next((r.value for r in references if r.start in slots
                   and any(m.phrase.label == "export" and m.end <= slots[r.start] for m in active)), None)
    files: list[str] = []
    urls: list[str] = []
    for item in attachments:
        (urls if is_web_url(item) else files).append(item)
    files += [r.value for r in references if not r.is_url and r.value != output]
    urls += [r.value for r in references if r.is_url]
    return list(dict.fromkeys(files)), list(dict.fromkeys(urls)), output


def _decide(analysis: Analysis, references: list[Reference], slots: dict[int, int], attachments: Sequence[str],
            lang: Lang) -> Route:
    triggers = _triggers(analysis)
    verbs, nouns, verb_evidence = _instruction(analysis, triggers.active)
    first = _asked_first(analysis, triggers.active, verbs)
    instruction = bool(verbs)
    labels = triggers.labels
    files, urls, output = _split_references(references, slots, attachments, triggers.active)
    then = [f"then_{label}" for label in labels + triggers.later if label != "upload"]

    hints: list[str] = []
    local, local_evidence = _local(analysis, triggers.active, verbs, files + urls)
    if local is not None:
        intent: Intent = local
        confidence = LOCAL_ASKED
    elif (files or urls) and "upload" not in triggers.negated:
        intent = "upload"
        hints += ["then_edit"] if instruction or nouns or triggers.about else []
        hints += then
        confidence = FILES_NAMED
    elif asked := _asked_last(analysis, triggers.active, verbs):
        intent = asked  # a long story, then the question: "…一个小时前就传了视频…，想问下到底弄得怎么样了"
        confidence = SEVERAL_REQUESTS
    elif "upload" in labels:
        intent = "upload"
        hints += ["then_edit"] if instruction else []
        hints += then
        confidence = UPLOAD_ASKED
    elif labels and (first or not instruction):
        intent = labels[0]
        hints += then[1:] + (["then_edit"] if first else [])
        confidence = ONE_REQUEST if len(labels) == 1 else SEVERAL_REQUESTS
    else:
        intent = "edit"
        hints += then
        # A question with no request in it ("支持哪些视频格式") is for the agent too.
        asks = triggers.about or bool(analysis.of("price_words")) or (not instruction and bool(analysis.of("about")))
        hints += ["about"] if asks and not labels else []
        evidence_of_edit = instruction or nouns or triggers.about or triggers.later or triggers.negated or labels
        confidence = EDIT_NAMED if evidence_of_edit else NOTHING_MATCHED
        if not evidence_of_edit and (courtesy := _only_courtesy(analysis)):
            verb_evidence = [*verb_evidence, *courtesy]  # "thanks!": for the agent, and no second opinion
    if analysis.of("sync_fix") and local is None:
        hints.append("sync_fix")
    if analysis.of("cloud_words"):  # "use the cloud lip-sync", "用云端同步"
        hints.append("cloud")
    evidence = analysis.shadowed + triggers.evidence + verb_evidence + local_evidence
    return Route(intent, lang, tuple(evidence), tuple(files), tuple(urls), tuple(dict.fromkeys(hints)),
                 output, confidence)


def _only_courtesy(analysis: Analysis) -> list[str]:
    """The courtesy phrases of a message made of nothing else ("thanks!", "ok 谢谢"), else []."""
    phrases = analysis.of("courtesy")
    if not phrases:
        return []
    covered = {i for m in phrases for i in range(m.start, m.end)}
    if any(i not in covered and token not in PUNCTUATION for i, token in enumerate(analysis.tokens)):
        return []
    return [tag(m) for m in phrases]


def _local(analysis: Analysis, active: list[Match], verbs: list[Match], sources: Sequence[str] = ()
           ) -> tuple[Intent | None, list[str]]:
    """The local capability asked for, if any (the most specific one named), and the evidence for it.

    A talking-picture request is ``animate`` (drawn, rendered here) when the words say the picture is
    drawn and not a photo, and ``talk`` (the generative path) otherwise; a lip-sync verb with drawn
    words ("对口型" for "my cartoon") is ``animate`` too (issue 12).
    """
    labels = {m.phrase.label for m in active}
    if not sources and not analysis.of("drawn_words") and labels.isdisjoint(LOCAL):
        return None, []  # every rule below needs files, a drawn word or a capability asked for
    drawn_at = {m.end for m in analysis.of("drawn_words")}
    drawn = bool(drawn_at)
    # a drawn word before a photo word qualifies it: "cartoon avatar", "卡通头像" are drawn
    photo = any(m.start not in drawn_at for m in analysis.of("photo_words"))
    kinds = {kind_of(s) for s in sources}
    if kinds == {"audio"} and not labels.intersection(LOCAL) and (cue := _unnegated(analysis, "cue_words")):
        return "mouth_cues", [f"mouth_cues:{tag(cue)}[only an audio file]"]  # timed mouth data, no picture
    if not labels.intersection(LOCAL) and drawn and not photo:
        lipsync = [m for m in analysis.of("lipsync_verbs") if any(within(m, v) or within(v, m) for v in verbs)
                   or m.phrase.text == "口型"]
        if lipsync:
            return "animate", [f"animate:{lipsync[0].phrase.text}[drawn]"]
    if "mouth_cues" in labels and drawn and not photo and kinds & {"image", "video"} and "audio" in kinds:
        return "animate", ["animate:mouth_cues[drawn, with a picture]"]  # render it, not just the cues
    if kinds and not labels.intersection(LOCAL) and (by_files := _local_by_files(analysis, kinds, active)):
        return by_files
    if kinds == {"image"} and labels & {"animate", "talk"} and (asked := _face_asked(analysis)):
        return "face_check", asked  # "is the face in this picture clear enough to make it talk?"
    for intent in LOCAL:
        if intent in labels:
            if intent in ("animate", "talk"):
                if drawn and not (photo and intent == "talk"):
                    return "animate", []
                return ("talk" if photo else intent), []
            return intent, []
    return None, []


def _unnegated(analysis: Analysis, kind: str) -> Match | None:
    return next((m for m in analysis.of(kind) if not analysis.marked(m, "negation_before", "negation_after")), None)


def _local_by_files(analysis: Analysis, kinds: set[MediaKind | None], active: list[Match]
                    ) -> tuple[Intent, list[str]] | None:
    """A local capability named by a class of words and the files sent, not by one fixed phrase.

    Only a video or only a photo: a check of, or a question about, the lips or the face is ``face_check``. A video and
    an audio file: a dub word with a length or pacing word is ``fit``. A picture and an audio file: a
    speaking word ("say", "bring … to life", 开口, 动起来) is ``animate`` when the words say the picture
    is drawn, else ``talk``. Only an audio file: a word for timed mouth data ("phonemes", "keyframes",
    音素) is ``mouth_cues``. A request for another intent
    (export, credits) or a question about being done keeps it; so does a negated lip-sync word ("no
    need to check the lips").
    """
    things = {m.end for m in analysis.of("determiners")}  # "this export", "这个成品": a thing, not a request
    if any((m.phrase.label in ("export", "credits") and m.start not in things) or m.phrase.kind == "done"
           for m in active):
        return None
    if kinds >= {"video", "audio"} and (dub := analysis.of("dub_words")) and (measure := analysis.of("fit_words")):
        return "fit", [f"fit:{tag(dub[0])}+{tag(measure[0])}[a video and an audio file]"]
    if kinds >= {"image", "audio"} and "video" not in kinds and (speak := _unnegated(analysis, "speak_words")):
        drawn_at = {m.end for m in analysis.of("drawn_words")}
        photo = any(m.start not in drawn_at for m in analysis.of("photo_words"))
        intent: Intent = "animate" if drawn_at and not photo else "talk"
        return intent, [f"{intent}:{tag(speak)}[a picture and an audio file]"]
    if len(kinds) == 1 and kinds & {"video", "image"} and (asked := _face_asked(analysis)):
        return "face_check", asked  # one video, or one photo: "这张照片的脸能不能用"
    return None


def _face_asked(analysis: Analysis) -> list[str]:
    """The evidence of a check of, or a question about, the lips or the face (un-negated), else []."""
    face = analysis.of("face_words")
    if not face or analysis.marked(face[0], "negation_before", "negation_after"):
        return []
    asked = analysis.of("check_words") or "?" in analysis.tokens or analysis.tokens[:1] in _ASKS or any(
        q.end == len(analysis.tokens) for q in analysis.of("question_end"))
    return [f"face_check:{tag(face[0])}[asked, with one picture or video]"] if asked else []
