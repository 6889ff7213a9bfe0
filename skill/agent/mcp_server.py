"""``lip-sync-video mcp``: the tools of :mod:`skill.agent.tools` served over stdio with the official MCP SDK.

It uses the SDK's public low-level server (``mcp.server.lowlevel.Server`` with ``on_list_tools`` and
``on_call_tool`` handlers): the published input schemas are exactly :func:`skill.agent.tools.schemas`'
and validation is :func:`skill.agent.tools.invoke`'s, so a bad argument comes back as the same
readable, structured error as from ``lip-sync-video call``. Handlers are synchronous: each call runs
in a worker thread and its ``app.events`` progress and notices become MCP progress notifications.
Every result is redacted; the NemoVideo token stays in this process. ``mcp`` is the optional
``[mcp]`` extra.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import anyio.from_thread
import anyio.to_thread

from skill.agent import tools
from skill.app import App
from skill.config import Settings
from skill.console import NullEvents
from skill.errors import LipSyncError
from skill.redact import redact
from skill.replies import default_lang, render

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext
    from mcp.server.lowlevel import Server
    from mcp.server.session import ServerSession
    from mcp_types import CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams

log = logging.getLogger("skill.mcp")


class ProgressBridge:
    """An Events sink, called from the worker thread, that sends MCP progress notifications.

    MCP wants progress to grow with every notification, so a line without a fraction moves the
    counter by one; with a fraction the counter is percent (``total`` 100) and never goes back.
    A line identical to the previous one is not sent again.
    """

    def __init__(self, session: ServerSession, lang: str) -> None:
        self.lang = lang
        self._session = session
        self._value = 0.0
        self._last: str | None = None

    def notice(self, key: str, /, **params: Any) -> None:
        self._send(render(key, self.lang, **params), None)

    def progress(self, key: str, /, fraction: float | None = None, **params: Any) -> None:
        self._send(render(key, self.lang, fraction=fraction, **params), fraction)

    def _send(self, message: str, fraction: float | None) -> None:
        if message == self._last:
            return
        self._last = message
        if fraction is None:
            self._value += 1
            total = None
        else:
            self._value = max(self._value + 0.01, round(100 * min(max(fraction, 0.0), 1.0), 2))
            total = max(100.0, self._value)
        try:
            anyio.from_thread.run(self._session.report_progress, self._value, total, redact(message))
        except Exception:  # a client that went away must not break the job itself
            log.debug("progress notification not sent", exc_info=True)


def _tool_result(outcome: tools.Outcome) -> CallToolResult:
    from mcp_types import CallToolResult, TextContent

    # Structured content for clients that read it, the same JSON as text for those that do not.
    text = json.dumps(outcome.result, ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=outcome.result,
                          is_error=not outcome.ok)


INSTRUCTIONS = ("Lip-sync videos with NemoVideo: upload media, edit by instruction, export, check credits, "
                "fix audio offset/drift offline, fit a dub to the original's pauses offline, or animate a drawn "
                "character's mouth to dialogue offline. When unsure which tool fits, pass the person's words to "
                "'chat'. Relay each result's 'reply' to the person.")


def build_server(settings: Settings, lang: str | None = None, verbose: bool = False) -> Server:
    """A low-level MCP server offering every tool; raises a clear error if the SDK is missing."""
    try:
        from mcp.server.lowlevel import Server
        from mcp_types import ListToolsResult, Tool
    except ImportError:
        raise LipSyncError("errors/agent_mcp_missing") from None
    from skill import __version__

    base = App(settings, NullEvents(lang or default_lang()), lang=lang or default_lang(), verbose=verbose)
    listed = [Tool(name=tool.name, description=tool.description, input_schema=tool.input_schema())
              for tool in tools.TOOLS]

    async def list_tools(ctx: ServerRequestContext, params: PaginatedRequestParams | None) -> ListToolsResult:
        return ListToolsResult(tools=listed)

    async def call_tool(ctx: ServerRequestContext, params: CallToolRequestParams) -> CallToolResult:
        bridge = ProgressBridge(ctx.session, lang or base.lang)
        arguments = dict(params.arguments or {})  # validated by tools.invoke, like every other caller's
        outcome = await anyio.to_thread.run_sync(
            lambda: tools.invoke(params.name, arguments, base, lang, events=bridge))
        return _tool_result(outcome)

    logging.getLogger("mcp").setLevel(logging.DEBUG if verbose else logging.WARNING)
    return Server("lip-sync-video", version=__version__, instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool)


def serve(settings: Settings, lang: str | None = None, verbose: bool = False) -> None:
    """Serve over stdio until the client closes the connection."""
    server = build_server(settings, lang, verbose)  # first: it says so clearly when the SDK is missing
    from mcp.server.stdio import stdio_server

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(run)
