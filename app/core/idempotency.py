"""`Idempotency-Key` on every POST: the same key and body replays the first answer; a different body is a 422;
a request still running under the key is a 409.

The record is written in its own short transaction before the handler runs (so a concurrent duplicate sees
it) and completed after. Keys are scoped to the caller, so two users cannot collide or replay each other.

An in-flight claim is a lease: its `created_at` is renewed every `HEARTBEAT_SECONDS` while the request runs,
so a claim whose process was killed goes stale after `LEASE_SECONDS`. A later request with the same key and
body then checks the audit trail for events written under the claim's request id since the claim was made
(every change of state writes one in its own transaction): none means the first request changed nothing,
and the later one takes the claim over and runs; some means it was applied and only its answer was lost,
which is then the remembered answer (409 `idempotency-answer-lost`, naming the request id), so nothing is
ever applied twice. While in flight, `headers` holds the claim (`claim`, `request-id`, `audit-seq` lines).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import CursorResult, Integer, LargeBinary, String, Text, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.audit.models import AuditChainHead, AuditEvent
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.context import request_id_var
from app.core.db import Base, UTCDateTime
from app.core.problems import problem_response
from app.core.security import InvalidTokenError, api_key_prefix, decode_token

HEADER = "Idempotency-Key"
# PostgreSQL's answers to a transaction it aborted to resolve a conflict: deadlock, serialization failure.
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 3
REPLAYED = "Idempotent-Replayed"
_KEPT_HEADERS = ("content-type", "location", "etag")
# A claim not renewed for this long belongs to a request whose process died: it may be taken over.
LEASE_SECONDS = 60.0
HEARTBEAT_SECONDS = 10.0


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    principal: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # in_flight | done
    # in_flight: when the claim was made or last renewed (the lease); done: when the answer was kept.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # done: the kept response headers; in_flight: the claim (see `_Claim`).
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


@dataclass(frozen=True)
class _Claim:
    """Who holds an in-flight key: a unique token, the request id its audit events carry, and the audit
    sequence number when it was claimed (its events, if any, come after)."""

    token: str
    request_id: str | None
    audit_seq: int

    def encode(self) -> str:
        return f"claim:{self.token}\nrequest-id:{self.request_id or ''}\naudit-seq:{self.audit_seq}"

    @staticmethod
    def decode(text: str | None) -> _Claim | None:
        fields = dict(line.partition(":")[::2] for line in (text or "").splitlines())
        if not fields.get("claim") or not fields.get("audit-seq", "").isdigit():
            return None
        return _Claim(
            token=fields["claim"],
            request_id=fields.get("request-id") or None,
            audit_seq=int(fields["audit-seq"]),
        )


_STILL_RUNNING = _Existing(request_hash="", state="in_flight", status_code=None, headers=None, body=None)


def _audit_seq(session: Session) -> int:
    return int(session.execute(select(AuditChainHead.last_seq)).scalar_one_or_none() or 0)


def _applied(session: Session, claim: _Claim) -> bool:
    """Whether the claim's request committed a change: it left audit events after its claim."""
    if claim.request_id is None:
        return True  # cannot tell: never run it again
    found = session.execute(
        select(AuditEvent.seq)
        .where(AuditEvent.seq > claim.audit_seq, AuditEvent.request_id == claim.request_id)
        .limit(1)
    ).first()
    return found is not None


def _lost_answer(request_id: str | None, path: str) -> Response:
    return problem_response(
        status=409,
        slug="idempotency-answer-lost",
        title="The request with this Idempotency-Key was applied but its answer was lost",
        detail="The first request under this key was applied; the server stopped before answering. "
        "Look up its result (the audit trail has its request id) instead of sending it again",
        instance=path,
        request_id=request_id,
    )


