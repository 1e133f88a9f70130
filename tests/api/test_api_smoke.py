"""The service answers: health, auth, a protected route."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Users


class TestHealth:
    def test_reports_the_database_reachable(self, client: TestClient) -> None:
        response = client.get("/health")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert response.headers["x-request-id"]


class TestLogin:
    def test_issues_a_token_that_opens_protected_routes(self, client: TestClient, users: Users) -> None:
        users.create("alice", "controller")

        token = client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": "correct horse battery"}
        )
        me = client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )

        assert token.status_code == 200
        assert token.json()["token_type"] == "bearer"
        assert token.json()["expires_in"] == 1800
        assert me.status_code == 200
        assert me.json()["username"] == "alice"
        assert me.json()["role"] == "controller"
