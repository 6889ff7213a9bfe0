"""Text plumbing for the intent router: pull files and URLs out of a sentence, then normalise it to tokens.

Tokens are what the lexicons are written in: every English word (casefolded, typos corrected) is
one token, every Chinese character (traditional mapped to simplified) is one token, and clause
punctuation is kept as its own token so that negation does not reach across it. Standard library
only: this runs on every cold start of ``lip-sync-video route``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from skill.media.names import RECOGNISED_EXTENSIONS

# A name ending in any media extension is the person's file, even one the backend refuses:
# routed as a file, preflight then says what is wrong with it.
_EXT = "|".join(RECOGNISED_EXTENSIONS)

# Every repeat below is bounded (a path is at most _PATH characters, Windows' MAX_PATH) so that no
# input can make a scan quadratic: "./" × 10 000 costs what ten short sentences do.
_PATH = 260
_URL = re.compile(r"https?://[^\s<>\"'，。；、）)\]]+", re.IGNORECASE)
# A quoted path may hold spaces or Chinese; an unquoted one is ASCII so that "把clip.mp4上传" splits.
_QUOTED_PATH = re.compile(rf"([\"'“‘「])([^\"'“”‘’「」\n]{{1,{_PATH}}}?\.(?:{_EXT}))[\"'”’」]", re.IGNORECASE)
# A path that starts like one ("~/", "/", "./", "C:\\", "D:/") may hold Chinese up to its media extension.
_ROOTED_PATH = re.compile(rf"(?<![\w.])((?:[A-Za-z]:[\\/]|~[/\\]|\.{{1,2}}[/\\]|/)[^\s\"'<>|，。；]{{0,{_PATH}}}?"
                          rf"\.(?:{_EXT}))(?![A-Za-z0-9])", re.IGNORECASE)
_BARE_PATH = re.compile(rf"(?<![\w.])((?:[A-Za-z]:[\\/]|~|\.{{1,2}}[/\\]|/)?[\w\-./\\~]{{0,{_PATH}}}[A-Za-z0-9_\-]"
                        rf"\.(?:{_EXT}))(?![A-Za-z0-9])", re.IGNORECASE | re.ASCII)
_ANY_MEDIA_EXTENSION = re.compile(rf"\.(?:{_EXT})(?![A-Za-z0-9])", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"。，；：！？）"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_LATIN = "a-z\u00df-\u024f"  # casefolded Latin letters, accents included
PUNCTUATION = frozenset(".,;:!?。、…—–")
# A Chinese character; a word (may hold digits after a letter: "mp4"); a number ("200" of "200ms",
# "0.3" of "0.3s", so units stay separate words; a time or a ratio, "0:07", "9:16"); or clause punctuation.
_TOKEN = re.compile(rf"[{_CJK}]|[{_LATIN}][{_LATIN}0-9]*(?:'[{_LATIN}]+)*|[0-9]+(?:[.,:][0-9]+)*|[.,;:!?。、…—–]")
# Quoted words are content ("add a title that says 'upload complete'"), not instructions.
_QUOTE = 400  # longest quoted passage treated as content (bounded, like the path scans)
_QUOTED_TEXT = re.compile(rf"\"[^\"\n]{{0,{_QUOTE}}}\"|“[^”\n]{{0,{_QUOTE}}}”|「[^」\n]{{0,{_QUOTE}}}」"
                          rf"|『[^』\n]{{0,{_QUOTE}}}』|(?<!\w)'(?:[^'\n]|(?<=\w)'(?=\w)){{0,{_QUOTE}}}'(?!\w)")
_OUTPUT_LOOKBACK = 16
_RUNS = re.compile(r"([a-z])\1{2,}")  # a letter typed three times or more: no English word has that
_RUN = re.compile(r"([a-z])\1\1")  # whether there is one at all (faster to search for than _RUNS)
# "title should read: Is It Done Yet?": what follows a saying word and a colon is the text to show.
_CONTENT = re.compile(r"\b(?:say|says|saying|read|reads|reading|text|wording|title|caption|subtitle|label)"
                      r"\s*[:：]\s*\S.{0,400}$"
                      r"|(?:写着|写上|内容是|文字是|改成|标题|字幕)\s*[:：]\s*\S.{0,400}$", re.IGNORECASE | re.S)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


@dataclass(frozen=True)
class Reference:
    """A file path or URL named in the sentence; ``output_slot`` if it follows "to"/"as"/"到"…"""

    value: str
    is_url: bool
    output_slot: bool
    start: int = 0  # character offset in the sentence


def extract_references(text: str, output_words: Sequence[str]) -> tuple[str, list[Reference]]:
    """Remove URLs and media paths from ``text``; return the rest and what was found, in order.

    They are removed before matching so that ``https://x.com/export.mp4`` does not ask to export.
    """
    if "://" not in text and ("." not in text or not _ANY_MEDIA_EXTENSION.search(text)):  # most sentences name neither
        return text, []
    found: list[tuple[int, Reference]] = []

    def take(match: re.Match[str], value: str, is_url: bool) -> str:
        # Blank the match out with spaces of the same length so later offsets stay true.
        start = match.start()  # only the few characters before the path can hold "to"/"到"
        output_before = _output_pattern(tuple(output_words))  # built (and hashed) only when a path is found
        slot = bool(output_before.search(match.string, max(0, start - _OUTPUT_LOOKBACK), start))
        found.append((start, Reference(value, is_url, slot, start)))
        return " " * len(match.group(0))

    def url(match: re.Match[str]) -> str:
        value = match.group(0).rstrip(_TRAILING)
        return take(match, value, True)[: len(value)] + match.group(0)[len(value):]

    rest = _URL.sub(url, text) if "://" in text else text
    if _ANY_MEDIA_EXTENSION.search(rest):  # one linear scan spares the path scans on sentences with only a URL
        rest = _QUOTED_PATH.sub(lambda m: take(m, m.group(2), False), rest)
        rest = _ROOTED_PATH.sub(lambda m: take(m, m.group(1), False), rest)
        rest = _BARE_PATH.sub(lambda m: take(m, m.group(1), False), rest)
    return rest, [ref for _, ref in sorted(found, key=lambda item: item[0])]


@cache
def _output_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Matches one of ``words`` right before the end of the searched span ("…export to <path>")."""
    alternatives = "|".join(rf"\b{re.escape(w)}" if w.isascii() else re.escape(w) for w in words)
    return re.compile(rf"(?:{alternatives})\s*[\"'“‘「]?\s*$", re.IGNORECASE)


