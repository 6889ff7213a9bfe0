"""Mandarin ground truth for the mouth-cue benchmark: espeak-ng speech with its exact phone times.

libespeak-ng (apt ``espeak-ng``; bench only, never at test time) is driven through ctypes in
synchronous mode with phoneme events: each ``espeakEVENT_PHONEME`` carries the phoneme's mnemonic
and ``sample``, the index in the very audio the callback receives where that phoneme's waveform
starts. Checked on every sentence as it is made (``check``): the END event's sample is the audio's
length, and every pause phoneme spans digital silence (all samples exactly 0) from its event to the
next one, so the event positions are sample-exact, not estimates.

Text: 40 daily-life dialogue lines, written in characters with hand-checked pinyin (tone digits,
sandhi as spoken); the audio is made from the pinyin (voice ``cmn-latn-pinyin``: the plain ``cmn``
voice reads tone digits aloud and switches to English on some characters), so it says exactly the
intended reading; the engine gets the characters. Split fixed before any scoring: even-numbered
sentences are DEV (tuning), odd-numbered ones HELD-OUT (never tuned on). Three voices: the default
male at 175 wpm, variant f1 (female) at 150 wpm and pitch 65, variant m3 at 200 wpm and pitch 40
(f2, f3, f4 and f5 add an echo that fills the pauses, which ``check`` refuses). espeak carries a
little state from one sentence to the next, so they are always made in the same order, in one
process: two runs give byte-identical files.

Phones: each espeak mnemonic becomes the nearest CMU phone(s) (``MNEMONIC``; a phoneme spelling a
glide and a vowel is split 30/70, a vowel with a nasal coda 60/40), so ``skill.local.mouthcues.shapes``
gives its allowed shapes by the very rules used for English (docs/mouthcues.md has the table).
espeak makes a stop's closure as digital silence *before* the stop's event (inside the previous
phone or a word-boundary pause); as in Festival's segmentation, that silence (at most 12 cs, the
anchor's longest occlusion) is given to the stop, so a P/B closure must show A.
"""

from __future__ import annotations

import ctypes
import json
import wave
from pathlib import Path

import numpy as np

from bench.mouth_truth import Item

