"""OWASP API2 (broken authentication): tokens that must not work, revoked keys, disabled users, and login
throttling. Each refusal is a 401 problem with a WWW-Authenticate challenge, never a 500."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from app.core.security import create_token
from tests.conftest import SECRET, Users

ME = "/api/v1/users/me"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user_id: str, **changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user_id,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=30),
        "aud": "groupledger",
        "iss": "groupledger",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _assert_refused(client: TestClient, token: str) -> None:
    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"


class TestTokens:
    def test_a_valid_token_works(self, client: TestClient, users: Users) -> None:
        response = client.get(ME, headers=users.headers("viewer"))

        assert response.status_code == 200
        assert response.json()["username"] == "viewer"

    def test_an_expired_token_is_refused(self, client: TestClient, users: Users) -> None:
        user_id = users.create("old", "viewer")
        token, _ = create_token(
            subject=user_id,
            key=SECRET,
            audience="groupledger",
            now=datetime.now(UTC) - timedelta(hours=2),
            minutes=30,
        )

        _assert_refused(client, token)

    def test_a_token_for_another_audience_is_refused(self, client: TestClient, users: Users) -> None:
        user_id = users.create("aud", "admin")
        token = jwt.encode(_claims(user_id, aud="another-service"), SECRET, algorithm="HS256")

        _assert_refused(client, token)

    def test_a_token_signed_with_another_key_is_refused(self, client: TestClient, users: Users) -> None:
        user_id = users.create("forger", "admin")
        token = jwt.encode(
            _claims(user_id), "not-the-server-key-but-long-enough-for-hs256", algorithm="HS256"
        )

        _assert_refused(client, token)

    def test_an_unsigned_alg_none_token_is_refused(self, client: TestClient, users: Users) -> None:
        user_id = users.create("nobody", "admin")
        claims = {
            k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in _claims(user_id).items()
        }
        token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."

        _assert_refused(client, token)

    @pytest.mark.parametrize("missing", ["exp", "aud", "iss", "sub"])
    def test_a_token_without_a_required_claim_is_refused(
        self, client: TestClient, users: Users, missing: str
    ) -> None:
        user_id = users.create(f"no-{missing}", "admin")
        token = jwt.encode(_claims(user_id, **{missing: None}), SECRET, algorithm="HS256")

        _assert_refused(client, token)

    def test_a_token_of_an_unknown_user_is_refused(self, client: TestClient) -> None:
        token = jwt.encode(_claims("01900000-0000-7000-8000-000000000000"), SECRET, algorithm="HS256")

        _assert_refused(client, token)

    @pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "glk_", "glk_x_y", "Bearer x"])
    def test_malformed_credentials_are_refused(self, client: TestClient, token: str) -> None:
        response = client.get(ME, headers={"Authorization": f"Bearer {token}"})

        assert response.status_code == 401

    def test_a_disabled_users_token_stops_working(self, client: TestClient, users: Users) -> None:
        user_id = users.create("leaver", "accountant")
        headers = users.headers("leaver")
        before = client.get(ME, headers=headers)
        etag = client.get(f"/api/v1/users/{user_id}", headers=users.headers("admin")).headers["etag"]
        client.patch(
            f"/api/v1/users/{user_id}",
            json={"is_active": False},
            headers={**users.headers("admin"), "If-Match": etag},
        )

        after = client.get(ME, headers=headers)

        assert before.status_code == 200
        assert after.status_code == 401


class TestApiKeys:
    def test_a_revoked_key_stops_working(self, client: TestClient, users: Users) -> None:
        admin = users.headers("admin")
        user_id = users.create("robot", "auditor")
        created = client.post("/api/v1/api-keys", json={"user_id": user_id, "name": "nightly"}, headers=admin)
        key = created.json()["key"]
        works = client.get(ME, headers={"Authorization": f"Bearer {key}"})
        client.post(f"/api/v1/api-keys/{created.json()['id']}/revoke", headers=admin)

        refused = client.get(ME, headers={"Authorization": f"Bearer {key}"})

        assert works.status_code == 200
        assert works.json()["username"] == "robot"
        assert refused.status_code == 401

    def test_a_key_with_a_known_prefix_but_wrong_secret_is_refused(
        self, client: TestClient, users: Users
    ) -> None:
        user_id = users.create("robot2", "auditor")
        created = client.post(
            "/api/v1/api-keys", json={"user_id": user_id, "name": "n"}, headers=users.headers("admin")
        )
        prefix = created.json()["prefix"]

        response = client.get(ME, headers={"Authorization": f"Bearer glk_{prefix}_{'A' * 43}"})

        assert response.status_code == 401


class TestLoginThrottling:
    def test_five_failures_lock_the_name_even_for_the_right_password(
        self, client: TestClient, users: Users
    ) -> None:
        users.create("target", "viewer")
        failures = [
            client.post(
                "/api/v1/auth/token", data={"username": "target", "password": f"guess-{i}"}
            ).status_code
            for i in range(5)
        ]

        locked = client.post(
            "/api/v1/auth/token", data={"username": "target", "password": "correct horse battery"}
        )

        assert failures == [401] * 5
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
        assert locked.headers["content-type"].startswith("application/problem+json")

    def test_unknown_names_are_throttled_too(self, client: TestClient) -> None:
        statuses = [
            client.post("/api/v1/auth/token", data={"username": "ghost", "password": "x" * 8}).status_code
            for _ in range(6)
        ]

        assert statuses == [401] * 5 + [429]

    def test_the_right_password_before_the_limit_logs_in(self, client: TestClient, users: Users) -> None:
        users.create("typo", "viewer")
        for _ in range(3):
            client.post("/api/v1/auth/token", data={"username": "typo", "password": "wrong-password"})

        response = client.post(
            "/api/v1/auth/token", data={"username": "typo", "password": "correct horse battery"}
        )

        assert response.status_code == 200
        assert response.json()["token_type"] == "bearer"
