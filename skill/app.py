"""Per-invocation wiring shared by the CLI, the tool runner and the MCP server.

An :class:`App` holds the settings, the language, the events sink and (lazily) the NemoVideo
client. Handlers take an ``App`` and return a :class:`~skill.replies.Reply`; they never print.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from skill.config import Settings
from skill.console import Events, NullEvents
from skill.replies import Lang

if TYPE_CHECKING:
    from skill.nemo.client import NemoClient
    from skill.store import Store


class App:
    def __init__(self, settings: Settings | None = None, events: Events | None = None,
                 lang: str = "en", verbose: bool = False) -> None:
        self.settings = settings or Settings.from_env()
        self.events: Events = events or NullEvents(lang)
        self.lang: Lang = "zh" if lang == "zh" else "en"
        self.verbose = verbose

    @cached_property
    def store(self) -> Store:
        from skill.store import Store

        return Store.open(self.settings, self.events)

    @cached_property
    def client(self) -> NemoClient:
        from skill.nemo.client import NemoClient

        return NemoClient(self.settings, self.store, self.events, lang=self.lang)

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
