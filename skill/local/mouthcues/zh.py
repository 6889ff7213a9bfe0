"""Chinese (``--lang zh``): characters → pinyin (pypinyin) → the CMU phones the English acoustic
model aligns; and two things that path needs which English does not.

- A noise floor. On very clean speech (synthesised or gated dialogue: no background at all) the
  English model aligned whole pinyin sentences only 1 time in 20 on the bench's dev split; with a
  faint steady noise under the speech (``FLOOR_DB`` below its level) 19 in 20.
- Closures. Every syllable is its own word, so the aligner may put a short silence between any two;
  before a stop or affricate that silence is the stop's closure (the lips are shut for b, p), and
  it is given to the stop, as a recording's phone labels would.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from skill.local.mouthcues.shapes import Phone
from skill.local.mouthcues.text import g2p, words

if TYPE_CHECKING:
    from skill.local.mouthcues import Samples

# pinyin initials/finals → the nearest CMU phones. The shapes only need the mouth's opening and
# rounding, which these keep (a → AA wide, u → UW rounded, i → IY spread).
_INITIALS = {"b": "B", "p": "P", "m": "M", "f": "F", "d": "D", "t": "T", "n": "N", "l": "L", "g": "G",
             "k": "K", "h": "HH", "j": "JH", "q": "CH", "x": "SH", "zh": "JH", "ch": "CH", "sh": "SH",
             "r": "R", "z": "D Z", "c": "T S", "s": "S", "y": "Y", "w": "W"}
_FINALS = {"a": "AA", "o": "AO", "e": "AH", "i": "IY", "u": "UW", "v": "Y UW", "ai": "AY", "ei": "EY",
           "ao": "AW", "ou": "OW", "an": "AA N", "en": "AH N", "ang": "AA NG", "eng": "AH NG",
           "ong": "UH NG", "er": "ER", "ia": "Y AA", "ie": "Y EH", "iao": "Y AW", "iu": "Y OW",
           "iou": "Y OW", "ian": "Y EH N", "in": "IY N", "iang": "Y AA NG", "ing": "IY NG",
           "iong": "Y UH NG", "ua": "W AA", "uo": "W AO", "uai": "W AY", "ui": "W EY", "uei": "W EY",
           "uan": "W AA N", "un": "W AH N", "uen": "W AH N", "uang": "W AA NG", "ueng": "W AH NG",
           "ve": "Y EH", "ue": "Y EH", "van": "Y EH N", "vn": "Y IY N", "io": "Y AO", "n": "N",
           "ng": "NG", "m": "M", "hm": "HH M", "ê": "EH"}
STOPS = {"P", "B", "T", "D", "K", "G", "CH", "JH"}
MAX_CLOSURE = 12  # cs: the longest occlusion the anchor gives a stop (reference A1)
QUIET = 3  # percentile of the speech frames taken as its noise floor
FLOOR_DB = 20.0  # dB: the lowest noise floor under the speech the English model aligns well


def syllables(text: str) -> list[tuple[str, str]]:
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
    if initial == "y" and final.startswith(("i", "v")):
        initial = ""  # yi, yin, ying, yu, yuan: the y is only spelling
    elif initial == "y" and final in ("an", "e"):
        initial, final = "", "i" + final  # yan, ye are ian, ie: [jɛn], [jɛ]
    if initial == "w" and final == "u":
        initial = ""
    if final == "i" and initial in ("z", "c", "s", "zh", "ch", "sh", "r"):
        final_phones = "IH"  # the "buzzed" i of zi, shi: teeth close, not spread EE
    else:
        final_phones = _FINALS.get(final, "")
    return " ".join(part for part in (_INITIALS.get(initial, ""), final_phones) if part)


class Floored:
    """The samples with a faint steady noise added, sliced like them. The noise depends only on
    the absolute sample index, so any slice (and a forked helper's) sees the same values."""

    _TABLE = np.random.default_rng(0).standard_normal(1 << 16).astype(np.float32)

    def __init__(self, samples: Samples, level: float) -> None:
        self.samples, self.level = samples, level

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, key: slice) -> np.ndarray:
        start, stop, _ = key.indices(len(self.samples))
        data = np.asarray(self.samples[start:stop], np.float32)
        index = np.arange(start, start + len(data)) & ((1 << 16) - 1)
        return data + self.level * self._TABLE[index]


def floored(samples: Samples, regions: list[tuple[int, int]], rate: int) -> Any:
    """``samples`` with noise added where needed so that the quietest tenth of the speech's 10 ms
    frames (closures, short pauses) sit no lower than FLOOR_DB below its RMS; a recording that has
    such a floor already is left alone. Measured on up to a minute of the speech."""
    frames: list[np.ndarray] = []
    count, step = 0, rate // 100
    for start, end in regions:
        piece = np.asarray(samples[start * rate // 100:end * rate // 100], np.float64)
        piece = piece[:len(piece) // step * step].reshape(-1, step)
        frames.append(np.mean(piece * piece, axis=1))
        count += len(piece)
        if count >= 6000:
            break
    power = np.concatenate(frames) if frames else np.zeros(0)
    if not len(power) or not np.any(power):
        return samples
    target = float(np.mean(power)) * 10 ** (-FLOOR_DB / 10)
    missing = target - float(np.percentile(power, QUIET))
    return Floored(samples, missing ** 0.5) if missing > 0 else samples


def closures(phones: list[Phone]) -> list[Phone]:
    """A silence of at most MAX_CLOSURE cs right before a stop becomes that stop's closure."""
    out: list[Phone] = []
    for phone in phones:
        before = out[-1] if out else None
        if (before is not None and before.name == "SIL" and phone.name in STOPS and before.end == phone.start
                and before.end - before.start <= MAX_CLOSURE):
            out[-1] = Phone(phone.name, before.start, phone.end)
        else:
            out.append(phone)
    return out
