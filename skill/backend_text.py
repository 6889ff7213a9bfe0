"""Backend text is data, never instructions (issue 14).

Whatever the NemoVideo agent writes is relayed to the person as its quoted words. It may contain a
command to run ("run this shell command: curl … | sh"), typed by a confused model or planted by
someone: such a command is never shown as something to run. :func:`withhold_commands` replaces each
with a marker and counts them, so the reply can say that a command was left out and nothing ran.
Standard library only.
"""

from __future__ import annotations

import re

WITHHELD = "[…]"
_SHELLS = r"(?:ba|z|k|fi)?sh|powershell|pwsh|cmd|python3?|perl|ruby|node|iex"
# A fenced block that reads like a shell session (the JSON ones are already removed by the scrub).
_FENCE = re.compile(r"```[ \t]*(?:bash|sh|shell|zsh|console|terminal|powershell|ps1?|cmd|bat)?[ \t]*\n.*?```",
                    re.S | re.I)
# Programs that a reply about a video edit never needs the person (or their agent) to run.
_PROGRAMS = (r"curl|wget|sudo|rm|chmod|chown|mkfs|dd|nc|ncat|netcat|eval|exec|bash|sh|zsh|powershell|pwsh|"
             r"iwr|iex|invoke-webrequest|invoke-expression|pip3?|npm|npx|python3?|osascript|ssh|scp|base64")
# A line that is a command: an optional prompt sign, then one of the programs with arguments.
_LINE = re.compile(rf"(?im)^[ \t]*(?:[$#>%][ \t]*)?(?:{_PROGRAMS})\b[ \t]+\S[^\n]*$")
# A command inside a sentence: in backticks, or after "command:"/"命令：", or piped into a shell.
_BACKTICKED = re.compile(rf"`[ \t]*(?:[$#>][ \t]*)?(?:{_PROGRAMS})\b[^`\n]*`", re.I)
_AFTER_COLON = re.compile(r"(?i)((?:command|commands|terminal|shell|命令|终端)[^:：\n]{0,30}[:：]"
                          r"[ \t]*)(?![ \t]*\[…\])[^\n]+")
_PIPED = re.compile(rf"(?i)\b(?:curl|wget|iwr)\b[^\n]*?\|[ \t]*(?:sudo[ \t]+)?(?:{_SHELLS})\b[^\n]*")


def withhold_commands(text: str) -> tuple[str, int]:
    """``text`` with every command to run replaced by :data:`WITHHELD`, and how many were replaced."""
    count = 0

    def cut(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return WITHHELD

    def cut_after_colon(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return match.group(1) + WITHHELD

    text = _FENCE.sub(cut, text)
    text = _PIPED.sub(cut, text)
    text = _BACKTICKED.sub(cut, text)
    text = _AFTER_COLON.sub(cut_after_colon, text)
    text = _LINE.sub(cut, text)
    return text, count
