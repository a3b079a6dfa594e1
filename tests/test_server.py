"""The server's HTTP protocol: TCP_NODELAY even on the sockets uvicorn binds for several workers."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.server import HTTPProtocol, set_nodelay

ROOT = Path(__file__).resolve().parents[1]


def test_a_connection_on_a_socket_bound_like_uvicorns_gets_nodelay():
    listener = socket.socket(family=socket.AF_INET)  # what uvicorn's Config.bind_socket does for --workers
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen: dict[str, int] = {}

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            sock = transport.get_extra_info("socket")
            seen["asyncio"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            set_nodelay(transport)
            seen["ours"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            transport.close()

    async def connect_once() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        await reader.read()  # the probe closes the connection
        writer.close()
        server.close()
        await server.wait_closed()

    # On a thread of its own: after the browser tests, Playwright keeps a loop running on this one.
    with ThreadPoolExecutor(1) as pool, listener:
        pool.submit(asyncio.run, connect_once()).result()
    # asyncio leaves Nagle on for such a socket (protocol number 0); the server's protocol turns it off.
    assert seen["asyncio"] == 0 and seen["ours"] != 0


def test_the_protocol_turns_nodelay_on_for_each_connection(monkeypatch):
    class Seen(Exception):
        pass

    def spy(transport):
        raise Seen(transport)

    monkeypatch.setattr("app.server.set_nodelay", spy)
    transport = object()
    try:
        HTTPProtocol.connection_made(object.__new__(HTTPProtocol), transport)
    except Seen as e:
        assert e.args[0] is transport
    else:
        raise AssertionError("connection_made did not set TCP_NODELAY")


def test_every_way_the_server_is_started_uses_the_protocol():
    for path in ("Makefile", "Dockerfile", "bench/common.py"):
        text = (ROOT / path).read_text()
        assert "uvicorn" in text and "app.server:HTTPProtocol" in text, path
    # The browser tests', the bench's and `make load`'s servers all start through bench.common.
    for path in ("tests/browser/server.py", "bench/run.py", "scripts/load.py"):
        text = (ROOT / path).read_text()
        assert "from bench.common import" in text and "uvicorn_" in text and "-m uvicorn" not in text, path
