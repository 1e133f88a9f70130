"""Disposal, impairment and the asset reports through HTTP: register, roll-forward, idle assets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.api.assets.helpers import (
    API,
    approve,
    balances,
    make_asset,
    make_entity,
    make_group,
    problem_type,
    request_transfer,
    run,
)
from tests.conftest import Users

D = Decimal


def _roll(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get(f"{API}/asset-roll-forward", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestDisposalAndImpairment:
    def test_a_sale_to_an_outside_party_posts_the_months_due_and_the_gain(
        self, client: TestClient, users: Users
    ) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        buyer = make_entity(client, users.headers("admin"), kind="external")
        asset = make_asset(client, acct, entity_id=company)

        response = client.post(
            f"{API}/assets/{asset['id']}/dispose",
            json={
                "disposed_on": "2024-06-10",
                "kind": "sale",
                "proceeds": "1200.00",
                "costs": "20.00",
                "proceeds_account_code": "1122",
                "counterparty_entity_id": buyer,
                "reason": "出售给外部客户",
            },
            headers=acct,
        )
        after = client.get(f"{API}/assets/{asset['id']}", params={"as_of": "2024-06-10"}, headers=acct).json()

        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["carrying_amount"], body["gain"], body["group_gain"]) == ("1140.00", "40.00", "40.00")
        assert balances(client, acct, entity_id=company, as_of="2024-06-30") == {
            "1002": D(-1220),
            "1122": D(1200),
            "6602": D(60),
            "6115": D(40),
        }
        assert (after["current_status"], after["holder_entity_id"], after["carrying_amount"]) == (
            "disposed",
            None,
            None,
        )
        assert run(client, acct, period="2024-07", entity_id=company)["runs"][0]["total"] == "0.00"

    def test_scrapping_goes_to_non_operating_expense(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)

        response = client.post(
            f"{API}/assets/{asset['id']}/dispose",
            json={"disposed_on": "2024-01-20", "kind": "scrap", "proceeds": "50.00"},
            headers=acct,
        )

        assert response.json()["gain"] == "-1140.00"
        assert balances(client, acct, entity_id=company, as_of="2024-01-31")["6711"] == D(1140)

    def test_a_group_company_cannot_be_the_outside_buyer(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, sister) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)

        response = client.post(
            f"{API}/assets/{asset['id']}/dispose",
            json={
                "disposed_on": "2024-06-10",
                "proceeds": "10.00",
                "counterparty_entity_id": sister,
            },
            headers=acct,
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["type"] == "counterparty_in_group"

    def test_impairment_is_posted_and_rebases_depreciation(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)

        impaired = client.post(
            f"{API}/assets/{asset['id']}/impair",
            json={"impaired_on": "2024-12-20", "amount": "300.00", "reason": "技术陈旧"},
            headers=acct,
        )
        too_much = client.post(
            f"{API}/assets/{asset['id']}/impair",
            json={"impaired_on": "2024-12-21", "amount": "900.00", "reason": "x"},
            headers=acct,
        )
        result = run(client, acct, period="2025-12", entity_id=company)

        assert impaired.status_code == 201
        assert too_much.status_code == 422
        assert too_much.json()["errors"][0]["type"] == "impairment_above_carrying_amount"
        # 2024: 120; 2025: 780 over the 108 months left, 86.67.
        assert result["runs"][0]["total"] == "206.67"
        assert balances(client, acct, entity_id=company, as_of="2024-12-31")["6701"] == D(300)

    def test_an_asset_cannot_be_disposed_of_twice(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)
        url = f"{API}/assets/{asset['id']}/dispose"
        client.post(url, json={"disposed_on": "2024-02-01", "proceeds": "0"}, headers=acct).raise_for_status()

        again = client.post(url, json={"disposed_on": "2024-03-01", "proceeds": "0"}, headers=acct)

        assert again.status_code == 409
        assert problem_type(again) == "asset-disposed"


class TestReports:
    def test_register_as_of_a_date_with_totals(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company, tag="R-1")
        make_asset(client, acct, entity_id=company, tag="R-2", cost="2400.00", acquired_on="2024-05-05")

        early = client.get(
            f"{API}/asset-register", params={"entity_id": company, "as_of": "2024-03-31"}, headers=acct
        ).json()
        late = client.get(
            f"{API}/asset-register", params={"entity_id": company, "as_of": "2024-12-31"}, headers=acct
        ).json()

        assert [line["tag"] for line in early["lines"]] == ["R-1"]
        assert [line["tag"] for line in late["lines"]] == ["R-1", "R-2"]
        assert late["totals"] == {
            "cost": "3600.00",
            "accumulated_depreciation": "260.00",
            "impairment": "0.00",
            "carrying_amount": "3340.00",
        }

    def test_roll_forward_per_company_and_for_the_group(self, client: TestClient, users: Users) -> None:
        acct, ctl = users.headers("accountant"), users.headers("controller")
        _, (a, b) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=a)
        transfer = request_transfer(
            client,
            acct,
            asset_id=asset["id"],
            to_entity_id=b,
            kind="sale",
            price="1500.00",
            transfer_on="2024-03-15",
        ).json()
        approve(client, ctl, transfer["id"]).raise_for_status()

        year = _roll(client, acct, **{"from": "2024-01-01", "to": "2024-12-31"})
        only_a = _roll(client, acct, **{"from": "2024-01-01", "to": "2024-12-31", "entity_id": a})

        rows = {r["entity_id"]: r for r in year["entities"]}
        assert {k: rows[a][k] for k in ("opening", "transfers_out", "depreciation", "closing")} == {
            "opening": "1200.00",
            "transfers_out": "1170.00",
            "depreciation": "30.00",
            "closing": "0.00",
        }
        assert rows[a]["additions"] == "0.00"
        assert {k: rows[b][k] for k in ("transfers_in", "depreciation", "closing")} == {
            "transfers_in": "1500.00",
            "depreciation": "115.38",
            "closing": "1384.62",
        }
        assert year["group"] == {
            "opening": "1200.00",
            "additions": "0.00",
            "transfers_in": "0.00",
            "transfers_out": "0.00",
            "disposals": "0.00",
            "depreciation": "120.00",
            "impairment": "0.00",
            "closing": "1080.00",
        }
        assert only_a["group"] is None
        assert [r["entity_id"] for r in only_a["entities"]] == [a]

    def test_roll_forward_period_must_not_be_reversed(self, client: TestClient, users: Users) -> None:
        response = client.get(
            f"{API}/asset-roll-forward",
            params={"from": "2024-12-31", "to": "2024-01-01"},
            headers=users.headers("viewer"),
        )

        assert response.status_code == 422

    def test_idle_assets_and_their_share_of_the_asset_base(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company, cost="3000.00")
        idle = make_asset(client, acct, entity_id=company, cost="1200.00")
        client.patch(
            f"{API}/assets/{idle['id']}",
            json={"status": "idle", "effective_on": "2024-06-01"},
            headers={**acct, "If-Match": '"1"'},
        ).raise_for_status()

        report = client.get(
            f"{API}/idle-assets",
            params={"entity_id": company, "as_of": "2024-12-31"},
            headers=users.headers("viewer"),
        ).json()

        line = report["entities"][0]
        assert [a["asset_id"] for a in line["assets"]] == [idle["id"]]
        assert (line["idle_carrying_amount"], line["total_carrying_amount"], line["idle_share"]) == (
            "1080.00",
            "3780.00",
            "0.2857",
        )

    def test_unrealized_profit_for_consolidation(self, client: TestClient, users: Users) -> None:
        acct, ctl = users.headers("accountant"), users.headers("controller")
        _, (a, b) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=a)
        transfer = request_transfer(
            client,
            acct,
            asset_id=asset["id"],
            to_entity_id=b,
            kind="sale",
            price="1500.00",
            transfer_on="2024-03-15",
        ).json()
        approve(client, ctl, transfer["id"]).raise_for_status()

        report = client.get(
            f"{API}/unrealized-asset-profits", params={"as_of": "2024-12-31"}, headers=acct
        ).json()

        item = next(i for i in report["items"] if i["record"]["transfer_id"] == transfer["id"])
        # Buyer 1,500 - 115.38 = 1,384.62 against the group's 1,200 - 120 = 1,080.
        assert (item["unrealized_at_start"], item["arising"], item["unrealized"]) == (
            "0.00",
            "330.00",
            "304.62",
        )
        assert item["released"] == "25.38"