SENTENCES = [
    ("你好，请问地铁站怎么走？", "ni3hao3, qing3wen4 di4tie3zhan4 zen3me5 zou3?"),
    ("我今天早上八点半就出门了。", "wo3 jin1tian1 zao3shang5 ba1dian3ban4 jiu4 chu1men2 le5."),
    ("妈妈，晚饭我们吃什么？", "ma1ma5, wan3fan4 wo3men5 chi1 shen2me5?"),
    ("这件衣服太贵了，便宜一点吧。", "zhe4jian4 yi1fu5 tai4 gui4 le5, pian2yi5 yi4dian3 ba5."),
    ("别担心，明天的考试一定没问题。", "bie2 dan1xin1, ming2tian1 de5 kao3shi4 yi2ding4 mei2 wen4ti2."),
    ("你周末有空吗？我们去爬山吧。", "ni3 zhou1mo4 you3kong4 ma5? wo3men5 qu4 pa2shan1 ba5."),
    ("外面下雨了，记得带伞。", "wai4mian4 xia4yu3 le5, ji4de5 dai4 san3."),
    ("我想要一杯热咖啡，不加糖。", "wo3 xiang3yao4 yi4bei1 re4 ka1fei1, bu4 jia1 tang2."),
    ("他每天坐公交车去上班。", "ta1 mei3tian1 zuo4 gong1jiao1che1 qu4 shang4ban1."),
    ("请把门关上，外面太吵了。", "qing3 ba3 men2 guan1shang4, wai4mian4 tai4 chao3 le5."),
    ("这个周末我要去看望爷爷奶奶。", "zhe4ge5 zhou1mo4 wo3 yao4 qu4 kan4wang4 ye2ye5 nai3nai5."),
    ("你的手机号码是多少？", "ni3 de5 shou3ji1 hao4ma3 shi4 duo1shao5?"),
    ("我们在公园门口见面吧。", "wo3men5 zai4 gong1yuan2 men2kou3 jian4mian4 ba5."),
    ("医生说你要多喝水，早点休息。", "yi1sheng1 shuo1 ni3 yao4 duo1 he1 shui3, zao3dian3 xiu1xi5."),
    ("对不起，我来晚了，路上堵车。", "dui4bu5qi3, wo3 lai2 wan3 le5, lu4shang5 du3che1."),
    ("这本书非常有意思，你也看看。", "zhe4 ben3 shu1 fei1chang2 you3yi4si5, ni3 ye3 kan4kan5."),
    ("冰箱里还有牛奶和面包。", "bing1xiang1 li3 hai2you3 niu2nai3 he2 mian4bao1."),
    ("你会说中文吗？会一点点。", "ni3 hui4 shuo1 zhong1wen2 ma5? hui4 yi4dian3dian3."),
    ("明天早上七点，别忘了叫我起床。", "ming2tian1 zao3shang5 qi1dian3, bie2 wang4 le5 jiao4 wo3 qi3chuang2."),
    ("这家饭馆的菜又便宜又好吃。", "zhe4 jia1 fan4guan3 de5 cai4 you4 pian2yi5 you4 hao3chi1."),
    ("我的钱包不见了，你看见了吗？", "wo3 de5 qian2bao1 bu2jian4 le5, ni3 kan4jian4 le5 ma5?"),
    ("快点，电影马上就要开始了。", "kuai4dian3, dian4ying3 ma3shang4 jiu4yao4 kai1shi3 le5."),
    ("请问，洗手间在哪里？", "qing3wen4, xi3shou3jian1 zai4 na3li3?"),
    ("我不太舒服，想请一天假。", "wo3 bu2tai4 shu1fu5, xiang3 qing3 yi4tian1 jia4."),
    ("你喜欢吃苹果还是香蕉？", "ni3 xi3huan5 chi1 ping2guo3 hai2shi4 xiang1jiao1?"),
    ("孩子们在外面踢足球。", "hai2zi5men5 zai4 wai4mian4 ti1 zu2qiu2."),
    ("我们下个月一起去旅游吧。", "wo3men5 xia4ge5yue4 yi4qi3 qu4 lv3you2 ba5."),
    ("这条裙子很漂亮，多少钱？", "zhe4 tiao2 qun2zi5 hen3 piao4liang5, duo1shao5 qian2?"),
    ("晚上别玩手机了，早点睡觉。", "wan3shang5 bie2 wan2 shou3ji1 le5, zao3dian3 shui4jiao4."),
    ("谢谢你的帮忙，改天请你吃饭。", "xie4xie5 ni3 de5 bang1mang2, gai3tian1 qing3 ni3 chi1fan4."),
    ("火车票已经买好了，下午三点出发。", "huo3che1piao4 yi3jing1 mai3 hao3 le5, xia4wu3 san1dian3 chu1fa1."),
    ("我妹妹最喜欢画画和唱歌。", "wo3 mei4mei5 zui4 xi3huan5 hua4hua4 he2 chang4ge1."),
    ("你听，外面好像有人在敲门。", "ni3 ting1, wai4mian4 hao3xiang4 you3ren2 zai4 qiao1men2."),
    ("今天的天气真好，我们出去走走吧。", "jin1tian1 de5 tian1qi4 zhen1 hao3, wo3men5 chu1qu4 zou3zou5 ba5."),
    ("麻烦你帮我拿一下那个包。", "ma2fan5 ni3 bang1 wo3 na2 yi2xia4 na4ge5 bao1."),
    ("我找不到钥匙了，可能忘在办公室了。", "wo3 zhao3bu2dao4 yao4shi5 le5, ke3neng2 wang4 zai4 ban4gong1shi4 le5."),
    ("周末的时候，爸爸喜欢钓鱼。", "zhou1mo4 de5 shi2hou5, ba4ba5 xi3huan5 diao4yu2."),
    ("你吃过早饭了吗？还没有呢。", "ni3 chi1guo5 zao3fan4 le5 ma5? hai2 mei2you3 ne5."),
    ("这个问题我们明天再讨论吧。", "zhe4ge5 wen4ti2 wo3men5 ming2tian1 zai4 tao3lun4 ba5."),
    ("路上小心，到家给我发个消息。", "lu4shang5 xiao3xin1, dao4 jia1 gei3 wo3 fa1 ge5 xiao1xi5."),
]
# name: (espeak voice, words per minute, pitch 0-100)
VOICES = {"m1": ("cmn-latn-pinyin", 175, 50), "f1": ("cmn-latn-pinyin+f1", 150, 65),
          "m3": ("cmn-latn-pinyin+m3", 200, 40)}
PAD = 0.25  # s of silence written before and after each sentence, as in a recorded line

