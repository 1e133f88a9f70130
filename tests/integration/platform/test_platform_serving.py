"""`groupledger serve` turns Nagle off under `--workers N`: the socket uvicorn binds says IPPROTO_TCP, so
asyncio sets TCP_NODELAY on every accepted connection (uvicorn issue 3149; see app.core.serving)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import uvicorn.config
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import get_settings
from app.core.serving import use_tcp_protocol_for_bound_sockets


@pytest.fixture
def stock_bind_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test installs on uvicorn's Config is undone after it."""
    monkeypatch.setattr(uvicorn.config.Config, "bind_socket", uvicorn.config.Config.bind_socket)


def _bound_protocol() -> int:
    config = uvicorn.config.Config("app.asgi:app", host="127.0.0.1", port=0, workers=2)
    sock = config.bind_socket()
    try:
        return sock.proto
    finally:
        sock.close()


@pytest.mark.usefixtures("stock_bind_socket")
class TestServeWithoutNagle:
    def test_the_bound_socket_says_tcp(self) -> None:
        use_tcp_protocol_for_bound_sockets()
        use_tcp_protocol_for_bound_sockets()  # installing twice wraps once

        assert _bound_protocol() == socket.IPPROTO_TCP

    def test_the_serve_command_installs_it(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GROUPLEDGER_DATABASE_URL", f"sqlite:///{tmp_path}/serve.sqlite3")
        monkeypatch.setenv("GROUPLEDGER_SECRET_KEY", "serve-test-secret-0123456789-0123456789")
        get_settings.cache_clear()
        seen: dict[str, Any] = {}
        monkeypatch.setattr(
            uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, proto=_bound_protocol())
        )

        result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "0"])
        get_settings.cache_clear()

        assert result.exit_code == 0, result.output
        assert seen["workers"] == 2
        assert seen["proto"] == socket.IPPROTO_TCP
