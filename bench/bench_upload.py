"""Upload throughput against curl on the same loopback sink, and peak memory while uploading 1 GiB.

Both clients send one multipart ``files`` part to a loopback sink (``Sink`` below) that answers the
token, session and upload routes and throws bodies away in 1 MiB reads; it runs in its own
process (its own GIL), so the client, not the server, is what is measured.
Ours is timed around ``skill.nemo.upload.upload_files`` (the streaming request, after the
session exists); curl around its whole process (≈ 10 ms of start-up, noise at these sizes).
Memory is measured in a fresh subprocess: peak RSS growth from just before the upload to after it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import Row, server_process

REPO = Path(__file__).resolve().parents[1]
UPLOAD_PATH = "/api/upload-video/nemo_agent/me/1000000000000000001"
RSS_GOAL_MB = 50.0


READ_BYTES = 1024 * 1024


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        received = self._drain()
        if self.path.startswith("/api/auth/anonymous-token"):
            data: dict = {"token": "nmv_usr_benchmarktoken0000", "credits": 100, "user_id": "anon_bench"}
        elif self.path.startswith("/api/tasks/me/with-session"):
            data = {"task_id": "task_bench", "session_id": "1000000000000000001"}
        else:
            data = {"files": [{"filename": "upload.bin", "file_type": "video", "size": received}],
                    "session_state_applied": True}
        body = json.dumps({"code": 0, "data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drain(self) -> int:
        remaining = int(self.headers.get("Content-Length") or 0)
        total = 0
        while remaining > 0:
            chunk = self.rfile.read(min(READ_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            total += len(chunk)
        return total

    def log_message(self, format: str, *args: object) -> None:
        pass


def sink() -> AbstractContextManager[str]:
    return server_process(["-m", "bench.bench_upload", "--sink"])


def payload(folder: Path, size: int) -> Path:
    """A file of ``size`` bytes of non-zero data (sparse files would flatter whoever reads them)."""
    path = folder / "upload.mp4"
    block = os.urandom(1024 * 1024)
    with path.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(block[: size % len(block)])
    return path


def _ours_seconds(url: str, path: Path, home: Path) -> float:
    """Run in a subprocess so the sink, curl and we each get a clean process."""
    out = subprocess.run([sys.executable, "-m", "bench.bench_upload", "--child", url, str(path), str(home)],
                         cwd=REPO, capture_output=True, text=True, check=True, timeout=900)
    return float(json.loads(out.stdout)["seconds"])


def _curl_seconds(url: str, path: Path) -> float:
    started = time.perf_counter()
    # "Expect:" off: curl would otherwise wait for a 100 Continue before sending the body.
    subprocess.run(["curl", "-sS", "-o", os.devnull, "-H", "Expect:",
                    "-H", "Authorization: Bearer nmv_usr_benchmarktoken0000",
                    "-F", f"files=@{path}", url + UPLOAD_PATH], check=True, timeout=900)
    return time.perf_counter() - started


def _child(url: str, path: Path, home: Path) -> None:
    """Upload once with our client; print seconds and the peak RSS growth (MiB) as JSON."""
    from bench.common import peak_rss_mb
    from skill.config import Settings
    from skill.console import NullEvents
    from skill.nemo.client import NemoClient
    from skill.nemo.upload import upload_files
    from skill.store import Store

    settings = Settings(api_base=url, home=home, http_timeout_seconds=300)
    client = NemoClient(settings, Store(home), NullEvents())
    client.ensure_session()
    baseline = peak_rss_mb()
    started = time.perf_counter()
    upload_files(client, NullEvents(), [path])
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_growth_mb": peak_rss_mb() - baseline, "baseline_mb": baseline}))


def run(quick: bool) -> list[Row]:
    size = (256 if quick else 1024) * 1024 * 1024
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp, sink() as url:
        folder = Path(tmp)
        path = payload(folder, size)
        _ours_seconds(url, path, folder / "warm")  # warm the page cache and imports
        ours = min(_ours_seconds(url, path, folder / f"home{i}") for i in range(3))
        mib = size / 1024 / 1024
        if shutil.which("curl"):
            theirs = min(_curl_seconds(url, path) for _ in range(3))
            ratio = theirs / ours
            rows.append(Row(f"upload {mib:.0f} MiB (MiB/s)", f"{mib / ours:.0f}", f"curl {mib / theirs:.0f}", ratio,
                            "≥ 0.8× curl", ratio >= 0.8))
        else:
            rows.append(Row(f"upload {mib:.0f} MiB (MiB/s)", f"{mib / ours:.0f}", "curl not installed", None,
                            "≥ 0.8× curl", None, "curl absent: no anchor"))
        memory = subprocess.run([sys.executable, "-m", "bench.bench_upload", "--child", url, str(path),
                                 str(folder / "rss")], cwd=REPO, capture_output=True, text=True, check=True,
                                timeout=900)
        growth = json.loads(memory.stdout)["rss_growth_mb"]
        rows.append(Row(f"peak RSS growth uploading {mib:.0f} MiB", f"{growth:.1f} MB", f"file {mib:.0f} MiB",
                        None, f"≤ {RSS_GOAL_MB:.0f} MB", growth <= RSS_GOAL_MB))
    return rows


def _serve_sink() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1:] == ["--sink"]:
        _serve_sink()
    elif len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        from bench.common import table

        print(table(run("--quick" in sys.argv)))
