"""``python -m tests.emulator --port 8765``: serve the emulated backend for demos.

Then: ``NEMO_API_BASE=http://127.0.0.1:8765 lip-sync-video credits``.
"""

from __future__ import annotations

import argparse

from tests.emulator.server import Emulator


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state", default="default", help="state fixture for new sessions")
    parser.add_argument("--render-shape", choices=("top", "data"), default="top")
    parser.add_argument("--play", action="append", default=[], metavar="SCRIPT",
                        help="queue fixtures/sse/SCRIPT.sse for the next /run_sse turn (repeatable)")
    args = parser.parse_args()
    emulator = Emulator(args.host, args.port, log_level="info")
    emulator.state.use_fixture(args.state)
    emulator.state.render_shape = args.render_shape
    try:
        emulator.play(*args.play)
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    print(f"NemoVideo emulator on {emulator.url} (Ctrl-C to stop)", flush=True)
    emulator.serve_forever()


if __name__ == "__main__":
    main()
