"""Serving with uvicorn: Nagle off under `--workers N`.

uvicorn binds the listening socket itself when it runs several workers, and leaves its protocol number at 0;
accepted connections inherit it, and asyncio only sets TCP_NODELAY on sockets that say IPPROTO_TCP. So
every keep-alive response after the first waits ~40 ms for the client's delayed ACK (uvicorn issue 3149,
open when this was written; one worker is not affected). `use_tcp_protocol_for_bound_sockets` gives the bound
socket its protocol number, so asyncio disables Nagle on every accepted connection; uvicorn is otherwise
unchanged. `groupledger serve` and the benchmark's launcher (`bench/serve.py`) both install it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn.config

_Bind = Callable[[uvicorn.config.Config], socket.socket]


def _with_tcp_protocol(bind: _Bind) -> _Bind:
    def bind_socket(self: uvicorn.config.Config) -> socket.socket:
        sock = bind(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            inheritable = sock.get_inheritable()
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            sock.set_inheritable(inheritable)
        return sock

    bind_socket.groupledger_tcp_protocol = True  # type: ignore[attr-defined]
    return bind_socket


def use_tcp_protocol_for_bound_sockets() -> None:
    """Patch `uvicorn.config.Config.bind_socket` (once; calling again changes nothing)."""
    current = uvicorn.config.Config.bind_socket
    if getattr(current, "groupledger_tcp_protocol", False):
        return
    uvicorn.config.Config.bind_socket = _with_tcp_protocol(current)  # type: ignore[method-assign,assignment]
