"""Dialogue text → dictionary words: case, punctuation, numbers, symbols; pronunciations for
words the dictionary lacks (small letter-to-sound rules). Chinese text is ``zh``'s.

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

