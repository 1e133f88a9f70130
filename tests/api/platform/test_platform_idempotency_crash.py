"""Idempotency-Key after a crash: a claim whose process died (its lease not renewed) is taken over when its
request changed nothing, and answers "applied, answer lost" when it did; a live claim still answers 409."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditChainHead
from app.core import idempotency
from app.core.clock import utcnow
from app.core.idempotency import IdempotencyRecord, _Claim, _renew, _request_hash
from app.users.models import User
from tests.conftest import Users

BODY = {"username": "frank", "password": "long enough pw", "role": "viewer"}
STALE = timedelta(seconds=idempotency.LEASE_SECONDS + 5)


def _count(session: Session, username: str) -> int:
    return int(
        session.execute(select(func.count()).select_from(User).where(User.username == username)).scalar_one()
    )


def _crashed_claim(
    client: TestClient,
    users: Users,
    factory: sessionmaker[Session],
    *,
    key: str,
    request_id: str,
    age: timedelta,
) -> dict[str, str]:
    """The record a request killed mid-way leaves: in flight, claimed `age` ago under `request_id`."""
    headers = {**users.headers("admin"), "Idempotency-Key": key}
    request = client.build_request("POST", "/api/v1/users", json=BODY, headers=headers)
    with factory() as s:
        seq = s.execute(select(AuditChainHead.last_seq)).scalar_one_or_none() or 0
        claim = _Claim(token="dead-process", request_id=request_id, audit_seq=seq)
        s.add(
            IdempotencyRecord(
                principal=f"user:{users.ids['admin']}",
                key=key,
                request_hash=_request_hash(request, request.read()),  # type: ignore[arg-type]
                state="in_flight",
                created_at=utcnow() - age,
                headers=claim.encode(),
            )
        )
        s.commit()
    return headers


class TestCrashedIdempotencyClaim:
    def test_a_stale_claim_that_changed_nothing_is_taken_over(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session], session: Session
    ) -> None:
        headers = _crashed_claim(client, users, session_factory, key="c-1", request_id="rid-c1", age=STALE)

        response = client.post("/api/v1/users", json=BODY, headers=headers)
        again = client.post("/api/v1/users", json=BODY, headers=headers)

        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == response.json()
        assert _count(session, "frank") == 1

    def test_a_stale_claim_whose_request_was_applied_is_never_run_again(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session], session: Session
    ) -> None:
        headers = _crashed_claim(client, users, session_factory, key="c-2", request_id="rid-c2", age=STALE)
        # The first request had committed (its audit events carry its request id), then the process died.
        applied = client.post(
            "/api/v1/users", json=BODY, headers={**users.headers("admin"), "X-Request-ID": "rid-c2"}
        )
        assert applied.status_code == 201

        retry = client.post("/api/v1/users", json=BODY, headers=headers)
        again = client.post("/api/v1/users", json=BODY, headers=headers)

        assert retry.status_code == 409
        assert retry.json()["type"].endswith("/idempotency-answer-lost")
        assert retry.json()["request_id"] == "rid-c2"
        assert again.status_code == 409
        assert again.json() == retry.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert _count(session, "frank") == 1

    def test_a_live_claim_still_answers_in_flight(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session], session: Session
    ) -> None:
        headers = _crashed_claim(
            client, users, session_factory, key="c-3", request_id="rid-c3", age=timedelta(seconds=5)
        )

        response = client.post("/api/v1/users", json=BODY, headers=headers)

        assert response.status_code == 409
        assert response.json()["type"].endswith("/idempotency-in-flight")
        assert _count(session, "frank") == 0

    def test_a_running_request_renews_its_lease(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session]
    ) -> None:
        _crashed_claim(client, users, session_factory, key="c-4", request_id="rid-c4", age=STALE)
        principal = f"user:{users.ids['admin']}"
        with session_factory() as s:
            record = s.get(IdempotencyRecord, (principal, "c-4"))
            assert record is not None
            claim = _Claim.decode(record.headers)
        assert claim is not None

        _renew(session_factory, principal=principal, key="c-4", claim=claim)

        with session_factory() as s:
            renewed = s.get(IdempotencyRecord, (principal, "c-4"))
            assert renewed is not None
            assert renewed.created_at > utcnow() - timedelta(seconds=idempotency.LEASE_SECONDS)