# espeak-ng's Mandarin mnemonics (every one that the 425 pinyin syllables produce) → CMU phones,
# with the share of the phoneme's time each takes. Pinyin in brackets.
_RISING, _CODA = (0.3, 0.7), (0.6, 0.4)
MNEMONIC: dict[str, list[tuple[str, float]]] = {
    # consonants
    "p": [("B", 1)], "ph": [("P", 1)], "m": [("M", 1)], "f": [("F", 1)],  # [b p m f]
    "t": [("D", 1)], "th": [("T", 1)], "n": [("N", 1)], "l": [("L", 1)],  # [d t n l]
    "k": [("G", 1)], "kh": [("K", 1)], "X": [("HH", 1)], "N": [("NG", 1)], "N-": [("NG", 1)],  # [g k h ng]
    "tS;": [("JH", 1)], "tS;h": [("CH", 1)], "S;": [("SH", 1)],  # [j q x]
    "ts.": [("JH", 1)], "ts.h": [("CH", 1)], "s.": [("SH", 1)], "z.": [("ZH", 1)],  # [zh ch sh r]
    "ts": [("Z", 1)], "tsh": [("S", 1)], "s": [("S", 1)],  # [z c s]
    "j": [("Y", 1)], ";": [("Y", 1)], "w": [("W", 1)],  # glides [y], [y] before ü, [w]
    # vowels
    "A": [("AA", 1)], "a": [("AA", 1)], "@": [("AX", 1)], "@r": [("ER", 1)],  # [a ang], [an], [en eng], [er]
    "o-": [("AH", 1)], "o": [("AO", 1)], "i": [("IY", 1)], "i.": [("IH", 1)], "i[": [("IH", 1)],  # [e], [o], [i]
    "u": [("UW", 1)], "y": [("UW", 1)], "yi": [("UW", 1)],  # [u], [ü]: lips rounded
    "ai": [("AY", 1)], "ei": [("EY", 1)], "Au": [("AW", 1)], "ou": [("OW", 1)],
    "ong": [("UH", _CODA[0]), ("NG", _CODA[1])],
    "iA": [("Y", _RISING[0]), ("AA", _RISING[1])], "iE": [("Y", _RISING[0]), ("EH", _RISING[1])],
    "io": [("Y", _RISING[0]), ("AO", _RISING[1])], "iou": [("Y", _RISING[0]), ("OW", _RISING[1])],
    "ua": [("W", _RISING[0]), ("AA", _RISING[1])], "uo": [("W", _RISING[0]), ("AO", _RISING[1])],
    "u@": [("W", _RISING[0]), ("AX", _RISING[1])], "uai": [("W", _RISING[0]), ("AY", _RISING[1])],
    "uei": [("W", _RISING[0]), ("EY", _RISING[1])], "yu": [("Y", _RISING[0]), ("UH", _RISING[1])],
    "y&": [("Y", _RISING[0]), ("EH", _RISING[1])], "yE": [("Y", _RISING[0]), ("EH", _RISING[1])],
    "y@": [("UW", _CODA[0]), ("AX", _CODA[1])],
}
STOPS = {"p", "ph", "t", "th", "k", "kh", "ts", "tsh", "ts.", "ts.h", "tS;", "tS;h"}
MAX_CLOSURE = 0.12  # s


class _Event(ctypes.Structure):
    class _Id(ctypes.Union):
        _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _Id)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_SYNCHRONOUS, _PHONEME_EVENTS, _DONT_EXIT = 2, 0x0001, 0x8000
_EV_END, _EV_PHONEME, _RATE, _PITCH, _UTF8 = 5, 7, 1, 3, 1


class Espeak:
    """libespeak-ng in synchronous mode: text → (int16 samples, [(mnemonic, sample)], end sample)."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        self.rate = self.lib.espeak_Initialize(_SYNCHRONOUS, 0, None, _PHONEME_EVENTS | _DONT_EXIT)
        if self.rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self._audio: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._end = -1
        self._callback = _CALLBACK(self._receive)  # kept alive as long as the library may call it
        self.lib.espeak_SetSynthCallback(self._callback)

    def _receive(self, wav, count, events):  # type: ignore[no-untyped-def]
        if wav and count > 0:
            self._audio.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != 0:
            event = events[i]
            if event.type == _EV_PHONEME:
                self._events.append((bytes(event.id.string).rstrip(b"\0").decode("ascii"), event.sample))
            elif event.type == _EV_END:
                self._end = event.sample
            i += 1
        return 0

    def say(self, text: str, voice: str, wpm: int, pitch: int) -> tuple[np.ndarray, list[tuple[str, int]], int]:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"no espeak-ng voice {voice}")
        self.lib.espeak_SetParameter(_RATE, wpm, 0)
        self.lib.espeak_SetParameter(_PITCH, pitch, 0)
        self._audio, self._events, self._end = [], [], -1
        data = text.encode()
        self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _UTF8, None, None)
        self.lib.espeak_Synchronize()
        samples = np.concatenate(self._audio) if self._audio else np.zeros(0, np.int16)
        return samples, list(self._events), self._end


def check(samples: np.ndarray, events: list[tuple[str, int]], end: int) -> None:
    """The event positions are exact: END is the audio's length, pauses are digital silence."""
    if end != len(samples):
        raise AssertionError(f"END event at {end}, audio has {len(samples)} samples")
    bounds = [s for _, s in events[1:]] + [end]
    for (name, start), stop in zip(events, bounds):
        if stop < start:
            raise AssertionError("events out of order")
        if name.startswith("_") and np.any(samples[start:stop]):
            raise AssertionError(f"pause {name} at sample {start} is not silent")
        if name not in MNEMONIC and not name.startswith("_"):
            raise AssertionError(f"unmapped espeak phoneme {name!r}")


