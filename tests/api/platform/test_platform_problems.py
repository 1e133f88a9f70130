"""Bad input gets a 4xx problem+json, never a 500 and never a partial write."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.users.models import User
from tests.conftest import Users

PROBLEM = "application/problem+json"


def _user_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


class TestProblemResponses:
    def test_malformed_json_is_a_422_problem(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/users",
            content=b'{"username": "x",',
            headers={**as_admin, "Content-Type": "application/json"},
        )

        assert response.status_code == 422
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["type"].endswith("/malformed-json")

    def test_wrong_types_name_the_field(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/users", json={"username": "bob", "password": 12345678, "role": "admin"}, headers=as_admin
        )

        assert response.status_code == 422
        body = response.json()
        assert body["type"].endswith("/validation-error")
        assert ["body", "password"] in [e["loc"] for e in body["errors"]]

    def test_unknown_fields_are_refused(
        self, client: TestClient, as_admin: dict[str, str], session: Session
    ) -> None:
        before = _user_count(session)

        response = client.post(
            "/api/v1/users",
            json={"username": "eve", "password": "long enough pw", "role": "viewer", "is_superuser": True},
            headers=as_admin,
        )

        assert response.status_code == 422
        assert ["body", "is_superuser"] in [e["loc"] for e in response.json()["errors"]]
        assert _user_count(session) == before

    def test_oversized_body_is_a_413_problem(self, client: TestClient, as_admin: dict[str, str]) -> None:
        big = json.dumps({"username": "x" * (11 * 1024 * 1024)})

        response = client.post(
            "/api/v1/users", content=big, headers={**as_admin, "Content-Type": "application/json"}
        )

        assert response.status_code == 413
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["type"].endswith("/payload-too-large")

    def test_streamed_oversized_body_is_a_413_problem(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(12):
                yield b"x" * (1024 * 1024)

        response = client.post(
            "/api/v1/users", content=chunks(), headers={**as_admin, "Content-Type": "application/json"}
        )

        assert response.status_code == 413

    @pytest.mark.parametrize("limit", ["0", "1001", "100000000000000000000", "abc", "-1"])
    def test_absurd_page_sizes_are_refused(
        self, client: TestClient, as_admin: dict[str, str], limit: str
    ) -> None:
        response = client.get(f"/api/v1/audit-events?limit={limit}", headers=as_admin)

        assert response.status_code == 422
        assert ["query", "limit"] in [e["loc"] for e in response.json()["errors"]]

    def test_forged_cursor_is_a_422(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.get("/api/v1/audit-events?cursor=bm90LWpzb24", headers=as_admin)

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]

    def test_unknown_route_is_a_404_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/nothing-here")

        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["status"] == 404

    def test_wrong_method_is_a_405_problem(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.delete("/api/v1/users/me", headers=as_admin)

        assert response.status_code == 405
        assert response.json()["type"].endswith("/method-not-allowed")

    def test_unhandled_errors_are_a_500_with_trace_id_and_no_internals(self, client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("secret internals: password=hunter2")

        response = client.get("/boom")

        assert response.status_code == 500
        body = response.json()
        assert body["type"].endswith("/internal-error")
        assert len(body["trace_id"]) == 32
        assert "hunter2" not in response.text
        assert "RuntimeError" not in response.text


class TestUsersAreAudited:
    def test_creating_a_user_writes_one_audit_event(self, client: TestClient, users: Users) -> None:
        headers = users.headers("admin")

        created = client.post(
            "/api/v1/users",
            json={"username": "carol", "password": "long enough pw", "role": "accountant"},
            headers=headers,
        )
        events = client.get("/api/v1/audit-events?subject_type=user", headers=headers)

        assert created.status_code == 201
        matching = [e for e in events.json()["items"] if e["subject_id"] == created.json()["id"]]
        assert [e["action"] for e in matching] == ["user.created"]
        assert matching[0]["after"]["role"] == "accountant"
        assert "password" not in json.dumps(matching[0]["after"])
