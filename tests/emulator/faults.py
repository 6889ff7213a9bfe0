"""The backend's failure modes: error envelopes, HTML error pages, cut bodies and dropped connections."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from tests.emulator.state import Fault
from tests.emulator.wire import envelope_error

NGINX_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
           504: "Gateway Time-out", 404: "Not Found", 403: "Forbidden", 413: "Request Entity Too Large"}


def truncated_json(body: Any) -> Response:
    """Half of a JSON body with a Content-Length announcing all of it: the client reads a cut body."""
    return truncated_bytes(json.dumps(body).encode(), media_type="application/json")


def truncated_bytes(content: bytes, media_type: str) -> Response:
    return _CutResponse(content, media_type=media_type)


class _CutResponse(Response):
    """Announces the whole body, sends the first half, then closes the connection.

    Closing ourselves (instead of letting the server notice the short body) gives the client the
    same cut download a proxy dying mid-transfer would, without an error in the server log.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: max(1, len(self.body) // 2)],
                    "more_body": True})
        transport = scope.get("emulator.transport")
        if transport is None:
            raise RuntimeError("the emulator cannot reach the connection's transport to cut the body")
        transport.close()  # flushes what was written, then closes
        await asyncio.sleep(0.05)  # let uvicorn see the disconnect before it finishes the cycle


async def drop_connection(request: Request) -> Response:
    """Abort the TCP connection with a reset so the client sees a connection error, never a 500.

    uvicorn puts the connection's transport in the scope under ``emulator.transport`` (see
    ``app.with_transport``). The returned response is never delivered: the transport is gone.
    """
    transport = request.scope.get("emulator.transport")
    if transport is None:  # a server other than uvicorn's h11/httptools protocols: fail loudly, not silently
        raise RuntimeError("the emulator cannot reach the connection's transport to drop it")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0.05)  # let uvicorn notice the disconnect before it tries to answer
    return Response(status_code=204)


async def apply_fault(fault: Fault, request: Request, expire_token: Any) -> Response | None:
    """The response a fault produces, or None when the request should go on (``slow``)."""
    if fault.kind == "code":
        return envelope_error(int(fault.arg))
    if fault.kind == "http":
        status = int(fault.arg)
        return JSONResponse({"code": status, "message": REASONS.get(status, "error")}, status_code=status)
    if fault.kind == "html":
        status = int(fault.arg)
        page = NGINX_PAGE.format(status=status, reason=REASONS.get(status, "Error"))
        return HTMLResponse(page, status_code=status)
    if fault.kind == "slow":
        await asyncio.sleep(float(fault.arg))
        return None
    if fault.kind == "reset":
        return await drop_connection(request)
    if fault.kind == "truncated":
        return truncated_json({"code": 0, "data": {"message": "this body is cut in the middle" * 4}})
    if fault.kind == "expire-token":
        expire_token()
        return envelope_error(1001)
    raise ValueError(f"unknown fault {fault.kind}")
