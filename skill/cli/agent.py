"""Agent plumbing commands: ``tools``, ``call``, ``mcp``, ``install``, ``uninstall``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


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


def run_tools(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.agent.tools import schemas

    console.json(schemas(args.format))
    return 0


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


def run_call(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.agent.tools import invoke

    outcome = invoke(args.tool, _read_input(args.input), app, lang=args.lang)
    console.json(outcome.result)  # the result is the output, with or without --json
    return outcome.exit_code


def run_mcp(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.agent.mcp_server import serve

    serve(app.settings, lang=args.lang, verbose=args.verbose)
    return 0


def run_install(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.agent.install import install

    console.reply(install(args.target, args.dir, link=args.link))
    return 0


def run_uninstall(args: argparse.Namespace, app: Any, console: Any) -> int:
    from skill.agent.install import uninstall

    console.reply(uninstall(args.target, args.dir))
    return 0
