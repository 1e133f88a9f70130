"""Transfers between group companies through HTTP: both sides' entries, the workflow, every refusal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.assets.helpers import (
    API,
    approve,
    balances,
    controllers,
    make_asset,
    make_entity,
    make_group,
    make_stake,
    problem_type,
    request_transfer,
    run,
)
from tests.conftest import Users

D = Decimal


@pytest.fixture
def group(client: TestClient, users: Users) -> dict[str, Any]:
    """Parent P holding 100% of A and B; an asset of A (1,200 over 120 months from January 2024)."""
    parent, (a, b) = make_group(client, users.headers("admin"))
    acct = users.headers("accountant")
    asset = make_asset(client, acct, entity_id=a)
    return {
        "parent": parent,
        "a": a,
        "b": b,
        "asset": asset["id"],
        "acct": acct,
        "ctl": users.headers("controller"),
    }


def _sale(client: TestClient, g: dict[str, Any], **extra: Any) -> Any:
    body = {
        "asset_id": g["asset"],
        "to_entity_id": g["b"],
        "kind": "sale",
        "price": "1500.00",
        "transfer_on": "2024-03-15",
        **extra,
    }
    return request_transfer(client, g["acct"], **body)


class TestExecution:
    def test_a_sale_posts_both_sides_and_moves_the_asset(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        run(client, g["acct"], period="2024-01", entity_id=g["a"])
        requested = _sale(client, g)

        approved = approve(client, g["ctl"], requested.json()["id"])
        asset = client.get(
            f"{API}/assets/{g['asset']}", params={"as_of": "2024-03-15"}, headers=g["acct"]
        ).json()

        assert requested.status_code == 201
        assert requested.json()["status"] == "submitted"
        body = approved.json()
        assert (body["status"], body["carrying_amount"], body["gain"]) == ("executed", "1170.00", "330.00")
        assert body["unrealized_profit"]["unrealized_at_transfer"] == "330.00"
        assert body["unrealized_profit"]["remaining_life_months"] == 117
        assert balances(client, g["acct"], entity_id=g["a"], as_of="2024-03-31") == {
            "1002": D(-1200),
            "1221": D(1500),
            "6115": D(330),
            "6602": D(30),
        }
        assert balances(client, g["acct"], entity_id=g["b"], as_of="2024-03-31") == {
            "1601": D(1500),
            "2241": D(1500),
        }
        assert (asset["holder_entity_id"], asset["book_cost"], asset["cost"]) == (
            g["b"],
            "1500.00",
            "1200.00",
        )
        assert [h["entity_id"] for h in asset["history"]] == [g["a"], g["b"]]
        assert asset["history"][1]["useful_life_months"] == 117
        assert asset["history"][1]["depreciation_from"] == "2024-04-01"

    def test_the_buyer_depreciates_the_price_over_the_remaining_life(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        approve(client, g["ctl"], _sale(client, g, price="1170.00").json()["id"])

        result = run(client, g["acct"], period="2024-12", entity_id=g["b"])

        assert result["runs"][0]["total"] == "90.00"
        assert balances(client, g["acct"], entity_id=g["b"], as_of="2024-12-31")["1602"] == D(90)

    def test_a_free_transfer_between_sisters_moves_cost_and_depreciation_through_capital_reserve(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        requested = request_transfer(
            client,
            g["acct"],
            asset_id=g["asset"],
            to_entity_id=g["b"],
            kind="free_transfer",
            transfer_on="2024-03-15",
        )

        body = approve(client, g["ctl"], requested.json()["id"]).json()
        b_run = run(client, g["acct"], period="2024-04", entity_id=g["b"])

        assert (body["status"], body["gain"], body["unrealized_profit"]) == ("executed", "0.00", None)
        assert balances(client, g["acct"], entity_id=g["a"], as_of="2024-03-31") == {
            "1002": D(-1200),
            "4002": D(-1170),
            "6602": D(30),
        }
        assert balances(client, g["acct"], entity_id=g["b"], as_of="2024-04-30") == {
            "1601": D(1200),
            "1602": D(40),
            "4002": D(1170),
            "6602": D(10),
        }
        assert b_run["runs"][0]["total"] == "10.00"

    def test_a_parent_giving_an_asset_to_its_subsidiary_raises_its_investment(
        self, client: TestClient, users: Users, group: dict[str, Any]
    ) -> None:
        g = group
        asset = make_asset(client, g["acct"], entity_id=g["parent"])
        requested = request_transfer(
            client,
            g["acct"],
            asset_id=asset["id"],
            to_entity_id=g["a"],
            kind="free_transfer",
            transfer_on="2024-01-20",
        )

        approve(client, g["ctl"], requested.json()["id"]).raise_for_status()

        assert balances(client, g["acct"], entity_id=g["parent"], as_of="2024-01-31")["151101"] == D(1190)
        assert balances(client, g["acct"], entity_id=g["a"], as_of="2024-01-31")["4002"] == D(1190)

    def test_a_capital_contribution_credits_paid_in_capital_and_reserve(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        requested = request_transfer(
            client,
            g["acct"],
            asset_id=g["asset"],
            to_entity_id=g["b"],
            kind="capital_contribution",
            price="1000.00",
            transfer_on="2024-03-15",
        )

        approve(client, g["ctl"], requested.json()["id"]).raise_for_status()

        assert balances(client, g["acct"], entity_id=g["a"], as_of="2024-03-31")["1511"] == D(1170)
        b = balances(client, g["acct"], entity_id=g["b"], as_of="2024-03-31")
        assert (b["4001"], b["4002"], b["1601"], b["1602"]) == (D(1000), D(170), D(1200), D(30))

    def test_rejection_keeps_the_reason_and_frees_the_asset(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        requested = _sale(client, g).json()

        rejected = client.post(
            f"{API}/asset-transfers/{requested['id']}/reject", json={"reason": "价格不公允"}, headers=g["ctl"]
        )
        again = _sale(client, g)

        assert rejected.json()["status"] == "rejected"
        assert rejected.json()["rejection_reason"] == "价格不公允"
        assert again.status_code == 201

    def test_a_user_of_the_buyer_sees_only_the_buyers_book(
        self, client: TestClient, users: Users, group: dict[str, Any]
    ) -> None:
        g = group
        approve(client, g["ctl"], _sale(client, g).json()["id"]).raise_for_status()
        users.create("buyer-only", "viewer", entity_ids=[g["b"]])

        seen = client.get(
            f"{API}/assets/{g['asset']}", params={"as_of": "2024-12-31"}, headers=users.headers("buyer-only")
        ).json()

        assert [h["entity_id"] for h in seen["history"]] == [g["b"]]
        assert seen["holder_entity_id"] == g["b"]

    def test_list_filters(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group
        first = _sale(client, g).json()

        by_asset = client.get(
            f"{API}/asset-transfers", params={"asset_id": g["asset"]}, headers=g["acct"]
        ).json()
        by_status = client.get(
            f"{API}/asset-transfers", params={"status": "executed", "entity_id": g["b"]}, headers=g["acct"]
        ).json()

        assert [t["id"] for t in by_asset["items"]] == [first["id"]]
        assert by_status["items"] == []


class TestMakerChecker:
    def test_the_requester_cannot_approve(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group
        requested = request_transfer(
            client,
            g["ctl"],
            asset_id=g["asset"],
            to_entity_id=g["b"],
            kind="sale",
            price="1500.00",
            transfer_on="2024-03-15",
        )

        response = approve(client, g["ctl"], requested.json()["id"])

        assert response.status_code == 403
        assert problem_type(response) == "transfer-self-approval"

    def test_only_controllers_approve(self, client: TestClient, users: Users, group: dict[str, Any]) -> None:
        g = group
        transfer = _sale(client, g).json()

        for role in ("admin", "accountant", "auditor"):
            response = approve(client, users.headers(role), transfer["id"])

            assert response.status_code == 403

    def test_above_the_threshold_a_second_different_controller_is_needed(
        self, client: TestClient, users: Users, group: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        g = group
        monkeypatch.setenv("GROUPLEDGER_ASSETS_SECOND_APPROVAL_THRESHOLD", "1000.00")
        first_ctl, second_ctl = controllers(users, 2)
        transfer = _sale(client, g).json()

        first = approve(client, first_ctl, transfer["id"])
        same_again = approve(client, first_ctl, transfer["id"])
        second = approve(client, second_ctl, transfer["id"])

        assert transfer["approvals_required"] == 2
        assert (first.status_code, first.json()["status"], len(first.json()["approvals"])) == (
            200,
            "submitted",
            1,
        )
        assert same_again.status_code == 409
        assert problem_type(same_again) == "transfer-second-approval-required"
        assert second.json()["status"] == "executed"

    def test_at_or_below_the_threshold_one_approval_executes(
        self, client: TestClient, group: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        g = group
        monkeypatch.setenv("GROUPLEDGER_ASSETS_SECOND_APPROVAL_THRESHOLD", "1500.00")

        transfer = _sale(client, g).json()

        assert transfer["approvals_required"] == 1

    def test_a_decided_transfer_cannot_be_decided_again(
        self, client: TestClient, group: dict[str, Any], users: Users
    ) -> None:
        g = group
        transfer = _sale(client, g).json()
        approve(client, g["ctl"], transfer["id"]).raise_for_status()
        other_ctl = controllers(users, 1)[0]

        again = approve(client, other_ctl, transfer["id"])
        reject = client.post(
            f"{API}/asset-transfers/{transfer['id']}/reject", json={"reason": "x"}, headers=other_ctl
        )

        assert again.status_code == 409
        assert problem_type(again) == "transfer-not-submitted"
        assert problem_type(reject) == "transfer-not-submitted"


class TestRefusals:
    def test_a_second_open_transfer_of_the_asset(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group
        _sale(client, g).raise_for_status()

        second = _sale(client, g, price="1600.00")

        assert second.status_code == 409
        assert problem_type(second) == "transfer-already-open"

    def test_an_asset_not_held_by_the_named_sender(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group

        response = _sale(client, g, from_entity_id=g["b"], to_entity_id=g["parent"])

        assert response.status_code == 409
        assert problem_type(response) == "asset-not-held-by-sender"

    def test_a_transfer_dated_before_the_holding(self, client: TestClient, group: dict[str, Any]) -> None:
        response = _sale(client, group, transfer_on="2023-11-30")

        assert problem_type(response) == "asset-not-held-by-sender"

    def test_a_disposed_asset(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group
        client.post(
            f"{API}/assets/{g['asset']}/dispose",
            json={"disposed_on": "2024-02-10", "proceeds": "900.00"},
            headers=g["acct"],
        ).raise_for_status()

        response = _sale(client, g)

        assert response.status_code == 409
        assert problem_type(response) == "asset-disposed"

    def test_a_closed_month_on_the_receivers_side(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group
        client.post(f"{API}/entities/{g['b']}/periods/2024-03/close", headers=g["ctl"]).raise_for_status()

        response = _sale(client, g)

        assert response.status_code == 409
        assert problem_type(response) == "period-closed"
        assert response.json()["errors"][0]["entity_id"] == g["b"]

    def test_a_month_closed_between_request_and_approval(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        transfer = _sale(client, g).json()
        client.post(f"{API}/entities/{g['a']}/periods/2024-03/close", headers=g["ctl"]).raise_for_status()

        response = approve(client, g["ctl"], transfer["id"])

        assert problem_type(response) == "period-closed"
        assert (
            client.get(f"{API}/asset-transfers/{transfer['id']}", headers=g["acct"]).json()["status"]
            == "submitted"
        )

    def test_an_outside_party_is_a_disposal_not_a_transfer(
        self, client: TestClient, users: Users, group: dict[str, Any]
    ) -> None:
        g = group
        outsider = make_entity(client, users.headers("admin"), kind="external")

        response = _sale(client, g, to_entity_id=outsider)

        assert response.status_code == 422
        assert problem_type(response) == "receiver-outside-group"

    def test_a_company_of_another_group(
        self, client: TestClient, users: Users, group: dict[str, Any]
    ) -> None:
        g = group
        admin = users.headers("admin")
        stranger_parent = make_entity(client, admin)
        stranger = make_entity(client, admin)
        make_stake(client, admin, holder=stranger_parent, investee=stranger)
        minority = make_entity(client, admin)
        make_stake(client, admin, holder=g["parent"], investee=minority, share="0.3")

        other_group = _sale(client, g, to_entity_id=stranger)
        associate = _sale(client, g, to_entity_id=minority)

        assert problem_type(other_group) == "receiver-outside-group"
        assert problem_type(associate) == "receiver-outside-group"

    def test_depreciation_already_booked_after_the_transfer_date(
        self, client: TestClient, group: dict[str, Any]
    ) -> None:
        g = group
        run(client, g["acct"], period="2024-04", entity_id=g["a"])

        response = _sale(client, g)

        assert response.status_code == 409
        assert problem_type(response) == "asset-depreciated-after-date"

    def test_a_price_that_does_not_fit_the_kind(self, client: TestClient, group: dict[str, Any]) -> None:
        g = group

        no_price = _sale(client, g, price=None)
        priced_gift = _sale(client, g, kind="free_transfer")

        assert problem_type(no_price) == "transfer-price-invalid"
        assert problem_type(priced_gift) == "transfer-price-invalid"

    def test_every_refusal_is_listed(self, client: TestClient, users: Users, group: dict[str, Any]) -> None:
        g = group
        outsider = make_entity(client, users.headers("admin"), kind="external")
        _sale(client, g).raise_for_status()

        response = _sale(client, g, to_entity_id=outsider, price=None)

        assert [e["type"] for e in response.json()["errors"]] == [
            "transfer-already-open",
            "receiver-outside-group",
            "transfer-price-invalid",
        ]
