"""Serve the emulator with uvicorn on 127.0.0.1 in a background thread, and the test-facing facade."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from tests.emulator.app import build_app
from tests.emulator.sse import parse_script, script_text
from tests.emulator.state import Call, EmulatorState

START_TIMEOUT_SECONDS = 10.0


class Emulator:
    """What tests use: ``url``, ``state``, ``calls()``, ``inject()``, ``play()``, ``reset()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_level: str = "error") -> None:
        self.state = EmulatorState()
        # Bind before starting so the port is known at once and never raced for.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.url = f"http://{host}:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(build_app(self.state), log_level=log_level, lifespan="off", ws="none",
                                access_log=log_level == "info", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="nemo-emulator", daemon=True)

    def start(self) -> Emulator:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the NemoVideo emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()
        self.state.close()

    def serve_forever(self) -> None:
        """Run in the calling thread until Ctrl-C (``python -m tests.emulator``)."""
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self.state.close()

    # -- the test API ---------------------------------------------------------------------------
    def reset(self) -> None:
        self.state.reset()

    def calls(self, route: str | None = None) -> list[Call]:
        return self.state.calls(route)

    def inject(self, route: str, fault: str, times: int = 1) -> None:
        self.state.inject(route, fault, times)

    def play(self, *scripts: str) -> None:
        """Queue SSE scripts (names in fixtures/sse/ or raw text) for the next /run_sse turns."""
        for script in scripts:
            parse_script(script_text(script))  # fail in the test, not in the server thread
        with self.state.lock:
            self.state.sse_queue.extend(scripts)
