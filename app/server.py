"""The HTTP protocol the server runs: uvicorn's own, with Nagle's algorithm turned off.

Why: with `--workers N` uvicorn binds its listening socket itself (`socket.socket(family=…)`,
protocol number 0), and asyncio only sets TCP_NODELAY on sockets whose protocol is IPPROTO_TCP.
So every connection of a multi-worker server keeps Nagle's algorithm: a small response, written
as headers then body, waits for the client's delayed ACK of the headers. Measured here with two
workers: a 1.7 kB page answered in 0.5 ms by the app reached the client after 43 ms, every time.

Start the server with `uvicorn app.main:app --http app.server:HTTPProtocol` (the Makefile, the
Dockerfile, the load and bench scripts and the browser tests do).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on this TCP connection (no-op for Unix sockets and the like)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP protocol (httptools when installed, else h11), with TCP_NODELAY on every connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
