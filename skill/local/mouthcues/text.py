"""Dialogue text → dictionary words: case, punctuation, numbers, symbols; pronunciations for
words the dictionary lacks (small letter-to-sound rules); Chinese via pinyin.

PocketSphinx aligns only lower-case tokens that are in its dictionary ("Hello," or an OOV word
makes ``set_align_text`` raise), so everything a person writes is reduced to such tokens here.
"""

from __future__ import annotations

import re
import unicodedata

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}
_SYMBOLS = {"%": " percent ", "&": " and ", "+": " plus ", "=": " equals ", "@": " at ", "$": " dollars ",
            "€": " euros ", "£": " pounds "}


def number_words(n: int) -> list[str]:
    """0 ≤ n < 10¹²: English cardinal words ("one hundred twenty three")."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for value, name in _SCALES:
        if n >= value:
            rest = number_words(n % value) if n % value else []
            return [*number_words(n // value), name, *rest]
    return []  # unreachable: n >= 100 always meets the hundred scale


def _year_words(n: int) -> list[str]:
    """1100–1999 and 2010–2099 are said in pairs ("nineteen eighty four"); others as cardinals."""
    high, low = divmod(n, 100)
    if low == 0:
        return [*number_words(high), "hundred"]
    if low < 10:
        return [*number_words(high), "oh", *number_words(low)]
    return number_words(high) + number_words(low)


def _spell_number(token: str) -> list[str]:
    match = re.fullmatch(r"(\d+)(st|nd|rd|th)?", token)
    if match is not None:
        digits, suffix = match.groups()
        if len(digits) > 12:
            return [_ONES[int(d)] for d in digits]
        n = int(digits)
        words = _year_words(n) if suffix is None and len(digits) == 4 and (1100 <= n <= 1999 or 2010 <= n <= 2099) \
            else number_words(n)
        if suffix:
            last = words[-1]
            words[-1] = _ORDINAL.get(last) or (last[:-1] + "ieth" if last.endswith("y") else last + "th")
        return words
    whole, _, frac = token.partition(".")
    return [*_spell_number(whole), "point", *[_ONES[int(d)] for d in frac]] if whole and frac.isdigit() else []


def words(text: str) -> list[str]:
    """Lower-case word tokens as spoken: "Dr. Smith's 2nd car, 3.5%!" → ... "second" ... "percent"."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    # currency is said after the amount ("$5" → "five dollars")
    text = re.sub(r"([$€£])\s*(\d[\d,]*(?:\.\d+)?)", lambda m: f"{m.group(2)} {m.group(1)}", text)
    # 10,000 is a cardinal, never a year
    text = re.sub(r"\d{1,3}(?:,\d{3})+", lambda m: "#" + m.group().replace(",", ""), text)
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    out: list[str] = []
    for token in re.findall(r"#\d+|\d+(?:\.\d+)?(?:st|nd|rd|th)?|[^\W\d_]+(?:'[^\W\d_]+)*", text.lower()):
        if token[0] == "#":
            out.extend(number_words(int(token[1:])) if len(token) < 14 else [_ONES[int(d)] for d in token[1:]])
        else:
            out.extend(_spell_number(token) if token[0].isdigit() else [token])
    return out


# Letter-to-sound rules, longest grapheme first. Enough for names and invented words to get
# plausible mouth shapes: a vowel's shape matters more than its exact quality.
_RULES = {
    "tion": "SH AH N", "sion": "ZH AH N", "ough": "AO", "augh": "AO", "eigh": "EY", "igh": "AY",
    "tch": "CH", "dge": "JH", "sch": "S K", "chr": "K R", "que": "K", "qu": "K W",
    "ch": "CH", "sh": "SH", "th": "TH", "ph": "F", "wh": "W", "ck": "K", "ng": "NG", "gh": "G",
    "kn": "N", "wr": "R", "ee": "IY", "ea": "IY", "oo": "UW", "ou": "AW", "ow": "OW", "oi": "OY",
    "oy": "OY", "ai": "EY", "ay": "EY", "au": "AO", "aw": "AO", "ei": "EY", "ey": "EY", "ie": "IY",
    "oa": "OW", "ue": "UW", "ew": "UW", "ar": "AA R", "er": "ER", "ir": "ER", "ur": "ER", "or": "AO R",
    "a": "AE", "e": "EH", "i": "IH", "o": "AA", "u": "AH", "y": "IY", "b": "B", "c": "K", "d": "D",
    "f": "F", "g": "G", "h": "HH", "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "p": "P",
    "r": "R", "s": "S", "t": "T", "v": "V", "w": "W", "x": "K S", "z": "Z",
}
_LONGEST = max(len(key) for key in _RULES)
_VOWELS = set("aeiouy")


