"""Everything said to the person: language detection and the jinja2 templates in ``prompts/``.

A message is a *key* such as ``"account/credits"`` that names ``prompts/<lang>/account/credits.j2``.
Handlers return a :class:`Reply` (key + JSON-safe data); the CLI, the tools and the MCP server
render it. Nothing here knows about HTTP or the terminal.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from skill import env

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

# CJK Unified Ideographs (+ extension A) and CJK punctuation: enough to tell Chinese from English.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str | None, default: Lang | None = None) -> Lang:
    """Chinese if the text holds any Chinese character, else English.

    Mixed sentences ("帮我 export 一下") are Chinese: a Chinese speaker wrote them.
    """
    if text and not text.isascii() and _CJK.search(text):  # every character _CJK finds is non-ASCII
        return "zh"
    if text and _LATIN.search(text):
        return "en"
    return default or default_lang()


def default_lang() -> Lang:
    """The language when the person wrote nothing: ``LIP_SYNC_VIDEO_LANG``, then the locale."""
    for name in (env.LANG.name, "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").lower()
        if value:
            return "zh" if value.startswith("zh") else "en"
    return "en"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SHOWN_LIMIT = 160


def shown(value: str, limit: int = SHOWN_LIMIT) -> str:
    """A string from outside (a path, a URL, a name) made safe to show in one line.

    Control characters are written as escapes so no terminal sequence gets through, and a long
    value is cut in the middle, where a path's least telling part is.
    """
    value = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if len(value) <= limit:
        return value
    keep = limit - 1
    return value[: keep - keep // 2] + "…" + value[len(value) - keep // 2:]


def backend_language(lang: Lang) -> str:
    """The ``language`` the NemoVideo session is created with."""
    return "zh-CN" if lang == "zh" else "en"


@cache
def _environment() -> Any:
    import jinja2

    from skill.config import skill_root

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(skill_root() / "prompts")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(key: str, lang: str = "en", /, **params: Any) -> str:
    """Render ``prompts/<lang>/<key>.j2``; falls back to English if a Chinese one is missing."""
    env = _environment()
    lang = lang if lang in LANGS else "en"
    try:
        template = env.get_template(f"{lang}/{key}.j2")
    except Exception:
        template = env.get_template(f"en/{key}.j2")
    return template.render(**params).strip()


@dataclass
class Reply:
    """What a handler hands back: a template key, its data, and files to deliver.

    ``data`` must be JSON-safe and free of secrets: it is what ``--json`` and tool callers see.
    ``lang`` pins the reply to one language (``chat`` answers in the language of the message, whatever
    the session's language is), so a caller rendering it in another language still gets one language.
    """

    key: str
    data: dict[str, Any] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)
    ok: bool = True
    lang: str | None = None

    def text(self, lang: str) -> str:
        return render(self.key, self.lang or lang, **self.data)

    def as_json(self, lang: str) -> dict[str, Any]:
        out = dict(self.data)
        out["ok"] = self.ok
        out["reply"] = self.text(lang)
        if self.media:
            out["media"] = [os.path.abspath(path) for path in self.media]
        return out
