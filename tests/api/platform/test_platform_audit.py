"""The audit trail is hash-chained: changing a stored event behind the application's back is found."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Users


def _make_changes(client: TestClient, headers: dict[str, str], n: int) -> None:
    for i in range(n):
        response = client.post(
            "/api/v1/users",
            json={"username": f"u{i}", "password": "long enough pw", "role": "viewer"},
            headers=headers,
        )
        assert response.status_code == 201


class TestAuditChain:
    def test_an_untouched_chain_verifies(self, client: TestClient, users: Users) -> None:
        headers = users.headers("auditor")
        _make_changes(client, users.headers("admin"), 3)

        response = client.get("/api/v1/audit-events/verify", headers=headers)

        assert response.status_code == 200
        assert response.json()["ok"] is True
        assert response.json()["checked"] >= 3

    def test_a_changed_event_is_pointed_at(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session]
    ) -> None:
        _make_changes(client, users.headers("admin"), 3)
        events = client.get("/api/v1/audit-events", headers=users.headers("auditor")).json()["items"]
        victim = events[1]
        with session_factory() as s:
            s.execute(
                text("UPDATE audit_event SET actor_name = 'mallory' WHERE id = :id"), {"id": victim["id"]}
            )
            s.commit()

        response = client.get("/api/v1/audit-events/verify", headers=users.headers("auditor"))

        assert response.json()["ok"] is False
        assert response.json()["first_bad_id"] == victim["id"]
        assert response.json()["first_bad"] == victim["seq"]

    def test_a_deleted_event_breaks_the_chain(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session]
    ) -> None:
        _make_changes(client, users.headers("admin"), 3)
        events = client.get("/api/v1/audit-events", headers=users.headers("auditor")).json()["items"]
        with session_factory() as s:
            s.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1]["id"]})
            s.commit()

        response = client.get("/api/v1/audit-events/verify", headers=users.headers("auditor"))

        assert response.json()["ok"] is False
        assert response.json()["first_bad"] == events[1]["seq"]

    def test_events_page_with_a_cursor_without_gaps(self, client: TestClient, users: Users) -> None:
        _make_changes(client, users.headers("admin"), 5)
        headers = users.headers("auditor")

        first = client.get("/api/v1/audit-events?limit=2", headers=headers).json()
        second = client.get(
            f"/api/v1/audit-events?limit=2&cursor={first['next_cursor']}", headers=headers
        ).json()

        seqs = [e["seq"] for e in first["items"] + second["items"]]
        assert seqs == list(range(seqs[0], seqs[0] + 4))
