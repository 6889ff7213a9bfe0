"""Backend GUI-speak → things we can actually do.

The NemoVideo agent was written for a web editor, so it tells people to "click Export", "open the
panel" or "drag the clip". A chat person has no such buttons. :func:`translate` removes those
sentences and returns what to do instead, chosen from a fixed set of :class:`Action` kinds. Nothing
else in backend text can become an action: a sentence such as "run this shell command" stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ActionKind = Literal["export", "show_state", "show_timeline", "send_edit"]


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    text: str = ""  # only for send_edit: the instruction to send as a follow-up edit


@dataclass(frozen=True)
class Translation:
    text: str
    actions: list[Action] = field(default_factory=list)


# Sentence boundaries inside a line: after . ! ? and a space (so "3.5s" stays whole), and after 。！？；.
_SENTENCES = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")

_EXPORT = re.compile(
    r"(?i)\b(?:click|press|tap|hit|select|use)\b[^.!?\n]{0,40}\b(?:export|download|render)\b"
    r"|\b(?:export|download|render)\s+button\b"
    r"|(?:点击|点一下|按下?|单击|选择|使用)[^。！？\n]{0,12}(?:导出|下载|渲染)"
    r"|(?:导出|下载)按钮|(?:请|可以|就可以|即可|去)(?:导出|下载)")
_PREVIEW = re.compile(
    r"(?i)\bpreview\b[^.!?\n]{0,30}\btimeline\b|\btimeline\b[^.!?\n]{0,30}\bpreview\b"
    r"|\b(?:click|press|tap|hit)\b[^.!?\n]{0,30}\b(?:preview|play)\b"
    r"|(?:在|到)?时间线[^。！？\n]{0,10}(?:预览|查看)|(?:预览|播放)(?:按钮|一下)|点击[^。！？\n]{0,12}(?:预览|播放)")
_DRAG = re.compile(r"(?i)\bdrag(?:ging)?\b|\bdrop\b|拖拽|拖动|拖到|拖入|拖放|拖曳")
_OPEN_OR_CLICK = re.compile(
    r"(?i)\b(?:click|tap|press)(?:ing)?\b"
    r"|\bopen\b[^.!?\n]{0,40}\b(?:panel|tab|menu|sidebar|settings|window|library|editor|inspector)\b"
    r"|打开|点击|单击|点一下")
# "Drag the title to 5s" → "Move the title to 5s": the instruction, minus the mouse.
_DRAG_VERBS = ((re.compile(r"(?i)\bdrag(?:ging)?\s+(?:and\s+drop\s+)?"), "move "),
               (re.compile(r"(?i)\bdrop\b"), "place"),
               (re.compile(r"拖拽|拖动|拖曳|拖放"), "移动"), (re.compile(r"拖到|拖入"), "移到"))
_DRAG_NOISE = re.compile(r"(?i)\b(?:you can|simply|just|please)\s+|^(?:你可以|可以|请|只需)")


def _as_edit(sentence: str) -> str:
    text = _DRAG_NOISE.sub("", sentence.strip())
    for pattern, replacement in _DRAG_VERBS:
        text = pattern.sub(replacement, text)
    text = text.strip()
    return text[:1].upper() + text[1:]


# "Don't click Export yet" is advice about a button, not a request to press it.
_NEGATED = re.compile(r"(?i)\b(?:don'?t|do not|never|not yet|before you)\b|不要|别|先不|暂时不|还不能|无需")


def _classify(sentence: str) -> Action | None:
    if _NEGATED.search(sentence):
        return None
    if _EXPORT.search(sentence):
        return Action("export")
    if _PREVIEW.search(sentence):
        return Action("show_timeline")
    if _DRAG.search(sentence):
        return Action("send_edit", _as_edit(sentence))
    if _OPEN_OR_CLICK.search(sentence):
        # Any other button or panel ("Apply", "open the audio panel") means "look at the project".
        return Action("show_state")
    return None


def translate(text: str) -> Translation:
    """The text without GUI instructions, and the actions that stand in for them (each kind once)."""
    lines: list[str] = []
    actions: list[Action] = []
    for line in text.splitlines():
        kept: list[str] = []
        for sentence in _SENTENCES.split(line):
            if not sentence.strip():
                continue
            action = _classify(sentence)
            if action is None:
                kept.append(sentence.strip())
            elif all(a.kind != action.kind for a in actions):
                actions.append(action)
        if kept or not line.strip():  # keep paragraph breaks, drop lines that were only instructions
            lines.append(_join(kept))
    return Translation(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), actions)


def _join(sentences: list[str]) -> str:
    out = ""
    for sentence in sentences:
        # Chinese sentences run together; English ones need a space.
        glue = "" if not out or out[-1] in "。！？；" or sentence[:1] in "。！？" else " "
        out += glue + sentence
    return out