def phones(samples: np.ndarray, events: list[tuple[str, int]], end: int, rate: int,
           pad: float = PAD) -> list[tuple[str, float, float]]:
    """(CMU phone | SIL, start s, end s) covering the padded audio, closures given to their stops."""
    spans = [[name, start, stop] for (name, start), stop in zip(events, [s for _, s in events[1:]] + [end])]
    silent = samples == 0
    for k, span in enumerate(spans):
        if span[0] not in STOPS or k == 0:
            continue
        start = int(span[1])
        floor = max(0, start - round(MAX_CLOSURE * rate))
        at = start
        while at > floor and silent[at - 1]:
            at -= 1
        # the silence may reach back over several pauses and into a phone; each loses its tail
        for before in range(k - 1, -1, -1):
            if spans[before][2] <= at:
                break
            spans[before][2] = max(int(spans[before][1]), at)
        span[1] = at
    shift = round(pad * rate)  # the samples of silence _write puts first
    out: list[tuple[str, float, float]] = [("SIL", 0.0, shift / rate)]
    for name, start, stop in spans:
        begin, finish = (shift + int(start)) / rate, (shift + int(stop)) / rate
        if finish <= begin:
            continue
        if str(name).startswith("_"):
            out.append(("SIL", begin, finish))
            continue
        at = begin
        parts = MNEMONIC[str(name)]
        for j, (cmu, share) in enumerate(parts):
            until = finish if j == len(parts) - 1 else at + (finish - begin) * share
            out.append((cmu, at, until))
            at = until
    out.append(("SIL", out[-1][2], (2 * shift + end) / rate))
    merged: list[tuple[str, float, float]] = []
    for name, start, stop in out:  # neighbouring pauses are one pause
        if merged and name == "SIL" and merged[-1][0] == "SIL":
            merged[-1] = ("SIL", merged[-1][1], stop)
        else:
            merged.append((name, start, stop))
    return merged


def _write(path: Path, samples: np.ndarray, rate: int, pad: float = PAD) -> None:
    zeros = np.zeros(round(pad * rate), np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.concatenate([zeros, samples.astype(np.int16), zeros]).tobytes())


def synthesise(folder: Path, voices: dict[str, tuple[str, int, int]] = VOICES) -> None:
    """Every sentence in every voice: <voice>_<nn>.wav and .json (text, pinyin, phones, events)."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = Espeak()
    for voice, (name, wpm, pitch) in voices.items():
        for i, (text, pinyin) in enumerate(SENTENCES):
            samples, events, end = engine.say(pinyin, name, wpm, pitch)
            check(samples, events, end)
            stem = folder / f"zh_{voice}_{i:02d}"
            _write(stem.with_suffix(".wav"), samples, engine.rate)
            stem.with_suffix(".json").write_text(json.dumps(
                {"text": text, "pinyin": pinyin, "voice": name, "wpm": wpm, "pitch": pitch, "rate": engine.rate,
                 "events": events, "phones": phones(samples, events, end, engine.rate)}, ensure_ascii=False))


def items(cache: Path) -> list[Item]:
    """All clean Mandarin items (split "dev" = even sentence numbers, "heldout" = odd), made on first use."""
    folder = cache / "espeak_zh"
    last = folder / f"zh_{list(VOICES)[-1]}_{len(SENTENCES) - 1:02d}.json"
    if not last.exists():
        synthesise(folder)
    out = []
    for voice in VOICES:
        for i in range(len(SENTENCES)):
            stem = folder / f"zh_{voice}_{i:02d}"
            data = json.loads(stem.with_suffix(".json").read_text())
            out.append(Item(stem.name, "dev" if i % 2 == 0 else "heldout", data["text"], stem.with_suffix(".wav"),
                            [(p[0], p[1], p[2]) for p in data["phones"]]))
    return out
