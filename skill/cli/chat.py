"""``lip-sync-video chat "<utterance>" [--attach PATH]... [--local]``: the conversational entry point."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    parser = commands.add("chat", commands.forward("skill.handlers.chat:chat", ("utterance",),
                                                   ("attachments=attach", "local", "cloud", "lang")),
                          help="say what you want in plain words; the skill routes and does it")
    commands.add_utterance(parser, 'what the person said, e.g. "sync my Spanish voiceover to this clip"')
    parser.add_argument("--local", action="store_true",
                        help="force a sync fix onto this machine (the default for a local video and audio)")
    parser.add_argument("--cloud", action="store_true",
                        help="send a sync fix to the cloud lip-sync instead of fixing it on this machine")
