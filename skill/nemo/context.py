"""What the NemoVideo layer needs from its caller, as a protocol, so it never imports ``skill.app``.

``skill.app.App`` satisfies it; so does a batch pair's own App (its own session and store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from skill.config import Settings
    from skill.console import Events
    from skill.nemo.client import NemoClient
    from skill.store import Store


class NemoContext(Protocol):
    settings: Settings
    events: Events

    @property
    def lang(self) -> str: ...

    @property
    def client(self) -> NemoClient: ...

    @property
    def store(self) -> Store: ...