def _begin(
    factory: sessionmaker[Session], *, principal: str, key: str, request_hash: str, path: str
) -> tuple[_Claim | None, _Existing | None]:
    """Claim the key: (our claim, None) when claimed now (or a stale claim taken over); otherwise
    (None, the record that holds it)."""
    now = utcnow()
    with factory() as session:
        claim = _Claim(token=uuid.uuid4().hex, request_id=request_id_var.get(), audit_seq=_audit_seq(session))
        session.add(
            IdempotencyRecord(
                principal=principal,
                key=key,
                request_hash=request_hash,
                state="in_flight",
                created_at=now,
                headers=claim.encode(),
            )
        )
        try:
            session.commit()
            return claim, None
        except IntegrityError:
            session.rollback()
        row = session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
            )
        ).scalar_one_or_none()
        if row is None:  # deleted meanwhile (the first request failed): treat as still running, retry later
            session.rollback()
            return None, dataclasses.replace(_STILL_RUNNING, request_hash=request_hash)
        existing = _Existing(
            request_hash=row.request_hash,
            state=row.state,
            status_code=row.status_code,
            headers=row.headers,
            body=row.body,
        )
        stale = (
            row.state == "in_flight"
            and row.request_hash == request_hash
            and row.created_at < now - timedelta(seconds=LEASE_SECONDS)
        )
        if not stale:
            session.rollback()
            return None, existing
        held = _Claim.decode(row.headers)
        if held is not None and _applied(session, held):
            answer = _lost_answer(held.request_id, path)
            values: dict[str, Any] = {
                "state": "done",
                "created_at": now,
                "status_code": answer.status_code,
                "headers": "content-type:" + answer.headers["content-type"],
                "body": bytes(answer.body),
            }
            taken = None
        else:
            claim = _Claim(token=claim.token, request_id=claim.request_id, audit_seq=_audit_seq(session))
            values = {"created_at": now, "headers": claim.encode()}
            taken = claim
        # Conditional on the claim seen: of two requests taking over one stale claim, one wins.
        won = cast(
            "CursorResult[Any]",
            session.execute(
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.principal == principal,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.state == "in_flight",
                    IdempotencyRecord.headers == row.headers,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        session.commit()
        if won != 1:
            return None, existing
        if taken is not None:
            return taken, None
        return None, _Existing(
            request_hash=request_hash,
            state="done",
            status_code=values["status_code"],
            headers=values["headers"],
            body=values["body"],
        )


def _ours(principal: str, key: str, claim: _Claim) -> Any:
    return (
        (IdempotencyRecord.principal == principal)
        & (IdempotencyRecord.key == key)
        & (IdempotencyRecord.state == "in_flight")
        & (IdempotencyRecord.headers == claim.encode())
    )


def _renew(factory: sessionmaker[Session], *, principal: str, key: str, claim: _Claim) -> None:
    with factory() as session:
        session.execute(
            update(IdempotencyRecord)
            .where(_ours(principal, key, claim))
            .values(created_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()


async def _heartbeat(factory: sessionmaker[Session], *, principal: str, key: str, claim: _Claim) -> None:
    """Renews the lease while the request runs (cancelled when it ends); a failed renewal is tried again."""
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        with contextlib.suppress(DBAPIError):
            await run_in_threadpool(_renew, factory, principal=principal, key=key, claim=claim)


def _finish(
    factory: sessionmaker[Session], *, principal: str, key: str, claim: _Claim, response: Response | None
) -> None:
    """Keep the answer, or release the key when there is none to keep; only while the claim is ours."""
    with factory() as session:
        if response is None or response.status_code >= 500 or not hasattr(response, "body"):
            session.execute(delete(IdempotencyRecord).where(_ours(principal, key, claim)))
        else:
            kept = {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers}
            session.execute(
                update(IdempotencyRecord)
                .where(_ours(principal, key, claim))
                .values(
                    state="done",
                    status_code=response.status_code,
                    headers="\n".join(f"{k}:{v}" for k, v in kept.items()),
                    body=bytes(response.body),
                )
                .execution_options(synchronize_session=False)
            )
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
            claim, existing = await run_in_threadpool(
                _begin,
                factory,
                principal=principal,
                key=key,
                request_hash=request_hash,
                path=request.url.path,
            )
            if claim is None:
                assert existing is not None
                return _answer_existing(request, existing, request_hash)
            heartbeat = asyncio.create_task(_heartbeat(factory, principal=principal, key=key, claim=claim))
            outcome: Response | None = None
            try:
                outcome = await handler(request)
            finally:
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await heartbeat
                await run_in_threadpool(
                    _finish, factory, principal=principal, key=key, claim=claim, response=outcome
                )
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
