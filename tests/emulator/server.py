"""Serve the emulator with uvicorn on 127.0.0.1 in a background thread, and the test-facing facade."""

from __future__ import annotations

from tests.emulator.app import build_app
from tests.emulator.sse import parse_script, script_text
from tests.emulator.state import Call, EmulatorState
from tests.loopback import Loopback


class Emulator:
    """What tests use: ``url``, ``state``, ``calls()``, ``inject()``, ``play()``, ``reset()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_level: str = "error") -> None:
        self.state = EmulatorState()
        self._server = Loopback(build_app(self.state), "nemo-emulator", host=host, port=port, log_level=log_level)
        self.url = self._server.url

    def start(self) -> Emulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        self.state.close()

    def serve_forever(self) -> None:
        """Run in the calling thread until Ctrl-C (``python -m tests.emulator``)."""
        try:
            self._server.serve_forever()
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
