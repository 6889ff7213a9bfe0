"""A stand-in ClawHub registry on 127.0.0.1: the part of the API ``clawhub publish`` 0.23.3 speaks.

Routes and shapes come from the client (``dist/cli/commands/publish.js`` cmdPublish,
``dist/schema/routes.js`` ApiRoutes, ``dist/schema/schemas.js``): resolve the version by content
hash, whoami, one upload URL per file, the upload itself, then the publish call. It stores what was
uploaded so a test can compare it with the folder; it never talks to the real registry.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "clh_test_token"  # what the test writes into clawhub's config; never a real one


@dataclass
class Registry:
    url: str = ""
    uploads: dict[str, bytes] = field(default_factory=dict)  # storageId -> bytes
    published: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    unauthorised: int = 0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Registry:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:  # keep pytest's output clean
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                    return True
                registry.unauthorised += 1
                self._reply(401, {"error": "Unauthorized"})
                return False

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                registry.requests.append(("GET", url.path))
                if url.path == "/api/v1/resolve":
                    slug = parse_qs(url.query).get("slug", [""])[0]
                    known = [p for p in registry.published if p["slug"] == slug]
                    if not known:
                        return self._reply(404, {"error": "Skill not found"})
                    return self._reply(200, {"match": None, "latestVersion": {"version": known[-1]["version"]}})
                if url.path == "/api/v1/whoami" and self._authorised():
                    return self._reply(200, {"user": {"handle": "tester", "displayName": "Tester"}})
                if url.path != "/api/v1/whoami":
                    self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                registry.requests.append(("POST", url.path))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self._authorised():
                    return None
                if url.path == "/api/v1/skills/-/upload-url":
                    ticket = f"t{len(registry.requests)}"
                    return self._reply(200, {"uploadUrl": f"{registry.url}/upload/{ticket}", "uploadTicket": ticket})
                if url.path.startswith("/upload/"):
                    storage_id = f"s-{hashlib.sha256(body).hexdigest()[:16]}-{url.path.rsplit('/', 1)[1]}"
                    registry.uploads[storage_id] = body
                    return self._reply(200, {"storageId": storage_id})
                if url.path == "/api/v1/skills":
                    registry.published.append(json.loads(body))
                    return self._reply(200, {"ok": True, "skillId": "k1", "versionId": "v1",
                                             "publicationStatus": "published"})
                return self._reply(404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def files_of(self, publish: dict[str, Any]) -> dict[str, bytes]:
        """The published version's files: path -> the bytes uploaded for it."""
        return {entry["path"]: self.uploads[entry["storageId"]] for entry in publish["files"]}
