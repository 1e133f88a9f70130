"""Acquisitions and their later events over HTTP: roles, stakes, common control, every violation at once,
visibility and the wire format."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.consolidation.consolidation_helpers import (
    API,
    CASH,
    INVENTORY,
    INVESTMENT_IN_SUBSIDIARIES,
    PPE,
    RETAINED_EARNINGS,
    SHARE_CAPITAL,
    D,
    Group,
    problem,
)
from tests.conftest import Users


class TestAcquisitions:
    def test_records_the_stake_and_answers_decimal_strings(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        g.package("S", "2025-03-31", {CASH: 900, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 400})

        made = client.post(
            f"{API}/acquisitions",
            json={
                "acquirer_id": g.ids["P"],
                "acquiree_id": g.ids["S"],
                "acquired_on": "2025-03-31",
                "share": "0.8",
                "consideration": "1000",
            },
            headers=users.headers("accountant"),
        )

        body = made.json()
        stakes = client.get(f"{API}/stakes", params={"investee_id": g.ids["S"]}, headers=g.admin).json()[
            "items"
        ]
        assert made.status_code == 201, made.text
        assert made.headers["Location"] == f"/api/v1/acquisitions/{body['id']}"
        assert (body["goodwill"], body["nci_at_acquisition"], body["net_assets"]) == (
            "280.0000",
            "180.0000",
            "900.0000",
        )
        assert body["equity_source"] == "books"
        assert body["equity_at_acquisition"] == [
            {"account_code": SHARE_CAPITAL, "amount": "500.0000"},
            {"account_code": RETAINED_EARNINGS, "amount": "400.0000"},
        ]
        assert [(s["id"], s["share"], s["valid_from"]) for s in stakes] == [
            (body["stake_id"], "0.8", "2025-03-31")
        ]
        assert client.get(f"{API}/acquisitions/{body['id']}", headers=users.headers("viewer")).json() == body

    def test_an_acquisition_of_a_holding_already_in_force_records_no_new_stake(
        self, client: TestClient, users: Users
    ) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        g.stake("P", "S", "1", "2020-01-01")

        body = g.acquire("P", "S", "2020-01-01", "1", 0)

        assert body["stake_id"] is None

    def test_viewers_and_auditors_cannot_record(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        body = {
            "acquirer_id": g.ids["P"],
            "acquiree_id": g.ids["S"],
            "acquired_on": "2025-01-01",
            "share": "1",
            "consideration": "1",
        }

        codes = [
            client.post(f"{API}/acquisitions", json=body, headers=users.headers(role)).status_code
            for role in ("viewer", "auditor")
        ]

        assert codes == [403, 403]

    def test_every_violation_at_once(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")

        response = client.post(
            f"{API}/acquisitions",
            json={
                "acquirer_id": g.ids["P"],
                "acquiree_id": g.ids["S"],
                "acquired_on": "2025-01-01",
                "share": "0.8",
                "consideration": "100",
                "combination": "under_common_control",
                "nci_measurement": "fair_value",
                "equity_at_acquisition": [{"account_code": CASH, "amount": "10"}],
                "fair_value_adjustments": [{"account_code": SHARE_CAPITAL, "amount": "5"}],
            },
            headers=g.admin,
        )

        assert problem(response) == (422, "acquisition-invalid")
        assert sorted((tuple(e["loc"]), e["type"]) for e in response.json()["errors"]) == [
            (("body", "equity_at_acquisition", 0, "account_code"), "wrong_account_type"),
            (("body", "fair_value_adjustments"), "not_allowed"),
            (("body", "fair_value_adjustments", 0, "account_code"), "wrong_account_type"),
            (("body", "nci_fair_value"), "missing"),
            (("body", "nci_measurement"), "not_allowed"),
        ]
        assert client.get(f"{API}/acquisitions", headers=g.admin).json()["items"] == []

    def test_floats_are_refused(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")

        response = client.post(
            f"{API}/acquisitions",
            json={
                "acquirer_id": g.ids["P"],
                "acquiree_id": g.ids["S"],
                "acquired_on": "2025-01-01",
                "share": 0.8,
                "consideration": "100",
            },
            headers=g.admin,
        )

        assert response.status_code == 422

    def test_common_control_moves_the_difference_to_capital_reserve(
        self, client: TestClient, users: Users
    ) -> None:
        """C-16b shape (万元): 70% of B whose equity in the ultimate controller's statements is 1,300, for a
        fixed asset carried at 1,050: capital reserve -140 (910 - 1,050), no goodwill."""
        g = Group(client, users)
        g.companies("A", "B")
        g.package("B", "2019-05-01", {CASH: 1300, SHARE_CAPITAL: 1300})

        body = g.acquire("A", "B", "2019-05-01", "0.7", 1050, combination="under_common_control")
        g.package(
            "A", "2019-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "B"): 1050, CASH: 950, SHARE_CAPITAL: 2000}
        )
        run = g.run("A", "2019-12-31")

        assert (body["capital_reserve_adjustment"], body["goodwill"], body["bargain_purchase_gain"]) == (
            "-140.0000",
            "0.0000",
            "0.0000",
        )
        assert run.figures["goodwill"] == 0
        assert run.line("4002") == -140
        assert run.figures["non_controlling_interest"] == 390

    def test_movements_and_impairments_are_bounded(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        body = g.acquire(
            "P",
            "S",
            "2025-01-01",
            "1",
            500,
            equity_at_acquisition=[{"account_code": SHARE_CAPITAL, "amount": "300"}],
            fair_value_adjustments=[{"account_code": INVENTORY, "amount": "100"}],
        )
        path = f"{API}/acquisitions/{body['id']}"

        movement = client.post(
            f"{path}/fair-value-movements",
            json={"on": "2025-06-30", "account_code": INVENTORY, "amount": "60"},
            headers=g.admin,
        )
        too_much = client.post(
            f"{path}/fair-value-movements",
            json={"on": "2025-09-30", "account_code": INVENTORY, "amount": "50"},
            headers=g.admin,
        )
        not_adjusted = client.post(
            f"{path}/fair-value-movements",
            json={"on": "2025-09-30", "account_code": PPE, "amount": "5"},
            headers=g.admin,
        )
        impairment = client.post(
            f"{path}/goodwill-impairments", json={"on": "2025-12-31", "amount": "80"}, headers=g.admin
        )
        over = client.post(
            f"{path}/goodwill-impairments", json={"on": "2025-12-31", "amount": "30"}, headers=g.admin
        )
        early = client.post(
            f"{path}/goodwill-impairments", json={"on": "2024-12-31", "amount": "1"}, headers=g.admin
        )

        assert D(body["goodwill"]) == 100
        assert (movement.status_code, impairment.status_code) == (201, 201)
        assert [e["type"] for e in too_much.json()["errors"]] == ["exceeds_adjustment"]
        assert [e["type"] for e in not_adjusted.json()["errors"]] == ["not_adjusted"]
        assert [e["type"] for e in over.json()["errors"]] == ["exceeds_goodwill"]
        assert [e["type"] for e in early.json()["errors"]] == ["before_acquisition"]
        read = client.get(path, headers=g.admin).json()
        assert [
            (m["amount"], i["amount"])
            for m, i in zip(read["fair_value_movements"], read["goodwill_impairments"], strict=True)
        ] == [("60.0000", "80.0000")]

    def test_a_limited_user_sees_only_acquisitions_touching_its_entities(
        self, client: TestClient, users: Users
    ) -> None:
        g = Group(client, users)
        g.companies("P", "S", "X")
        body = g.acquire("P", "S", "2025-01-01", "1", 0)
        users.create("x-only", "accountant", entity_ids=[g.ids["X"]])
        limited = users.headers("x-only")

        read = client.get(f"{API}/acquisitions/{body['id']}", headers=limited)
        listed = client.get(f"{API}/acquisitions", headers=limited).json()["items"]
        made = client.post(
            f"{API}/acquisitions",
            json={
                "acquirer_id": g.ids["X"],
                "acquiree_id": g.ids["S"],
                "acquired_on": "2025-01-01",
                "share": "0.1",
                "consideration": "0",
            },
            headers=limited,
        )

        assert (read.status_code, listed, made.status_code) == (404, [], 404)
