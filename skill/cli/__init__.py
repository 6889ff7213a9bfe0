"""The ``lip-sync-video`` command line.

Each module listed in ``COMMAND_MODULES`` registers its subcommands; its top level imports only
the standard library so that ``route`` and ``credits`` start fast, and heavy imports happen
inside the command function. Exit codes: 0 success, 1 handled error, 2 usage error, 130 Ctrl-C.
Nothing outside this package imports it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from skill.replies import Reply

# Which module registers each command. Running one command imports only its module (cold start
# is benchmarked); --help and unknown commands import them all. A test keeps this table true.
COMMANDS: dict[str, str] = {
    "setup": "skill.cli.account", "credits": "skill.cli.account", "state": "skill.cli.account",
    "chat": "skill.cli.chat", "route": "skill.cli.route",
    "upload": "skill.cli.media", "export": "skill.cli.media", "batch": "skill.cli.media",
    "align": "skill.cli.align", "fit": "skill.cli.fit", "mouth-cues": "skill.cli.mouth_cues",
    "animate": "skill.cli.animate", "face-check": "skill.cli.face_check",
    "talk": "skill.cli.jobs", "motion": "skill.cli.jobs", "dub": "skill.cli.jobs",
    "tools": "skill.cli.agent", "call": "skill.cli.agent", "mcp": "skill.cli.agent",
    "install": "skill.cli.agent", "uninstall": "skill.cli.agent",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))



@dataclass(frozen=True)
class RawOutput:
    """What a runner returns when its output is not a Reply: one JSON object printed as it is
    (``tools``, ``call``, ``route --json``; None prints nothing, as for ``mcp``) and the exit code."""

    obj: Any
    exit_code: int = 0


# A command's run function: (arguments, App, Console) -> the Reply to show (or a RawOutput).
# ``main`` prints it and maps it to the exit code: 0, or 1 when ``Reply.ok`` is False.
Outcome = Union["Reply", RawOutput]
Runner = Callable[[argparse.Namespace, Any, Any], Outcome]
log = logging.getLogger("skill")


@dataclass(frozen=True)
class Forward:
    """A runner that only hands parsed options to a handler, so a command is one declaration.

    ``handler`` is ``"module:function"``, imported when the command runs (never for ``--help``);
    it is called with the App, then the options named in ``positional``, then those in
    ``keywords`` by name; ``"param=dest"`` passes option ``dest`` as ``param``.
    """

    handler: str
    positional: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def __call__(self, args: argparse.Namespace, app: Any, console: Any) -> Outcome:
        module, _, name = self.handler.partition(":")
        function = getattr(importlib.import_module(module), name)
        named = {param: getattr(args, dest or param)
                 for param, _, dest in (item.partition("=") for item in self.keywords)}
        result: Outcome = function(app, *(getattr(args, dest) for dest in self.positional), **named)
        return result


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one line, exit 2, no usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class Commands:
    """Handed to each command module's ``register``; adds the shared flags to every command."""

    def __init__(self, subparsers: Any) -> None:
        self._subparsers = subparsers
        self._common = argparse.ArgumentParser(add_help=False)
        self._common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        self._common.add_argument("--lang", choices=("en", "zh"), help="reply language (default: detected)")
        self._common.add_argument("-v", "--verbose", action="store_true", help="debug log on stderr (redacted)")

    def add(self, name: str, run: Runner, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser = self._subparsers.add_parser(name, help=help, description=help, parents=[self._common],
                                             **kwargs)
        parser.set_defaults(run=run)
        return parser

    @staticmethod
    def forward(handler: str, positional: tuple[str, ...] = (), keywords: tuple[str, ...] = ()) -> Forward:
        """The runner of a command that only passes its options to ``handler`` (see :class:`Forward`)."""
        return Forward(handler, positional, keywords)

    @staticmethod
    def add_files(parser: argparse.ArgumentParser, *files: tuple[str, str], output: str | None = None) -> None:
        """Input files, each ``(name, help)``, as positional paths (metavar NAME); then, given its help,
        ``-o/--output OUT``."""
        for name, help in files:
            parser.add_argument(name, type=Path, metavar=name.upper(), help=help)
        if output is not None:
            parser.add_argument("-o", "--output", type=Path, metavar="OUT", help=output)

    @staticmethod
    def add_utterance(parser: argparse.ArgumentParser, help: str) -> None:
        """The person's sentence and the files or links sent with it (``chat`` and ``route``)."""
        parser.add_argument("utterance", help=help)
        parser.add_argument("--attach", action="append", default=[], metavar="PATH",
                            help="a file path or http(s) link the person sent with it (repeatable)")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv`` naming a known command, only that command's module is loaded."""
    parser = _Parser(prog="lip-sync-video", description="Lip-sync videos by chatting with your agent.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands = Commands(sub)
    first = next((arg for arg in argv or () if not arg.startswith("-")), None)
    modules = (COMMANDS[first],) if first in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(commands)
    return parser


def _version() -> str:
    from skill import __version__

    return __version__


def _configure_logging(verbose: bool) -> None:
    from skill.redact import RedactingFilter

    handlers: list[logging.Handler] = []
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    from skill import env

    log_file = env.read(env.LOG_FILE)
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            from skill.errors import ConfigError

            raise ConfigError("errors/config_log_file", name=env.LOG_FILE.name, value=log_file,
                              reason=exc.strerror or type(exc).__name__) from None
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    if handlers:
        log.setLevel(logging.DEBUG)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    from skill.console import Console
    from skill.errors import LipSyncError
    from skill.replies import default_lang, detect_lang

    lang = args.lang or detect_lang(getattr(args, "utterance", None), default=default_lang())
    console = Console(lang, json_mode=args.json)
    app = None
    try:
        _configure_logging(args.verbose)  # inside: an unwritable LIP_SYNC_VIDEO_LOG_FILE is a handled error
        from skill.app import App
        from skill.config import Settings

        app = App(Settings.from_env(), console, lang=lang, verbose=args.verbose)
        return _deliver(args.run(args, app, console), console)
    except LipSyncError as exc:
        log.debug("handled error", exc_info=True)
        console.error(exc.render(lang), key=exc.message_key)
        return exc.exit_code
    except KeyboardInterrupt:
        console.error(_render("errors/interrupted", lang), key="errors/interrupted")
        return 130
    except Exception as exc:  # a bug: one clear line, the redacted traceback only in the debug log
        log.debug("unexpected error", exc_info=True)
        console.error(_render("errors/internal", lang, kind=type(exc).__name__), key="errors/internal")
        return 1
    finally:
        if app is not None:
            app.close()


def _deliver(outcome: Outcome, console: Any) -> int:
    """Print a runner's result and say the exit code: the one place ``Reply.ok`` becomes 0 or 1."""
    if isinstance(outcome, RawOutput):
        if outcome.obj is not None:
            console.json(outcome.obj)
        return outcome.exit_code
    console.reply(outcome)
    return 0 if outcome.ok else 1


def _render(key: str, lang: str, **params: Any) -> str:
    from skill.replies import render

    return render(key, lang, **params)