def normalise(text: str, chars: Mapping[int, str], words: Sequence[tuple[str, str]] = (),
              changes: str | None = None) -> str:
    """NFKC (full-width → half-width), casefold, straight quotes, traditional → simplified characters,
    then regional words to the mainland ones the lexicon uses ("影片" → "视频").

    Every traditional character and regional word is Chinese (``compile_lexicon`` checks), so an
    ASCII sentence skips both tables; each ``str.translate`` costs about a microsecond even when it
    changes nothing. ``changes`` (:func:`changes_pattern` of ``chars`` and ``words``) lets a Chinese
    sentence with nothing to change (four in five) skip them too, with one search.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if "’" in text or "‘" in text or "`" in text:
        text = text.translate(_QUOTES)
    if not text.isascii() and (changes is None or _compiled(changes).search(text)):
        text = text.translate(chars)
        for regional, mainland in words:
            if regional in text:
                text = text.replace(regional, mainland)
    return text


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)  # on the first Chinese sentence (~1 ms), not at every cold start


def changes_pattern(chars: Mapping[int, str], words: Sequence[tuple[str, str]]) -> str:
    """A regular expression finding a character ``chars`` maps or one of ``words`` (as ``chars`` leaves
    them): where it finds nothing, neither step of :func:`normalise` would change the text."""
    parts = [f"[{''.join(re.escape(chr(code)) for code in sorted(chars))}]"] if chars else []
    parts += [re.escape(regional) for regional, _ in words]
    return "|".join(parts) or "(?!)"


def without_quotes(text: str) -> str:
    """``text`` with quoted passages (and the text after "should read:") blanked out, unless nothing
    would be left."""
    rest = text
    if ":" in text or "：" in text:
        rest = _CONTENT.sub(lambda m: " " * len(m.group(0)), rest)
    # what a _QUOTED_TEXT passage starts with (five `in` tests cost a tenth of one regex scan)
    if '"' in text or "'" in text or "“" in text or "「" in text or "『" in text:
        rest = _QUOTED_TEXT.sub(lambda m: " " * len(m.group(0)), rest)
    return rest if rest.strip() else text


def tokenize(text: str, chars: Mapping[int, str], typos: Mapping[str, str],
             words: Sequence[tuple[str, str]] = (), changes: str | None = None) -> tuple[str, ...]:
    """The normalised token sequence of ``text`` with English typos mapped to their word, fillers dropped."""
    text = normalise(text, chars, words, changes)
    if _RUN.search(text):  # the search alone is about half the cost of a sub that finds nothing
        text = _RUNS.sub(r"\1", text)  # "slooow", "foreverrr"
    raw = _TOKEN.findall(text)
    if typos.keys().isdisjoint(raw):  # nineteen sentences in twenty: no typo and no filler
        return tuple(raw)
    # A typo maps to its word; a filler ("um", "嗯") maps to "" and is dropped.
    return tuple(filter(None, map(typos.get, raw, raw)))


# "The user wrote: '…'", "Message from user: …", "用户的原话是：「…」": a short prefix, then a colon or
# an opening quote, then the person's words (issue 14: agents pass messages on wrapped).
_RELAY = re.compile(r"\s*([^\n:：\"“”‘’「」『』]{1,80}?)(?:\s*[:：]\s*|\s+(?=['\"“‘「『])|(?=[\"“‘「『]))(.+)", re.S)
_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}
_RELAY_PREFIX_TOKENS = 10
# "cut the part where he says 'upload it'": a place in the video named by what is said there, not a relay.
_PLACE = "where"
# Every separator _RELAY allows needs a colon, a double or CJK opening quote, or whitespace right
# before a "'" (not the apostrophe of "what's"); _RELAY_TAIL is only tried once _RELAY matched.
_SPACED_QUOTE = re.compile(r"\s'")
_CLOSING_QUOTES = frozenset("\"”’」』'")  # what _RELAY_TAIL's quoted message must end with
_RELAY_TAIL = re.compile(r"([^\n:：\"“”‘’「」『』]{1,40})[:：]\s*(([\"“‘「『']).{1,400}[\"”’」』'])\s*$", re.S)


@dataclass(frozen=True)
class RelayWords:
    """The words that make a short prefix a relay (markers.yaml, tokenised)."""

    people: frozenset[str]  # "The user wrote: '…'": a person…
    saying: frozenset[str]  # …and a saying
    # "The studio asks: '…'", 主管说：「…」: a saying that ends the prefix names a relay by itself,
    # whoever speaks, unless the prefix holds a word of what a video shows ("make the title say: …")
    alone: frozenset[str]
    not_relayers: frozenset[str]

    def names_a_person_saying(self, tokens: Sequence[str]) -> bool:
        """Whether ``tokens`` hold a person and a saying ("the user wrote", "客户说")."""
        return not self.people.isdisjoint(tokens) and not self.saying.isdisjoint(tokens)


def unwrap_relay(text: str, relay: RelayWords, chars: Mapping[int, str], words: Sequence[tuple[str, str]] = ()) -> str:
    """The person's own words of a relayed message (a relay inside a relay too: "客服转述：用户说“…”"),
    or ``text`` when it is not one; a JSON object an agent passes on is read for its message."""
    if "{" not in text and not _may_be_relayed(text):  # what _from_json and _unwrap_once look for first
        return text
    inner = _from_json(text)
    for _ in range(2):
        outer, inner = inner, _unwrap_once(inner, relay, chars, words)
        if inner == outer:
            break
    return inner


# '{"user": "send me the final mp4"}', '{"from": "user", "text": "…"}': the message field of a JSON object.
_MESSAGE_KEYS = ("text", "message", "content", "msg", "utterance", "query", "input", "user", "prompt")


def _from_json(text: str) -> str:
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")) or len(stripped) > _QUOTE * 25:
        return text
    import json

    try:
        data = json.loads(stripped)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    found = next((data[k] for k in _MESSAGE_KEYS if isinstance(data.get(k), str) and data[k].strip()), None)
    return found if found is not None else text


def _may_be_relayed(text: str) -> bool:
    """Whether a separator _RELAY allows is there (`in` tests: a tenth of the cost of one regex scan)."""
    return (":" in text or "：" in text or '"' in text or "“" in text or "‘" in text or "「" in text or "『" in text
            or ("'" in text and _SPACED_QUOTE.search(text) is not None))


def _unwrap_once(text: str, relay: RelayWords, chars: Mapping[int, str], words: Sequence[tuple[str, str]] = ()) -> str:
    """The person's own words of a relayed message, or ``text`` when it is not one.

    The prefix (at most ten tokens) must name a person ("user", "客户") and a saying ("wrote", "说"),
    so "add a caption for the user: 'welcome'" stays what it is, or be a short one a saying closes
    (``_said_alone``: "The studio asks: '…'").
    """
    if not _may_be_relayed(text):  # 94 % of the corpus
        return text
    match = _RELAY.fullmatch(text[:_QUOTE * 25])
    if match is None:
        return text
    prefix = _TOKEN.findall(normalise(match.group(1), chars, words))
    if _PLACE in prefix:
        return text
    if not prefix or len(prefix) > _RELAY_PREFIX_TOKENS or not (
            relay.names_a_person_saying(prefix) or _said_alone(prefix, match, relay)):
        # "Context for you: … They wrote: 'did it work?'": a quoted message closing a longer note
        # (a search costing 10-40 µs, so first the cheap test it implies: a closing quote ends the text)
        tail = _RELAY_TAIL.search(text[-_QUOTE * 2:]) if text.rstrip()[-1:] in _CLOSING_QUOTES else None
        if tail is None:
            return text
        said = _TOKEN.findall(normalise(tail.group(1), chars, words))[-6:]  # "The customer says, and I quote:"
        if not relay.names_a_person_saying(said) or _PLACE in said:
            return text
        match = tail
    inner = match.group(2).strip()
    if _quoted_whole(inner):
        inner = inner[1:-1].strip()
    return inner if inner.strip() else text


_SAID_TOKENS = 7  # "The bride asked me to tell you: …"
_SAID_END = 3  # the saying stands among the prefix's last three tokens


def _said_alone(prefix: Sequence[str], match: re.Match[str], relay: RelayWords) -> bool:
    """Whether a short prefix that names no known person is a relay all the same: a saying closes it
    ("my TA asks", "导演讲", "finance just emailed us"), nothing in it is what a video shows or a
    command, and a colon or a whole quoted message follows (not "it says 'processing' forever")."""
    return (len(prefix) <= _SAID_TOKENS and not relay.alone.isdisjoint(prefix[-_SAID_END:])
            and relay.not_relayers.isdisjoint(prefix)
            and (match.string[match.end(1):match.start(2)].strip() in (":", "：")
                 or _quoted_whole(match.group(2).strip())))


def _quoted_whole(text: str) -> bool:
    """Whether one pair of quotes opens and closes ``text``."""
    return len(text) >= 2 and _PAIRS.get(text[0]) == text[-1]
