"""PocketSphinx 5.1.1: phone alignment with text (two passes), a lenient grammar for transcripts
that deviate from the audio, and recognition without text: English words (fast settings, a
5,000-word dictionary) then the alignment of the words heard; allphone for other languages.

Gotchas this module exists for (reference A3): text must be lower-case dictionary words; audio
is padded with 0.3 s of silence or pass 2 fails on about half of the sentences; a transcript
with an extra word fails pass 1, and the decoders are costly to create, so they are made once
per process and reused.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from skill.local.mouthcues.shapes import Phone
from skill.local.mouthcues.text import g2p

RATE = 16_000
PAD = 30  # cs of silence added at both ends
CMU = {"AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY",
       "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W",
       "Y", "Z", "ZH"}
VOCABULARY = Path(__file__).with_name("models") / "en-us-5k.dict"  # bench/mouth_vocabulary.py
_LOCK = threading.Lock()  # a decoder is not re-entrant; the CLI's parallelism is across processes


class AlignFailed(Exception):
    """The words cannot be aligned to this audio (PocketSphinx refused)."""


def to_pcm(samples: np.ndarray) -> bytes:
    """float32 [-1, 1] → 16-bit PCM with PAD cs of silence at both ends."""
    pad = np.zeros(PAD * RATE // 100, np.int16)
    pcm = np.clip(samples * 32767.0, -32768, 32767).astype(np.int16)
    return np.concatenate([pad, pcm, pad]).tobytes()


@cache
def _aligner() -> Any:
    from pocketsphinx import Decoder

    # beams and topn narrowed on the bench's dev split (about 20 % less CPU, exact within 0.001);
    # beam 1e-30 with topn 2 was faster still but lost the Mandarin fixture's alignment
    # bestpath off: its word segmentation can give a word one frame, which the phone pass then
    # refuses ("impossible duration") on long, multi-sentence audio
    return Decoder(lm=None, loglevel="FATAL", beam=1e-40, wbeam=1e-30, pbeam=1e-40, topn=2, bestpath=False)


@cache
def _words_aligner() -> Any:
    from pocketsphinx import Decoder

    # aligns the words the recogniser heard, so its dictionary is enough (loads in 0.02 s instead of
    # the 130k dictionary's 0.1 s: start-up counts in the speed goal); narrower beams than the
    # transcript's aligner (dev split: -8 % CPU, exact unchanged; that one keeps its beams for the
    # Mandarin fixture's sake)
    return Decoder(lm=None, loglevel="FATAL", beam=1e-30, wbeam=1e-20, pbeam=1e-30, topn=2, bestpath=False,
                   dict=str(VOCABULARY))


@cache
def _allphone(language_independent: bool) -> Any:
    from pocketsphinx import Decoder, get_model_path

    # the English phone bigram is a prior on English phonotactics; for other languages it is
    # weighted down so the acoustics decide (the "phonetic" path). On the dev split lw 1.0 scored
    # best (exact 0.859, closures 0.90; the reference's 2.0: 0.854, 0.84); 0.6 cost 0.001 exact.
    weight = 0.6 if language_independent else 1.0
    return Decoder(allphone=get_model_path("en-us/en-us-phone.lm.bin"), lw=weight, pip=0.3, beam=1e-40,
                   pbeam=1e-20, loglevel="FATAL")


@cache
def _words() -> Any:
    from pocketsphinx import Decoder, get_model_path

    # Settings from the bench's dev split (docs/mouthcues.md, "Recognition without text"): the
    # wheel's LM with its 5,000 likeliest words (a 26x smaller search tree than the 130k
    # dictionary), every second frame (ds 2), at most 300 HMMs per frame, one pass (no fwdflat,
    # no bestpath): about 0.03 CPU-s per audio second against the default settings' 0.17; the
    # alignment of the words heard gives the phones. Exact 0.891 against allphone's 0.861.
    return Decoder(lm=get_model_path("en-us/en-us.lm.bin"), dict=str(VOCABULARY), loglevel="FATAL", ds=2,
                   maxhmmpf=300, topn=2, fwdflat=False, bestpath=False)


def warm() -> None:
    """Create the decoders now (a worker process does this before its first file)."""
    _aligner()
    ready_recogniser(False)


def ready_recogniser(language_independent: bool) -> None:
    """Create the recognition decoders now (before forking a helper, so it inherits them)."""
    if language_independent:
        _allphone(True)
    else:
        _words_aligner()
        _words()


def _decode(decoder: Any, pcm: bytes) -> None:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


def prepare(words: list[str], pronunciations: dict[str, str] | None = None) -> list[str]:
    """The tokens to align: dictionary words as they are, others added with a pronunciation
    (given, or from the rules in text.g2p); words with no pronunciation at all are dropped."""
    decoder = _aligner()
    out: list[str] = []
    new: dict[str, str] = {}
    for word in words:
        given = (pronunciations or {}).get(word)
        if given is None and decoder.lookup_word(word) is not None:
            out.append(word)
            continue
        phones = given or g2p(word)
        if not phones:
            continue
        token = word if given is None else f"zh_{word}"  # never shadow a real entry's pronunciation
        if decoder.lookup_word(token) is None:
            new[token] = phones
        out.append(token)
    for k, (token, phones) in enumerate(new.items()):
        decoder.add_word(token, phones, k == len(new) - 1)  # the last one applies the update
    return out


def fit(alignment: Any) -> float:
    """Mean acoustic score per frame of the aligned words (silence excluded). The right text
    scores about -9 to -26 here even with noise or reverb; an unrelated text forced onto the
    audio scores -35 to -55 on clean speech (bench dev split)."""
    spoken = [w for w in alignment.words() if not w.name.startswith(("<", "+", "["))]
    frames = sum(w.duration for w in spoken)
    return sum(w.score for w in spoken) / frames if frames else float("-inf")


def _phones(alignment: Any, offset: int) -> list[Phone]:
    out = []
    for entry in alignment.phones():
        name = entry.name if entry.name in CMU else "SIL"
        out.append(Phone(name, entry.start + offset - PAD, entry.start + entry.duration + offset - PAD))
    return out


def align(pcm: bytes, tokens: list[str], offset: int = 0, heard: bool = False) -> tuple[list[Phone], float]:
    """Forced alignment of exactly these tokens, and its fit; raises AlignFailed. ``heard``: the
    tokens are words the recogniser heard (all in its dictionary)."""
    with _LOCK:
        decoder = _words_aligner() if heard else _aligner()
        try:
            decoder.set_align_text(" ".join(tokens))
            _decode(decoder, pcm)
            decoder.set_alignment()
            _decode(decoder, pcm)
            alignment = decoder.get_alignment()
        except (RuntimeError, ValueError) as failed:
            raise AlignFailed(str(failed)) from None
        if alignment is None:
            raise AlignFailed("no alignment")
        return _phones(alignment, offset), fit(alignment)


def lenient(pcm: bytes, tokens: list[str], offset: int = 0, skip: float = 0.1,
            prefix: bool = False) -> tuple[list[str] | None, list[Phone], float]:
    """The tokens actually heard, in order, from a grammar where each word may be skipped; and
    their phones when all of them were heard. It rescues a transcript with words the audio lacks,
    which fails forced alignment outright or, worse, squeezes the word in and shifts its neighbours.
    The grammar's own segmentation feeds the phone pass directly, saving the word pass.
    None when the search itself failed (not the same as hearing none of the words). With
    ``prefix`` the audio may end after any word (a piece of a long recording: the rest of the
    text belongs to later pieces)."""
    with _LOCK:
        decoder = _aligner()
        transitions: list[tuple[int, int, float] | tuple[int, int, float, str]] = []
        for i, token in enumerate(tokens):
            transitions.append((i, i + 1, 1.0 - skip, token))
            transitions.append((i, i + 1, skip))
            if prefix and i:
                transitions.append((i, len(tokens), 0.01))
        try:
            fsg = decoder.create_fsg("lenient", 0, len(tokens), transitions)
            decoder.add_fsg("lenient", fsg)
            decoder.activate_search("lenient")
            _decode(decoder, pcm)
            hyp = decoder.hyp()
            heard = hyp.hypstr.split() if hyp is not None and hyp.hypstr else []
        except (RuntimeError, ValueError):
            return None, [], float("-inf")
        if heard != tokens:
            return heard, [], float("-inf")
        try:
            decoder.set_alignment()
            _decode(decoder, pcm)
            alignment = decoder.get_alignment()
        except (RuntimeError, ValueError):  # the caller aligns the heard words afresh
            return heard, [], float("-inf")
        if alignment is None:
            return heard, [], float("-inf")
        return heard, _phones(alignment, offset), fit(alignment)


def heard_words(pcm: bytes) -> list[str]:
    """English words recognised without any text (fillers dropped)."""
    with _LOCK:
        decoder = _words()
        _decode(decoder, pcm)
        hyp = decoder.hyp()
        return [w for w in (hyp.hypstr.split() if hyp is not None else []) if not w.startswith(("<", "[", "+"))]


def recognise(pcm: bytes, offset: int = 0, language_independent: bool = False) -> list[Phone]:
    """Phones heard without any text: for English the phones of the words recognised, aligned;
    where no word is heard or they cannot be aligned, and for other languages, allphone."""
    if not language_independent:
        words = heard_words(pcm)
        if words:
            try:
                return align(pcm, words, offset, heard=True)[0]
            except AlignFailed:
                pass
    return recognise_phones(pcm, offset, language_independent)


def recognise_phones(pcm: bytes, offset: int = 0, language_independent: bool = False) -> list[Phone]:
    """Phones heard without any text (allphone search)."""
    with _LOCK:
        decoder = _allphone(language_independent)
        _decode(decoder, pcm)
        out = []
        for seg in decoder.seg():
            name = seg.word if seg.word in CMU else ("SIL" if seg.word == "SIL" else "NOISE")
            out.append(Phone(name, seg.start_frame + offset - PAD, seg.end_frame + 1 + offset - PAD))
        return out
