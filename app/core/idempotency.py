"""`Idempotency-Key` on every POST: the same key and body replays the first answer; a different body is a 422;
a request still running under the key is a 409.

The record is written in its own short transaction before the handler runs (so a concurrent duplicate sees
it) and completed after. Keys are scoped to the caller, so two users cannot collide or replay each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import Integer, LargeBinary, String, Text, delete, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.db import Base, UTCDateTime
from app.core.problems import problem_response
from app.core.security import InvalidTokenError, api_key_prefix, decode_token

HEADER = "Idempotency-Key"
# PostgreSQL's answers to a transaction it aborted to resolve a conflict: deadlock, serialization failure.
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 3
REPLAYED = "Idempotent-Replayed"
_KEPT_HEADERS = ("content-type", "location", "etag")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    principal: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # in_flight | done
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    headers: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


def _principal(request: Request) -> str | None:
    """The caller a key belongs to: the user of a valid token, or the API key. None: unauthenticated."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential:
        return None
    prefix = api_key_prefix(credential)
    if prefix is not None:
        return f"key:{prefix}"
    settings: Settings = request.app.state.settings
    try:
        return "user:" + decode_token(
            credential, key=settings.signing_key(), audience=settings.token_audience
        )
    except InvalidTokenError:
        return None


def _request_hash(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b" ")
    digest.update(request.url.path.encode())
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Existing:
    request_hash: str
    state: str
    status_code: int | None
    headers: str | None
    body: bytes | None


def _begin(
    factory: sessionmaker[Session], *, principal: str, key: str, request_hash: str
) -> _Existing | None:
    """Claim the key. None when claimed now; otherwise the record that already holds it."""
    with factory() as session:
        session.add(
            IdempotencyRecord(
                principal=principal,
                key=key,
                request_hash=request_hash,
                state="in_flight",
                created_at=utcnow(),
            )
        )
        try:
            session.commit()
            return None
        except IntegrityError:
            session.rollback()
        row = session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
            )
        ).scalar_one_or_none()
        if row is None:  # deleted meanwhile (the first request failed): treat as still running, retry later
            session.rollback()
            return _Existing(
                request_hash=request_hash, state="in_flight", status_code=None, headers=None, body=None
            )
        existing = _Existing(
            request_hash=row.request_hash,
            state=row.state,
            status_code=row.status_code,
            headers=row.headers,
            body=row.body,
        )
        session.rollback()
        return existing


def _finish(factory: sessionmaker[Session], *, principal: str, key: str, response: Response | None) -> None:
    with factory() as session:
        if response is None or response.status_code >= 500 or not hasattr(response, "body"):
            session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
                )
            )
        else:
            record = session.get(IdempotencyRecord, (principal, key))
            if record is not None:
                kept = {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers}
                record.state = "done"
                record.status_code = response.status_code
                record.headers = "\n".join(f"{k}:{v}" for k, v in kept.items())
                record.body = bytes(response.body)
        session.commit()


def _replay(record: _Existing) -> Response:
    headers = {REPLAYED: "true"}
    for line in (record.headers or "").splitlines():
        name, _, value = line.partition(":")
        headers[name] = value
    media_type = headers.pop("content-type", "application/json")
    return Response(
        content=record.body or b"",
        status_code=record.status_code or 200,
        headers=headers,
        media_type=media_type,
    )


def _transient(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES


def _retrying(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Run the handler again when PostgreSQL aborted its transaction as a deadlock victim or a serialization
    failure: the whole unit of work was rolled back, so running it again is safe (the body is cached)."""

    async def run(request: Request) -> Response:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return await handler(request)
            except DBAPIError as exc:
                if attempt == _ATTEMPTS or not _transient(exc):
                    raise
            await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")

    return run


class IdempotentRoute(APIRoute):
    """The route class every router uses: adds idempotency to POST handlers, and runs a unit of work again
    when the database aborted it to break a deadlock."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = _retrying(super().get_route_handler())

        async def route(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if request.method != "POST" or key is None:
                response: Response = await handler(request)
                return response
            if not 1 <= len(key) <= 255:
                return problem_response(
                    status=422,
                    slug="invalid-idempotency-key",
                    title="Invalid Idempotency-Key",
                    detail="Idempotency-Key must be 1 to 255 characters",
                    instance=request.url.path,
                )
            principal = _principal(request)
            if principal is None:  # the handler answers 401; nothing to remember
                unauthenticated: Response = await handler(request)
                return unauthenticated
            factory: sessionmaker[Session] = request.app.state.session_factory
            body = await request.body()
            request_hash = _request_hash(request, body)
            existing = await run_in_threadpool(
                _begin, factory, principal=principal, key=key, request_hash=request_hash
            )
            if existing is not None:
                return _answer_existing(request, existing, request_hash)
            outcome: Response | None = None
            try:
                outcome = await handler(request)
            finally:
                await run_in_threadpool(_finish, factory, principal=principal, key=key, response=outcome)
            return outcome

        return route


def _answer_existing(request: Request, existing: _Existing, request_hash: str) -> Response:
    if existing.request_hash != request_hash:
        return problem_response(
            status=422,
            slug="idempotency-key-reused",
            title="Idempotency-Key reused with a different request",
            detail="This Idempotency-Key was used for a different request body or path",
            instance=request.url.path,
        )
    if existing.state != "done":
        return problem_response(
            status=409,
            slug="idempotency-in-flight",
            title="A request with this Idempotency-Key is still running",
            detail="Retry after the first request has finished",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )
    return _replay(existing)
