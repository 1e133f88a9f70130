"""Group adjustments and unrealised profits over HTTP: round trips, every violation at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.consolidation.consolidation_helpers import API, CASH, RECEIVABLE, Group, problem
from tests.conftest import Users


class TestAdjustmentsAndUnrealizedProfits:
    def test_adjustment_round_trip_and_refusals(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")

        made = g.adjust(
            "P",
            "2025-12-31",
            {"account_code": CASH, "debit": "50"},
            {"account_code": RECEIVABLE, "credit": "50", "counterparty_entity_id": g.ids["S"]},
        )
        unbalanced = client.post(
            f"{API}/consolidation-adjustments",
            json={
                "as_of": "2025-12-31",
                "entity_id": g.ids["P"],
                "description": "bad",
                "lines": [
                    {"account_code": CASH, "debit": "50"},
                    {"account_code": "9999", "credit": "40", "debit": "1"},
                ],
            },
            headers=g.admin,
        )

        listed = client.get(
            f"{API}/consolidation-adjustments", params={"entity_id": g.ids["P"]}, headers=g.admin
        )
        assert [line["credit"] for line in made["lines"]] == ["0.0000", "50.0000"]
        assert listed.json()["items"] == [made]
        assert problem(unbalanced) == (422, "consolidation-adjustment-invalid")
        assert sorted(e["type"] for e in unbalanced.json()["errors"]) == [
            "one_side",
            "unbalanced",
            "unknown_account",
        ]

    def test_unrealized_profit_needs_exactly_one_basis(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        body = {
            "as_of": "2025-12-31",
            "seller_id": g.ids["P"],
            "buyer_id": g.ids["S"],
            "inventory_at_transfer_price": "100",
        }

        none = client.post(f"{API}/unrealized-profits", json=body, headers=g.admin)
        both = client.post(
            f"{API}/unrealized-profits",
            json={**body, "markup_on_cost": "0.2", "margin_on_sales": "0.2"},
            headers=g.admin,
        )
        given = g.unrealized("P", "S", "2025-12-31", 100, unrealized_profit="30")

        assert problem(none) == problem(both) == (422, "unrealized-profit-invalid")
        assert given["amount"] == "30.0000"
        assert (
            client.get(f"{API}/unrealized-profits/{given['id']}", headers=users.headers("viewer")).json()
            == given
        )
