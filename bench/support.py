"""What scenarios share: the app on a scenario's database, a user with a token, route discovery.

Scenarios reach features through the HTTP API (shared/API.md is the binding contract), in process for the
bulk scenarios and through uvicorn for the HTTP one, and detect whether a feature has landed by its route.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from bench.pg import BENCH_SECRET

_PARAM = re.compile(r"\{[^}]+\}")


def settings_for(url: str, **extra: Any) -> Any:
    """Production-like settings on `url` with the benchmark's signing key (JSON logs, as deployed)."""
    from app.core.config import Settings

    return Settings(env="production", database_url=url, secret_key=BENCH_SECRET, **extra)


def build_app(url: str) -> FastAPI:
    """The real application on `url`; its request logs go to /dev/null so the console stays readable."""
    from app.main import create_app

    saved = sys.stderr
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  (kept open: the logger holds it)
    try:
        return create_app(settings=settings_for(url))
    finally:
        sys.stderr = saved


def create_user(*, url: str, username: str, role: str) -> str:
    """A user inserted directly (as tests/conftest.py does); returns its id."""
    from sqlalchemy.orm import Session

    from app.core.db import make_engine
    from app.core.security import hash_password
    from app.users.models import User

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            user = User(
                username=username,
                password_hash=hash_password(secrets.token_urlsafe(16)),
                role=role,
                is_active=True,
                created_at=datetime.now(UTC),
            )
            session.add(user)
            session.commit()
            return user.id
    finally:
        engine.dispose()


def token_for(*, user_id: str, minutes: int = 120) -> str:
    from app.core.security import create_token

    token, _ = create_token(
        subject=user_id,
        key=BENCH_SECRET,
        audience=settings_for("sqlite://").token_audience,
        now=datetime.now(UTC),
        minutes=minutes,
    )
    return token


def admin_headers(*, url: str, username: str = "bench-admin") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token_for(user_id=create_user(url=url, username=username, role='admin'))}"
    }


def operations(app: FastAPI) -> set[tuple[str, str]]:
    """(METHOD, path with every parameter written `{}`) of every operation in the OpenAPI document (routers
    may nest, so the document, not `app.routes`, is the list of what the app serves)."""
    return {
        (method.upper(), _PARAM.sub("{}", path))
        for path, methods in app.openapi().get("paths", {}).items()
        for method in methods
    }


def has_operation(app: FastAPI, method: str, path: str) -> bool:
    """Whether the app serves `method path` (parameters written `{}` or with any name)."""
    return (method.upper(), _PARAM.sub("{}", path)) in operations(app)


def request_body_schema(app: FastAPI, method: str, path: str) -> dict[str, dict[str, Any]]:
    """Content type -> resolved JSON schema of the request body of a route, from the OpenAPI document."""
    document = app.openapi()
    wanted = _PARAM.sub("{}", path)
    for candidate, operations in document.get("paths", {}).items():
        if _PARAM.sub("{}", candidate) != wanted:
            continue
        body = operations.get(method.lower(), {}).get("requestBody", {})
        return {
            content_type: _resolve(document, media.get("schema", {}))
            for content_type, media in body.get("content", {}).items()
        }
    return {}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return dict(node)


@dataclass
class InProcess:
    """The app in this process over the scenario's database, with an admin's headers."""

    app: FastAPI
    client: Any  # a fastapi.testclient.TestClient
    headers: dict[str, str]


def test_client_class() -> Any:
    """Starlette's TestClient, imported without its warning: Starlette would like its httpx fork, while the
    design fixes httpx (pyproject's pytest filter says the same)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from fastapi.testclient import TestClient
    return TestClient


@contextmanager
def in_process(*, url: str) -> Iterator[InProcess]:
    TestClient = test_client_class()  # noqa: N806
    app = build_app(url)
    headers = admin_headers(url=url)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield InProcess(app=app, client=client, headers=headers)


@contextmanager
def threadless() -> Iterator[None]:
    """anyio's worker-thread calls run inline while the block runs.

    FastAPI runs plain `def` routes and dependencies in a thread pool, where a profiler started in the
    calling thread does not see them; inline, one thread does all the work and the profile shows it whole.
    For profiling only: requests are then served one at a time.
    """
    import anyio.to_thread

    original = anyio.to_thread.run_sync

    async def inline(func: Any, *args: Any, **_options: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original


RequestSpec = tuple[str, str, dict[str, Any]]


def call_inline(app: FastAPI, requests: Iterable[RequestSpec], *, headers: dict[str, str]) -> list[int]:
    """Send `requests` (method, path, httpx keyword arguments) to the app in this thread, one after the
    other, with no network and no thread pool (see `threadless`); returns the status codes."""
    import asyncio

    import httpx

    async def send_all() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
            return [
                (await client.request(method, path, **options)).status_code
                for method, path, options in requests
            ]

    with threadless():
        return asyncio.run(send_all())


def check_failure(response: Any, *, url: str, what: str) -> None:
    """Raise for a failed response: NotAvailable when the app's models have tables the migrations do not
    create yet (a feature whose code landed before its migration fails with 500), else RuntimeError."""
    from bench import pg
    from bench.runner import NotAvailable

    if response.status_code < 300:
        return
    if response.status_code >= 500:
        unmigrated = pg.unmigrated_tables(url=url)
        if unmigrated:
            raise NotAvailable(f"{what} fails: the migrations lack tables {', '.join(unmigrated)}")
    raise RuntimeError(f"{what} failed: {problem_text(response)}")


def problem_text(response: Any) -> str:
    """A failed response in one line: status and the problem's title and detail."""
    try:
        body = response.json()
        detail = f"{body.get('title', '')}: {body.get('detail', '')}".strip(": ")
    except ValueError:
        detail = response.text[:200]
    return f"HTTP {response.status_code} {detail}"[:300]
