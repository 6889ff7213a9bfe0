"""Serve a Starlette app with uvicorn on 127.0.0.1 in a daemon thread (the NemoVideo and provider emulators)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

START_TIMEOUT_SECONDS = 10.0


class Loopback:
    def __init__(self, app: Any, name: str, *, host: str = "127.0.0.1", port: int = 0,
                 log_level: str = "error") -> None:
        self.name = name
        # Bind first so the port is known at once and never raced for.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.url = f"http://{host}:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level=log_level, lifespan="off", ws="none",
                                access_log=log_level == "info", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=name, daemon=True)

    def start(self) -> Loopback:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()

    def serve_forever(self) -> None:
        """Run in the calling thread until Ctrl-C."""
        self._server.run(sockets=[self._socket])
