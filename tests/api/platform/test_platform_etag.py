"""ETag / If-Match on PATCH: 428 without it, 412 when stale."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Users


class TestIfMatch:
    def _user(self, client: TestClient, headers: dict[str, str]) -> tuple[str, str]:
        created = client.post(
            "/api/v1/users",
            json={"username": "frank", "password": "long enough pw", "role": "viewer"},
            headers=headers,
        )
        return created.json()["id"], created.headers["etag"]

    def test_patch_without_if_match_is_a_428(self, client: TestClient, users: Users) -> None:
        headers = users.headers("admin")
        user_id, _ = self._user(client, headers)

        response = client.patch(f"/api/v1/users/{user_id}", json={"role": "auditor"}, headers=headers)

        assert response.status_code == 428
        assert response.json()["type"].endswith("/precondition-required")

    def test_patch_with_current_etag_succeeds_and_moves_the_etag(
        self, client: TestClient, users: Users
    ) -> None:
        headers = users.headers("admin")
        user_id, etag = self._user(client, headers)

        response = client.patch(
            f"/api/v1/users/{user_id}", json={"role": "auditor"}, headers={**headers, "If-Match": etag}
        )

        assert response.status_code == 200
        assert response.json()["role"] == "auditor"
        assert response.headers["etag"] != etag
        assert (
            client.get(f"/api/v1/users/{user_id}", headers=headers).headers["etag"]
            == response.headers["etag"]
        )

    def test_patch_with_stale_etag_is_a_412_and_changes_nothing(
        self, client: TestClient, users: Users
    ) -> None:
        headers = users.headers("admin")
        user_id, etag = self._user(client, headers)
        client.patch(
            f"/api/v1/users/{user_id}", json={"role": "auditor"}, headers={**headers, "If-Match": etag}
        )

        stale = client.patch(
            f"/api/v1/users/{user_id}", json={"role": "controller"}, headers={**headers, "If-Match": etag}
        )

        assert stale.status_code == 412
        assert stale.json()["type"].endswith("/precondition-failed")
        assert client.get(f"/api/v1/users/{user_id}", headers=headers).json()["role"] == "auditor"
