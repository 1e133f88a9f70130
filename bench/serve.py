"""`python -m bench.serve ARGS`: uvicorn's own command line, with Nagle off under `--workers N`.

uvicorn binds the listening socket itself when it runs several workers, and leaves its protocol number at 0;
accepted connections inherit it, and asyncio only sets TCP_NODELAY on sockets that say IPPROTO_TCP. So
every keep-alive response after the first waits ~40 ms for the client's delayed ACK (uvicorn issue 3149,
open when this was written; one worker is not affected). The benchmark measures the application, not that
stall: this launcher gives the bound socket its protocol number and then runs uvicorn unchanged. The HTTP
scenario also measures the stock command once, so the size of the stall stays on record.
"""

from __future__ import annotations

import socket

import uvicorn.config
import uvicorn.main

_stock_bind_socket = uvicorn.config.Config.bind_socket


def bind_socket_with_tcp_protocol(self: uvicorn.config.Config) -> socket.socket:
    sock = _stock_bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        inheritable = sock.get_inheritable()
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(inheritable)
    return sock


if __name__ == "__main__":
    uvicorn.config.Config.bind_socket = bind_socket_with_tcp_protocol  # type: ignore[method-assign]
    uvicorn.main.main()
