"""Idempotency-Key: replay, conflict on a different body, 409 while in flight."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.idempotency import IdempotencyRecord
from app.users.models import User
from tests.conftest import Users

BODY = {"username": "dave", "password": "long enough pw", "role": "viewer"}


def _count(session: Session, username: str) -> int:
    return int(
        session.execute(select(func.count()).select_from(User).where(User.username == username)).scalar_one()
    )


class TestIdempotencyKey:
    def test_same_key_and_body_replays_the_first_answer(
        self, client: TestClient, users: Users, session: Session
    ) -> None:
        headers = {**users.headers("admin"), "Idempotency-Key": "k-1"}

        first = client.post("/api/v1/users", json=BODY, headers=headers)
        second = client.post("/api/v1/users", json=BODY, headers=headers)

        assert first.status_code == 201
        assert second.status_code == 201
        assert second.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert second.json() == first.json()
        assert _count(session, "dave") == 1

    def test_same_key_with_another_body_is_a_422(
        self, client: TestClient, users: Users, session: Session
    ) -> None:
        headers = {**users.headers("admin"), "Idempotency-Key": "k-2"}
        client.post("/api/v1/users", json=BODY, headers=headers)

        response = client.post("/api/v1/users", json={**BODY, "username": "dave2"}, headers=headers)

        assert response.status_code == 422
        assert response.json()["type"].endswith("/idempotency-key-reused")
        assert _count(session, "dave2") == 0

    def test_a_request_still_running_under_the_key_is_a_409(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session]
    ) -> None:
        headers = {**users.headers("admin"), "Idempotency-Key": "k-3"}
        with session_factory() as s:
            s.add(
                IdempotencyRecord(
                    principal=f"user:{users.ids['admin']}",
                    key="k-3",
                    request_hash="x" * 64,
                    state="in_flight",
                    created_at=datetime.now(UTC),
                )
            )
            s.commit()

        response = client.post("/api/v1/users", json=BODY, headers=headers)

        # A different body under an in-flight key is refused as reuse; the same body waits (409).
        assert response.status_code == 422

    def test_same_body_while_in_flight_is_a_409(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session]
    ) -> None:
        from app.core.idempotency import _request_hash  # the hash the route computes

        headers = {**users.headers("admin"), "Idempotency-Key": "k-4"}
        request = client.build_request("POST", "/api/v1/users", json=BODY, headers=headers)
        with session_factory() as s:
            s.add(
                IdempotencyRecord(
                    principal=f"user:{users.ids['admin']}",
                    key="k-4",
                    request_hash=_request_hash(request, request.read()),  # type: ignore[arg-type]
                    state="in_flight",
                    created_at=datetime.now(UTC),
                )
            )
            s.commit()

        response = client.send(request)

        assert response.status_code == 409
        assert response.json()["type"].endswith("/idempotency-in-flight")

    def test_keys_are_scoped_to_the_caller(self, client: TestClient, users: Users, session: Session) -> None:
        users.create("admin2", "admin")
        client.post("/api/v1/users", json=BODY, headers={**users.headers("admin"), "Idempotency-Key": "k-5"})

        other = client.post(
            "/api/v1/users",
            json={**BODY, "username": "erin"},
            headers={**users.headers("admin2"), "Idempotency-Key": "k-5"},
        )

        assert other.status_code == 201
        assert _count(session, "erin") == 1

    def test_refusals_are_not_remembered(self, client: TestClient, users: Users, session: Session) -> None:
        # Nothing was written by a refused request, so the key stays free for the corrected request.
        headers = {**users.headers("admin"), "Idempotency-Key": "k-6"}
        bad = client.post("/api/v1/users", json={**BODY, "role": "emperor"}, headers=headers)

        corrected = client.post("/api/v1/users", json=BODY, headers=headers)

        assert bad.status_code == 422
        assert corrected.status_code == 201
        assert "idempotent-replayed" not in corrected.headers
        assert _count(session, "dave") == 1
