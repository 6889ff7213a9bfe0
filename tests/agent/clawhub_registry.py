"""A stand-in ClawHub registry on 127.0.0.1: the part of the API ``clawhub`` 0.23.3 speaks to
publish a skill and to install it again.

Routes and shapes come from the client (``dist/cli/commands/publish.js`` cmdPublish,
``dist/cli/commands/skills.js`` cmdInstall, ``dist/schema/routes.js`` ApiRoutes,
``dist/schema/schemas.js``). Publishing: resolve the version by content hash, whoami, one upload
URL per file, the upload itself, then the publish call. Installing: the skill's metadata, then its
files as a zip. It keeps what was uploaded so a test can compare it with the folder; it never talks
to the real registry.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
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

            def _reply(self, status: int, body: dict[str, Any] | bytes) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/zip" if isinstance(body, bytes) else "application/json")
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
                if url.path == "/api/v1/whoami":
                    if self._authorised():
                        self._reply(200, {"user": {"handle": "tester", "displayName": "Tester"}})
                    return None
                if url.path.startswith("/api/v1/skills/") and url.path.count("/") == 4:
                    release = registry.latest(url.path.rsplit("/", 1)[1])
                    if release is None:
                        return self._reply(404, {"error": "Skill not found"})
                    return self._reply(200, registry.skill_meta(release))
                if url.path == "/api/v1/download":
                    release = registry.latest(parse_qs(url.query).get("slug", [""])[0])
                    if release is None:
                        return self._reply(404, {"error": "Skill not found"})
                    return self._reply(200, registry.zip_of(release))
                return self._reply(404, {"error": "not found"})

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

    def latest(self, slug: str) -> dict[str, Any] | None:
        releases = [p for p in self.published if p["slug"] == slug]
        return releases[-1] if releases else None

    @staticmethod
    def skill_meta(release: dict[str, Any]) -> dict[str, Any]:
        now = 1_790_000_000_000
        return {"skill": {"slug": release["slug"], "displayName": release["displayName"], "summary": None,
                          "tags": {}, "stats": {}, "createdAt": now, "updatedAt": now},
                "latestVersion": {"version": release["version"], "createdAt": now,
                                  "changelog": release["changelog"], "license": "MIT-0"},
                "owner": {"handle": release["ownerHandle"]},
                "moderation": {"isSuspicious": False, "isMalwareBlocked": False, "verdict": "clean"}}

    def zip_of(self, release: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path, data in self.files_of(release).items():
                archive.writestr(path, data)
        return buffer.getvalue()

    def files_of(self, publish: dict[str, Any]) -> dict[str, bytes]:
        """The published version's files: path -> the bytes uploaded for it."""
        return {entry["path"]: self.uploads[entry["storageId"]] for entry in publish["files"]}
