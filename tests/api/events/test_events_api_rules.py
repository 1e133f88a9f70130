"""Rule breaches answer 422 naming every violation and write nothing; roles; reading events."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.events.events_api_helpers import Group, call
from tests.conftest import Users

TRANSFERS = "/api/v1/share-transfers"
MERGERS = "/api/v1/mergers"


def small_group(client: TestClient, headers: dict[str, str]) -> Group:
    g = Group(client, headers)
    g.entities("P", "S")
    g.entity("Q", kind="external")
    g.stake("P", "S", "0.6")
    g.stake("Q", "S", "0.4")
    g.post("P", "2025-01-02", ("151101", 600, 0, "S"), ("1002", 1000, 0), ("4001", 0, 1600))
    g.post("S", "2025-01-02", ("1002", 1000, 0), ("4001", 0, 1000))
    return g


def close(client: TestClient, headers: dict[str, str], entity_id: str, period: str) -> None:
    response = client.post(f"/api/v1/entities/{entity_id}/periods/{period}/close", headers=headers)
    assert response.status_code == 200, response.text


def types(answer: dict[str, Any]) -> list[str]:
    return sorted(e["type"] for e in answer["errors"])


class TestEveryViolationAtOnce:
    def test_transfer_breaking_three_rules(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = small_group(client, as_admin)
        close(client, as_admin, g["P"], "2025-03")
        body = {
            "investee_id": g["S"],
            "buyer_id": g["P"],
            "transfer_on": "2025-03-15",
            "share": "0.1",
        }
        stakes_before = g.stakes("2025-03-15")
        preview = call(client, as_admin, f"{TRANSFERS}/preview", body, status=200)

        answer = call(client, as_admin, TRANSFERS, body, status=422)

        assert answer["type"].endswith("/group-event-invalid")
        assert types(answer) == ["missing", "stakes_over_one"]
        assert ["body", "consideration"] in [e["loc"] for e in answer["errors"]]
        assert preview["ok"] is False
        assert sorted(v["type"] for v in preview["violations"]) == types(answer)
        assert g.stakes("2025-03-15") == stakes_before
        assert client.get("/api/v1/group-events", headers=as_admin).json()["items"] == []

    def test_closed_month_and_missing_consideration(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        g = small_group(client, as_admin)
        close(client, as_admin, g["P"], "2025-03")
        close(client, as_admin, g["S"], "2025-03")
        body = {
            "investee_id": g["S"],
            "seller_id": g["Q"],
            "buyer_id": g["P"],
            "transfer_on": "2025-03-15",
            "share": "0.1",
        }

        answer = call(client, as_admin, TRANSFERS, body, status=422)

        assert types(answer) == ["missing", "period_closed"]
        assert "P" in answer["errors"][1]["msg"]
        entries = client.get(
            "/api/v1/journal-entries", params={"entity_id": g["P"], "from": "2025-03-01"}, headers=as_admin
        ).json()["items"]
        assert entries == []

    def test_merger_into_itself(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = small_group(client, as_admin)
        body = {
            "kind": "absorption",
            "survivor_id": g["S"],
            "absorbed_ids": [g["S"]],
            "merged_on": "2025-07-01",
        }

        answer = call(client, as_admin, MERGERS, body, status=422)

        assert "self_merge" in types(answer)
        entity = client.get(f"/api/v1/entities/{g['S']}", headers=as_admin).json()
        assert entity["status"] == "active"

    def test_merger_needs_the_exchange_ratio(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = small_group(client, as_admin)
        g.stake("Q", "P", "1", capital="100")
        body = {
            "kind": "absorption",
            "survivor_id": g["P"],
            "absorbed_ids": [g["S"]],
            "merged_on": "2025-07-01",
            "registered_capitals": [{"entity_id": g["S"], "value": "1000"}],
        }

        answer = call(client, as_admin, MERGERS, body, status=422)

        assert "exchange_ratio_missing" in types(answer)


class TestRoles:
    def test_accountant_previews_but_does_not_commit(
        self, client: TestClient, as_admin: dict[str, str], users: Users
    ) -> None:
        g = small_group(client, as_admin)
        body = {
            "investee_id": g["S"],
            "seller_id": g["Q"],
            "buyer_id": g["P"],
            "transfer_on": "2025-03-15",
            "share": "0.1",
            "consideration": "100",
        }
        accountant = users.headers("accountant")

        preview = client.post(f"{TRANSFERS}/preview", json=body, headers=accountant)
        commit = client.post(TRANSFERS, json=body, headers=accountant)
        viewer = client.post(f"{TRANSFERS}/preview", json=body, headers=users.headers("viewer"))

        assert preview.status_code == 200
        assert commit.status_code == 403
        assert viewer.status_code == 403

    def test_limited_user_sees_404_for_other_entities(
        self, client: TestClient, as_admin: dict[str, str], users: Users
    ) -> None:
        g = small_group(client, as_admin)
        body = {
            "investee_id": g["S"],
            "seller_id": g["Q"],
            "buyer_id": g["P"],
            "transfer_on": "2025-03-15",
            "share": "0.1",
            "consideration": "100",
        }
        committed = call(client, as_admin, TRANSFERS, body, status=201)
        users.create("limited-events", "controller", entity_ids=[g["S"]])
        limited = users.headers("limited-events")

        preview = client.post(f"{TRANSFERS}/preview", json=body, headers=limited)
        read = client.get(f"/api/v1/group-events/{committed['id']}", headers=limited)
        listed = client.get("/api/v1/group-events", headers=limited).json()

        assert preview.status_code == 404
        assert read.status_code == 404
        assert listed["items"] == []

    def test_decimals_are_strings(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = small_group(client, as_admin)
        body = {
            "investee_id": g["S"],
            "seller_id": g["Q"],
            "buyer_id": g["P"],
            "transfer_on": "2025-03-15",
            "share": "0.1",
            "consideration": "100",
        }

        answer = call(client, as_admin, TRANSFERS, body, status=201)

        assert answer["stake_changes"][0]["after"]["share"] in ("0.7", "0.3")
        assert all(isinstance(v, str) for v in answer["figures"].values())
        assert answer["methods"][0]["interest_after"] == "0.7"
