"""Run a command, copying its stdout both to ours and to a log file.

``python -m tests.agent.stdio_tee LOG -- COMMAND...``: placed between an MCP client and server it
lets a test read the raw JSON-RPC lines the client received. stdin and stderr are inherited.
"""

from __future__ import annotations

import subprocess
import sys


def main(argv: list[str]) -> int:
    log_path, separator, *command = argv
    if separator != "--" or not command:
        print("usage: stdio_tee LOG -- COMMAND...", file=sys.stderr)
        return 2
    with open(log_path, "wb") as log, subprocess.Popen(command, stdout=subprocess.PIPE) as child:
        assert child.stdout is not None
        for line in iter(child.stdout.readline, b""):
            log.write(line)
            log.flush()
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
