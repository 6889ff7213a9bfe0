"""Backend model text made fit to show: no raw JSON, nothing secret-shaped, no lone "temporary issue".

The NemoVideo agent writes for its own web editor and sometimes pastes tool payloads (JSON objects,
fenced or inline) into its answer; those mean nothing to a person and may carry ids, so they go.
"""

from __future__ import annotations

import json
import re

from skill.redact import redact

# The backend appends this after a real answer when a late tool step hiccups; alone, it is a failure.
_TEMPORARY_ISSUE = re.compile(r"(?i)\bencountered an? (?:temporary|transient) (?:issue|error|problem)"
                              r"|遇到了?(?:一个|一些)?(?:临时|暂时)(?:性)?(?:问题|错误)")
_CODE_FENCE = re.compile(r"```[a-zA-Z]*\n?(.*?)```", re.S)


def _without_json_objects(text: str) -> str:
    """Drop every span that parses as a JSON object, nested ones whole (``raw_decode`` from each ``{``)."""
    decoder = json.JSONDecoder()
    kept: list[str] = []
    position = 0
    while (brace := text.find("{", position)) != -1:
        try:
            _, end = decoder.raw_decode(text, brace)
        except ValueError:
            kept.append(text[position:brace + 1])
            position = brace + 1
            continue
        kept.append(text[position:brace].rstrip(" "))  # the space after the object stays
        position = end
    kept.append(text[position:])
    return "".join(kept)


def scrub(text: str) -> str:
    """Model text without raw JSON (fenced, inline or whole lines) and without anything secret-shaped."""
    def fence(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        return "" if inner[:1] in "{[" else match.group(0)

    lines = []
    for line in _without_json_objects(_CODE_FENCE.sub(fence, text)).splitlines():
        stripped = line.strip()
        if stripped[:1] == "[":
            try:
                json.loads(stripped)
                continue
            except ValueError:
                pass
        lines.append(line)
    return redact(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())


def answer(texts: list[str]) -> tuple[str, bool]:
    """The text to show, and whether the backend only said it hit a temporary issue."""
    kept = [t for t in (scrub(t) for t in texts) if t]
    normal = [t for t in kept if not _TEMPORARY_ISSUE.search(t)]
    if normal:
        # A trailing "temporary issue" after a real answer is noise; drop every such line.
        return "\n\n".join(normal), False
    return "", bool(kept)