def g2p(word: str) -> str:
    """A pronunciation (CMU phones) for a word the dictionary does not hold; "" when it has no letters."""
    word = "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if "a" <= ch <= "z")
    phones: list[str] = []
    i = 0
    while i < len(word):
        # a final silent e after a consonant ("mike", "lane") makes the vowel before it long
        if word[i] == "e" and i == len(word) - 1 and len(word) > 2 and word[i - 1] not in _VOWELS:
            i += 1
            continue
        for size in range(min(_LONGEST, len(word) - i), 0, -1):
            part = word[i:i + size]
            if part in _RULES:
                if part == "y" and i == 0:
                    phones.append("Y")
                elif part == "c" and i + 1 < len(word) and word[i + 1] in "eiy":
                    phones.append("S")
                else:
                    phones.extend(_RULES[part].split())
                i += size
                break
    # collapse doubled letters ("ll", "ss") that would otherwise give a phone twice
    return " ".join(p for k, p in enumerate(phones) if k == 0 or p != phones[k - 1])


# Chinese: pinyin initials/finals → the nearest CMU phones. The shapes only need the mouth's
# opening and rounding, which these keep (a → AA wide, u → UW rounded, i → IY spread).
_INITIALS = {"b": "B", "p": "P", "m": "M", "f": "F", "d": "D", "t": "T", "n": "N", "l": "L", "g": "G",
             "k": "K", "h": "HH", "j": "JH", "q": "CH", "x": "SH", "zh": "JH", "ch": "CH", "sh": "SH",
             "r": "R", "z": "Z", "c": "T S", "s": "S", "y": "Y", "w": "W"}
_FINALS = {"a": "AA", "o": "AO", "e": "AH", "i": "IY", "u": "UW", "v": "Y UW", "ai": "AY", "ei": "EY",
           "ao": "AW", "ou": "OW", "an": "AA N", "en": "AH N", "ang": "AA NG", "eng": "AH NG",
           "ong": "UH NG", "er": "ER", "ia": "Y AA", "ie": "Y EH", "iao": "Y AW", "iu": "Y OW",
           "iou": "Y OW", "ian": "Y EH N", "in": "IY N", "iang": "Y AA NG", "ing": "IY NG",
           "iong": "Y UH NG", "ua": "W AA", "uo": "W AO", "uai": "W AY", "ui": "W EY", "uei": "W EY",
           "uan": "W AA N", "un": "W AH N", "uen": "W AH N", "uang": "W AA NG", "ueng": "W AH NG",
           "ve": "Y EH", "ue": "Y EH", "van": "Y EH N", "vn": "Y IY N", "io": "Y AO", "n": "N",
           "ng": "NG", "m": "M", "hm": "HH M", "ê": "EH"}


def pinyin_syllables(text: str) -> list[tuple[str, str]]:
    """Chinese text → (syllable, CMU phones) per character; latin words inside go through g2p."""
    from pypinyin import Style, lazy_pinyin

    out: list[tuple[str, str]] = []
    for chunk in re.findall(r"[\u3400-\u9fff]+|[A-Za-z0-9'.]+", text):
        if not "\u3400" <= chunk[0] <= "\u9fff":
            out.extend((w, g2p(w)) for w in words(chunk) if g2p(w))
            continue
        for syllable in lazy_pinyin(chunk, style=Style.NORMAL, errors="ignore", v_to_u=False):
            phones = _syllable_phones(syllable.lower())
            if phones:
                out.append((syllable, phones))
    return out


def _syllable_phones(syllable: str) -> str:
    initial = next((i for i in ("zh", "ch", "sh") if syllable.startswith(i)), syllable[:1])
    if initial not in _INITIALS or syllable in _FINALS:
        initial = ""
    final = syllable[len(initial):]
    if initial in ("j", "q", "x", "y") and final.startswith("u"):
        final = "v" + final[1:]  # ju, qu, xu, yu are ü
    if initial == "y" and final.startswith("i"):
        initial = ""  # yi, yin, ying: the y is only spelling
    if initial == "w" and final == "u":
        initial = ""
    if final == "i" and initial in ("z", "c", "s", "zh", "ch", "sh", "r"):
        final_phones = "IH"  # the "buzzed" i of zi, shi: teeth close, not spread EE
    else:
        final_phones = _FINALS.get(final, "")
    return " ".join(part for part in (_INITIALS.get(initial, ""), final_phones) if part)
