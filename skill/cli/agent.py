"""Agent plumbing commands: ``tools``, ``call``, ``mcp``, ``install``, ``uninstall``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome


def register(commands: Any) -> None:
    from skill.agent.install import TARGETS  # here, not at the top: the route/credits start-up never loads it

    tools = commands.add("tools", run_tools, "print the tool definitions for a model (Anthropic or OpenAI format)")
    tools.add_argument("--format", choices=("anthropic", "openai"), default="anthropic")

    call = commands.add("call", run_call, "run one tool with JSON input and print its JSON result")
    call.add_argument("tool", help="tool name (see 'lip-sync-video tools')")
    call.add_argument("--input", default="{}", metavar="JSON",
                      help="the tool input: a JSON object, @file.json, or - for standard input")

    commands.add("mcp", run_mcp, "serve the tools to an MCP client over stdio (needs the [mcp] extra)")

    for name, run, text in (("install", run_install, "install the skill where an agent client finds it"),
                            ("uninstall", run_uninstall, "remove what 'install' placed")):
        parser = commands.add(name, run, text)
        parser.add_argument("--target", required=True, choices=TARGETS,
                            help="openclaw: ~/.openclaw/skills, clawhub: <workspace>/skills, "
                                 "cursor: ~/.cursor/skills, claude: ~/.claude/skills")
        parser.add_argument("--dir", type=Path, default=None,
                            help="skills directory to use instead of the default (clawhub: the workspace)")
        if name == "install":
            parser.add_argument("--link", action="store_true",
                                help="symlink to this checkout instead of copying (edits show up at once)")


def run_tools(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.agent.tools import schemas
    from skill.cli import RawOutput

    definitions = schemas(args.format)
    if args.json:  # like every other --json: one object (the definitions under "tools")
        from skill.replies import Reply

        return Reply("agent/tools", {"format": args.format, "count": len(definitions), "tools": definitions})
    return RawOutput(definitions)  # the bare list a model's API takes


def _read_input(raw: str) -> Any:
    from skill.errors import UsageError

    if raw == "-":
        raw = sys.stdin.read()
    elif raw.startswith("@"):
        path = Path(raw[1:]).expanduser()
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise UsageError("errors/agent_input_file", path=str(path), reason=reason) from None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting deeper than the parser's stack
        raise UsageError("errors/agent_bad_json", detail=str(exc)) from None


def run_call(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.agent.tools import invoke
    from skill.cli import RawOutput

    outcome = invoke(args.tool, _read_input(args.input), app, lang=args.lang)
    return RawOutput(outcome.result, outcome.exit_code)  # the result is the output, with or without --json


def run_mcp(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.agent.mcp_server import serve
    from skill.cli import RawOutput

    serve(app.settings, lang=args.lang, verbose=args.verbose)
    return RawOutput(None)  # stdout was the protocol stream


def run_install(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.agent.install import install

    return install(args.target, args.dir, link=args.link)


def run_uninstall(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.agent.install import uninstall

    return uninstall(args.target, args.dir)
