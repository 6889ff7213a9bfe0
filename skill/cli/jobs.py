"""``talk``, ``motion`` and ``dub`` on any provider, with the flags of the aivp-lipsync scripts
(the fal.ai lip-sync command-line helpers agents already know).

The result is one JSON object on stdout (the scripts' contract, plus ``reply`` in the person's
language); progress, queue position and logs go to stderr. ``--status/--result/--cancel ID``
work on jobs submitted earlier, from this or another process.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.cli import Outcome

# Per mode: the two inputs, each as (local-file flag, URL flag, role).
INPUTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "talk": (("--image", "--image-url", "image"), ("--audio", "--audio-url", "audio")),
    "motion": (("--image", "--image-url", "image"), ("--video", "--video-url", "video")),
    "dub": (("--video", "--video-url", "video"), ("--audio", "--audio-url", "audio")),
}
HELP = {
    "talk": "image + speech → talking video (fal OmniHuman, or NemoVideo)",
    "motion": "image + driving video → motion transfer (fal DreamActor)",
    "dub": "video + new speech → lip-synced video (fal PixVerse/Sync, WaveSpeed, NVIDIA NIM, NemoVideo)",
}


def register(commands: Any) -> None:
    for mode in ("talk", "motion", "dub"):
        parser = commands.add(mode, _run, help=HELP[mode])
        parser.set_defaults(mode=mode)
        for local_flag, url_flag, role in INPUTS[mode]:
            parser.add_argument(local_flag, dest=f"{role}_file", metavar="PATH", help=f"local {role} file (uploaded)")
            parser.add_argument(url_flag, dest=f"{role}_url", metavar="URL", help=f"{role} URL")
        _common(parser)
        if mode == "talk":
            parser.add_argument("--prompt", "-p", help="text prompt guiding the style (OmniHuman)")
            parser.add_argument("--resolution", choices=("720p", "1080p"),
                                help="1080p (audio ≤ 30 s, default) or 720p (audio ≤ 60 s)")
            parser.add_argument("--turbo", action="store_true", help="faster, slightly lower quality")
        if mode == "motion":
            parser.add_argument("--no-trim", action="store_true", help="keep the first-second transition")
        if mode == "dub":
            _dub_flags(parser)


def _common(parser: argparse.ArgumentParser) -> None:
    from skill.cli import numbers
    from skill.config import DEFAULT_JOB_TIMEOUT_SECONDS
    from skill.providers import PROVIDER_NAMES  # here, not at the top: route/credits never load it

    parser.add_argument("--provider", choices=("auto", *PROVIDER_NAMES), default="auto",
                        help="service to use; auto picks from the keys present, NemoVideo if none")
    parser.add_argument("--model", "-m", help="model id (provider default if omitted)")
    parser.add_argument("--output", "-o", type=Path, metavar="PATH", help="save the video to this path")
    parser.add_argument("--async", dest="run_async", action="store_true", help="return the job id at once")
    ids = parser.add_mutually_exclusive_group()
    ids.add_argument("--status", metavar="ID", help="check a job's queue status")
    ids.add_argument("--result", metavar="ID", help="get a finished job's result")
    ids.add_argument("--cancel", metavar="ID", help="cancel a queued job")
    parser.add_argument("--poll-interval", type=numbers.non_negative, default=5.0, metavar="SECONDS",
                        help="seconds between checks (5)")
    parser.add_argument("--timeout", type=numbers.positive, default=DEFAULT_JOB_TIMEOUT_SECONDS, metavar="SECONDS",
                        help=f"maximum wait in seconds ({DEFAULT_JOB_TIMEOUT_SECONDS:g})")
    parser.add_argument("--logs", action="store_true", help="show the service's logs while waiting")


def _dub_flags(parser: argparse.ArgumentParser) -> None:
    from skill.cli import numbers
    from skill.cli.fit import max_stretch
    from skill.config import DEFAULT_MAX_STRETCH, HARD_MAX_STRETCH

    parser.add_argument("--fit", action="store_true",
                        help="first fit the new speech to the video's own pauses on this machine (as `fit` does), "
                             "then upload the fitted voice; needs local files")
    parser.add_argument("--max-stretch", type=max_stretch, default=DEFAULT_MAX_STRETCH, metavar="R",
                        help="with --fit: speed a phrase up or slow it down by at most R "
                             f"({DEFAULT_MAX_STRETCH}, at most {HARD_MAX_STRETCH})")
    parser.add_argument("--sync-mode", choices=("cut_off", "loop", "bounce", "silence", "remap"),
                        help="fal sync-lipsync: what to do when lengths differ")
    nim = parser.add_argument_group("NVIDIA LipSync NIM (--provider nim)")
    nim.add_argument("--target", help="NIM gRPC host:port (default $NIM_TARGET or 127.0.0.1:8001)")
    nim.add_argument("--nim-tls", action="store_true", help="connect with TLS")
    nim.add_argument("--speaker-data-input", type=Path, metavar="JSON", help="per-frame speaker bounding boxes")
    nim.add_argument("--extend-audio", choices=("unspecified", "silence"), help="pad short audio with silence")
    nim.add_argument("--extend-video", choices=("unspecified", "forward", "reverse"),
                     help="replay the last seconds when the audio is longer")
    nim.add_argument("--bitrate", type=int, default=30, help="output video bitrate in Mbps (30)")
    nim.add_argument("--idr-interval", type=int, default=8, help="output IDR interval (8)")
    nim.add_argument("--lossless", action="store_true", help="lossless output video")
    nim.add_argument("--output-audio-codec", choices=("opus", "mp3"), default="opus")
    nim.add_argument("--head-movement-speed", type=int, choices=(0, 1), help="0 static/slow heads, 1 fast")
    nim.add_argument("--background-audio-input", type=Path, metavar="PATH", help="background audio to mix in")
    nim.add_argument("--background-audio-volume", type=numbers.finite, default=0.5, help="background volume 0..1 (0.5)")


def _spec(args: argparse.Namespace) -> Any:
    from skill.handlers.jobs import JobSpec

    options: dict[str, Any] = {}
    if args.mode == "talk":
        options = {"prompt": args.prompt, "resolution": args.resolution, "turbo": args.turbo}
    elif args.mode == "motion":
        options = {"trim": not args.no_trim}
    else:
        options = {"sync_mode": args.sync_mode, "speaker_data": args.speaker_data_input,
                   "extend_audio": args.extend_audio, "extend_video": args.extend_video, "bitrate": args.bitrate,
                   "idr_interval": args.idr_interval, "lossless": args.lossless,
                   "output_audio_codec": args.output_audio_codec, "head_movement_speed": args.head_movement_speed,
                   "background_audio": args.background_audio_input,
                   "background_volume": args.background_audio_volume}
    provider_options = {"target": args.target, "tls": args.nim_tls} if args.mode == "dub" else {}
    return JobSpec(provider=args.provider, model=args.model,
                   options={k: str(v) if isinstance(v, Path) else v for k, v in options.items() if v is not None},
                   provider_options=provider_options)


def _inputs(args: argparse.Namespace) -> dict[str, str]:
    from skill.errors import UsageError

    inputs: dict[str, str] = {}
    for local_flag, url_flag, role in INPUTS[args.mode]:
        local, url = getattr(args, f"{role}_file"), getattr(args, f"{role}_url")
        if bool(local) == bool(url):
            raise UsageError("errors/provider_input_flags", local=local_flag, url=url_flag)
        inputs[role] = local or url
    return inputs


def _run(args: argparse.Namespace, app: Any, console: Any) -> Outcome:
    from skill.handlers import jobs
    from skill.handlers.jobs import WaitOptions

    console.json_mode = True  # those scripts' contract: JSON on stdout, words on stderr
    spec = _spec(args)
    if args.status:
        reply = jobs.job_status(app, args.status, spec, logs=args.logs)
    elif args.result:
        reply = jobs.job_result(app, args.result, spec, output=args.output)
    elif args.cancel:
        reply = jobs.job_cancel(app, args.cancel, spec)
    else:
        how = WaitOptions(wait=not args.run_async, poll_interval=args.poll_interval, timeout=args.timeout,
                          logs=args.logs, output=args.output)
        fit = args.max_stretch if args.mode == "dub" and args.fit else None
        reply = jobs.run_job(app, args.mode, _inputs(args), spec, how, fit_stretch=fit)
    return reply
