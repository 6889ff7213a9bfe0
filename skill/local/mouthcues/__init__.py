"""Offline mouth cues for animation: dialogue audio → Rhubarb-compatible mouth shapes.

``audio`` (decode, voice activity) → ``sphinx`` (alignment with the text, or phone recognition)
→ ``shapes`` (each phone's allowed shapes) → ``animate`` (timing rules) → ``export`` (formats).
The public entry point is :func:`analyse`; numpy and PocketSphinx are imported only inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import numpy as np

    from skill.local.mouthcues.animate import Rules
    from skill.local.mouthcues.audio import Spooled
    from skill.local.mouthcues.shapes import Phone

    Samples: TypeAlias = np.ndarray | Spooled  # 16 kHz float32: in memory, or on disk when long

RATE = 16_000
_MARGIN = 20  # cs of audio kept around the speech found, so no phone is cut
_MIN_FIT = -32.0  # sphinx.fit below this: the transcript does not match the audio
_MAX_CHUNK = 3000
_LONG_SPAN = 3000  # cs: longer speech with text is aligned in pieces
_PIECE = 1500  # cs per piece  # cs: longer speech regions are recognised in pieces (flat memory)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    shape: str


@dataclass
class CueTrack:
    cues: list[Cue]
    duration: float  # seconds, truncated to 0.01 as the anchor writes it
    path_used: str  # "transcript" | "recognised" | "phonetic"
    sound_file: str = ""
    lang: str = "en"
    fallback: str = ""  # "" | "lenient" (words the audio lacks were skipped) | "recognised"
    phones: list[Phone] = field(default_factory=list)


def check_shapes(extended_shapes: str) -> str:
    """The extended shapes enabled, upper case; UsageError for anything but G, H, X."""
    from skill.errors import UsageError

    value = extended_shapes.upper()
    if any(ch not in "GHX" for ch in value):
        raise UsageError("errors/mouth_bad_shapes", value=extended_shapes)
    return "".join(ch for ch in "GHX" if ch in value)


def analyse(path: Path, *, text: str | None = None, lang: str | None = None,
            extended_shapes: str = "GHX") -> CueTrack:
    """Mouth cues for the first audio stream of ``path`` (any format PyAV decodes)."""
    from skill.local.mouthcues import audio

    extended = check_shapes(extended_shapes)
    samples = audio.load(path)
    return analyse_samples(samples, text=text, lang=lang, extended_shapes=extended,
                           sound_file=str(Path(path).resolve()))


def timing_track(path: Path, fps: float | None = None) -> dict[str, Any]:
    """``export --timing-json``'s ``mouth_cues``: the exported file's own audio, computed on this
    machine (1-based frame numbers like ``.dat`` when the draft's frame rate is known). A file
    without speech gives rest only; one whose sound cannot be read says why instead of failing."""
    from skill.errors import LipSyncError

    try:
        track = analyse(path)
    except LipSyncError as exc:
        return {"error": exc.message_key, "cues": []}
    cues = []
    for cue in track.cues:
        entry: dict[str, Any] = {"start": cue.start, "end": cue.end, "value": cue.shape}
        if fps:
            entry["frame"] = 1 + int(fps * cue.start + 1e-9)
        cues.append(entry)
    return {"source": "local", "shapes": "rhubarb", "duration": track.duration, "path_used": track.path_used,
            "fps": fps, "cues": cues}


def detect_language(text: str | None, lang: str | None) -> str:
    if lang:
        return lang.lower()
    if text and any("\u3400" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en"


def analyse_samples(samples: Samples, *, text: str | None = None, lang: str | None = None,
                    extended_shapes: str = "GHX", rules: Rules | None = None, sound_file: str = "") -> CueTrack:
    """The engine on 16 kHz mono float32 samples (what :func:`analyse` runs after decoding)."""
    from skill.local.mouthcues import audio, shapes
    from skill.local.mouthcues.animate import animate

    extended = check_shapes(extended_shapes)
    language = detect_language(text, lang)
    duration_cs = len(samples) * 100 // RATE
    regions = audio.speech_regions(samples)
    has_text = bool(text and text.strip())
    path_used = "transcript" if has_text else ("recognised" if language == "en" else "phonetic")
    phones: list[Phone] = []
    fallback = ""
    if regions:
        if language == "zh" and has_text:  # very clean speech needs a noise floor (mouthcues.zh)
            from skill.local.mouthcues import zh

            samples = zh.floored(samples, regions, RATE)
        if has_text:
            phones, path_used, fallback = _with_text(samples, regions, str(text), language)
        else:
            phones = _recognise(samples, regions, language_independent=language != "en")
        if language == "zh":
            from skill.local.mouthcues import zh

            phones = zh.closures(phones)
    cues = animate(shapes.targets(phones, extended), duration_cs, extended, rules)
    return CueTrack([Cue(s / 100, e / 100, shape) for s, e, shape in cues], duration_cs / 100, path_used,
                    sound_file, language, fallback, phones)


def _span(samples: Samples, start: int, end: int) -> tuple[bytes, int]:
    from skill.local.mouthcues.sphinx import to_pcm

    start = max(0, start - _MARGIN)
    end = min(len(samples) * 100 // RATE, end + _MARGIN)
    return to_pcm(samples[start * RATE // 100:end * RATE // 100]), start


def _with_text(samples: Samples, regions: list[tuple[int, int]], text: str,
               language: str) -> tuple[list[Phone], str, str]:
    """Align the transcript; where the audio deviates from it, fall back step by step:
    exact alignment → alignment of the words actually heard → recognition without text."""
    from skill.local.mouthcues import sphinx
    from skill.local.mouthcues import text as texts

    if language == "zh":
        from skill.local.mouthcues import zh

        pairs = zh.syllables(text)
        tokens = sphinx.prepare([s for s, _ in pairs], {s: p for s, p in pairs})
    else:
        tokens = sphinx.prepare(texts.words(text))
    independent = language != "en"
    if not tokens:
        return _recognise(samples, regions, independent), "phonetic" if independent else "recognised", "recognised"
    if regions[-1][1] - regions[0][0] > _LONG_SPAN:
        return _long_with_text(samples, regions, tokens, independent)
    pcm, offset = _span(samples, regions[0][0], regions[-1][1])
    # The words actually heard first: a transcript with a word the audio lacks still "aligns"
    # exactly, squeezing that word in and shifting its neighbours, so exact alignment alone
    # cannot be trusted. A grammar that may skip each word finds the ones really spoken.
    heard, phones, fit = sphinx.lenient(pcm, tokens, offset)
    if phones and fit >= _MIN_FIT:
        return phones, "transcript", ""
    # fewer than half of the words heard, or words that fit the sound badly: the text is not what
    # was said, and forcing it onto the audio would animate the wrong words; recognise instead
    attempts = [(heard, "lenient")] if heard and heard != tokens and len(heard) * 2 >= len(tokens) else []
    attempts.append((tokens, ""))  # the text as given, when it fits the sound better after all
    best: tuple[float, list[Phone], str] | None = None
    for words, fallback in attempts:
        try:
            phones, fit = sphinx.align(pcm, words, offset)
        except sphinx.AlignFailed:
            continue
        if fit >= _MIN_FIT and (best is None or fit > best[0]):
            best = (fit, phones, fallback)
    if best is not None:
        return best[1], "transcript", best[2]
    return _recognise(samples, regions, independent), "phonetic" if independent else "recognised", "recognised"


def _pieces(regions: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Consecutive speech regions grouped into pieces of about _PIECE cs, cut only at pauses."""
    pieces: list[list[tuple[int, int]]] = [[]]
    for region in regions:
        if pieces[-1] and region[1] - pieces[-1][0][0] > _PIECE:
            pieces.append([])
        pieces[-1].append(region)
    return pieces


def _long_with_text(samples: Samples, regions: list[tuple[int, int]], tokens: list[str],
                    independent: bool) -> tuple[list[Phone], str, str]:
    """A long recording with its text, piece by piece: PocketSphinx's grammar search finds no
    path at all over a minute of speech, so each piece takes the words it is heard to say from
    where the previous piece stopped; a piece that cannot be aligned is recognised instead.

    On two cores the lenient search runs ahead in this process while a helper aligns the words
    each piece was heard to say: the next piece's window needs only those words, so the helper's
    alignment is speculated to succeed; when one fails, the pieces after it are redone in order,
    so the result is exactly the one-core result."""
    from skill.local.mouthcues import pool

    pieces = _pieces(regions)
    helper = pool.helper(sum(end - start for start, end in regions), samples)
    try:
        found = _pieces_with_text(samples, pieces, tokens, independent, helper)
    finally:
        pool.close(helper)
    phones: list[Phone] = []
    fallbacks: set[str] = set()
    for piece_phones, flag in found:
        if flag:
            fallbacks.add(flag)
        floor = phones[-1].end if phones else 0
        phones.extend(p for p in piece_phones if p.start >= floor)
    fallback = "recognised" if "recognised" in fallbacks else ("lenient" if fallbacks else "")
    return phones, "transcript", fallback


def _advance(tokens: list[str], cursor: int, heard: list[str]) -> int:
    """The cursor moved past the last word heard."""
    for word in heard:
        while cursor < len(tokens) and tokens[cursor] != word:
            cursor += 1
        cursor += 1
    return cursor


def _pieces_with_text(samples: Samples, pieces: list[list[tuple[int, int]]], tokens: list[str],
                      independent: bool, helper: Any) -> list[tuple[list[Phone], str]]:
    """(phones, fallback flag) per piece; with a helper, alignments run there speculatively."""
    from skill.local.mouthcues import pool, sphinx

    out: list[Any] = []  # per piece: (phones | future, flag, cursor before, flag if aligned)
    cursor = 0
    k = 0
    while k < len(pieces):
        piece = pieces[k]
        before = cursor
        pcm, offset = _span(samples, piece[0][0], piece[-1][1])
        seconds = (piece[-1][1] - piece[0][0]) / 100
        window = tokens[cursor:cursor + int(seconds * 5) + 10]  # faster than any speaker
        heard, found, fit = sphinx.lenient(pcm, window, offset, prefix=True) if window else ([], [], float("-inf"))
        flag = "lenient" if heard and heard != window[:len(heard)] else ""
        if heard and not found:
            if helper is not None:  # speculate: the helper aligns, the cursor moves on now
                out.append((helper.submit(pool.align_job, piece[0][0], piece[-1][1], heard), flag, before))
                cursor = _advance(tokens, cursor, heard)
                k += 1
                continue
            try:
                found, fit = sphinx.align(pcm, heard, offset)
            except sphinx.AlignFailed:
                found = []
        if found and fit >= _MIN_FIT:
            cursor = _advance(tokens, cursor, heard or [])
            out.append((found, flag, before))
        elif helper is not None:
            out.append((helper.submit(pool.recognise_job, _chunks(piece), independent), "recognised", before))
        else:
            out.append((_recognise(samples, piece, independent), "recognised", before))
        k += 1
    results: list[tuple[list[Phone], str]] = []
    for k, (value, flag, before) in enumerate(out):
        if not hasattr(value, "result"):
            results.append((value, flag))
            continue
        got = value.result()
        if flag == "recognised" or (got is not None and got[1] >= _MIN_FIT):
            results.append((_merge(got) if flag == "recognised" else got[0], flag))
            continue
        # the alignment failed: this piece is recognised and the cursor never moved, so every
        # later piece was searched with the wrong words; redo them in order from here
        results.append((_recognise(samples, pieces[k], independent), "recognised"))
        rest = _pieces_with_text(samples, pieces[k + 1:], tokens[before:], independent, None)
        return results + rest
    return results


def _chunks(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Speech regions cut into pieces of at most _MAX_CHUNK cs (what recognition decodes)."""
    return [(at, min(end, at + _MAX_CHUNK)) for start, end in regions for at in range(start, end, _MAX_CHUNK)]


def _merge(found: list[list[Phone]]) -> list[Phone]:
    """Consecutive pieces' phones: margins overlap the neighbours', so keep each phone once, in order."""
    phones: list[Phone] = []
    for piece in found:
        floor = phones[-1].end if phones else 0
        phones.extend(p for p in piece if p.start >= floor)
    return phones


def _recognise(samples: Samples, regions: list[tuple[int, int]], language_independent: bool) -> list[Phone]:
    """Phones heard in each speech region; on two cores a helper recognises the second half of
    the pieces (each piece is decoded independently of the others, so the result is the same)."""
    from skill.local.mouthcues import pool, sphinx

    spans = _chunks(regions)
    sphinx.ready_recogniser(language_independent)
    helper = pool.helper(sum(end - start for start, end in spans), samples) if len(spans) > 1 else None
    half = len(spans)
    try:
        if helper is not None:  # cut where half of the speech is behind
            done = list(accumulate(e - s for s, e in spans))
            half = next(i for i, cs in enumerate(done, 1) if cs * 2 >= done[-1])
            later = helper.submit(pool.recognise_job, spans[half:], language_independent)
        found = [sphinx.recognise(*_span(samples, s, e), language_independent) for s, e in spans[:half]]
        if helper is not None:
            found += later.result()
    finally:
        pool.close(helper)
    return _merge(found)
