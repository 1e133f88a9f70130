"""Intragroup items through the HTTP API: C-08b (PURP and cash in transit), C-08c (PURP drills and the
Zebedee/Xavier cost of sales), C-09 group figures (an asset sold A -> B at a profit, later sold outside).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.assets.helpers import API, approve, make_asset, make_entity, make_group, request_transfer, run
from tests.api.consolidation.consolidation_helpers import (
    ACCUMULATED_DEPRECIATION,
    ADMIN_EXPENSE,
    CASH,
    COST_OF_SALES,
    GAIN_ON_DISPOSAL,
    INVENTORY,
    INVESTMENT_IN_SUBSIDIARIES,
    PAYABLE,
    PPE,
    RECEIVABLE,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
    Group,
)
from tests.conftest import Users


def _c08b_group(client: TestClient, users: Users) -> Group:
    # Filler: P's 700,000 current assets are cash 650,000 and the 50,000 receivable from S; S's 500,000 are
    # cash 475,000 and inventory 25,000 (the quarter of P's goods still held); capital balances the books.
    g = Group(client, users)
    g.companies("P", "S")
    g.package("S", "2020-01-01", {CASH: 300000, SHARE_CAPITAL: 300000})
    g.acquire("P", "S", "2020-01-01", "0.6", 180000)
    g.package(
        "P",
        "2020-12-31",
        {
            CASH: 650000,
            (RECEIVABLE, "S"): 50000,
            PAYABLE: 300000,
            (INVESTMENT_IN_SUBSIDIARIES, "S"): 180000,
            SHARE_CAPITAL: 580000,
        },
    )
    g.package("S", "2020-12-31", {CASH: 475000, INVENTORY: 25000, PAYABLE: 200000, SHARE_CAPITAL: 300000})
    return g


class TestC08b:
    def test_purp_downstream_and_cash_in_transit(self, client: TestClient, users: Users) -> None:
        g = _c08b_group(client, users)
        g.adjust(
            "P",
            "2020-12-31",
            {"account_code": CASH, "debit": "50000"},
            {"account_code": RECEIVABLE, "credit": "50000", "counterparty_entity_id": g.ids["S"]},
            description="cash in transit from S",
        )
        purp = g.unrealized("P", "S", "2020-12-31", 25000, margin_on_sales="0.20")

        result = g.run("P", "2020-12-31")

        current_assets = result.line(CASH) + result.line(RECEIVABLE) + result.line(INVENTORY)
        urp_lines = [e for e in result.body["eliminations"] if e["reason"] == "unrealized_profit_inventory"]
        assert D(purp["amount"]) == 5000
        assert sum(D(e["credit"]) for e in urp_lines if e["account_code"] == INVENTORY) == 5000
        assert current_assets == 1195000
        assert result.figures["total_liabilities"] == 500000
        assert not any(e["nci_bearing"] for e in urp_lines)
        assert all(e["source"] == purp["id"] for e in urp_lines)
        assert result.body["status"] == "consolidated"

    def test_without_the_in_transit_adjustment_the_run_is_unreconciled(
        self, client: TestClient, users: Users
    ) -> None:
        g = _c08b_group(client, users)

        result = g.run("P", "2020-12-31")

        assert result.body["status"] == "unreconciled"
        assert result.body["consolidated"] is False
        [difference] = result.body["intercompany_differences"]
        assert (difference["kind"], difference["entity_id"], difference["counterparty_entity_id"]) == (
            "balance",
            g.ids["P"],
            g.ids["S"],
        )
        assert D(difference["difference"]) == 50000


class TestC08c:
    @pytest.mark.parametrize(
        ("held", "basis", "expected"),
        [
            (12000, {"markup_on_cost": "0.20"}, 2000),
            (12000, {"margin_on_sales": "0.20"}, 2400),
            (100000, {"markup_on_cost": "0.25"}, 20000),
            (7000000, {"margin_on_sales": "0.05"}, 350000),
            (900000, {"markup_on_cost": "0.20"}, 150000),
            (36000, {"markup_on_cost": "0.50"}, 12000),
        ],
    )
    def test_purp_arithmetic(
        self, client: TestClient, users: Users, held: int, basis: dict[str, str], expected: int
    ) -> None:
        g = Group(client, users)
        g.companies("Seller", "Buyer")

        record = g.unrealized("Seller", "Buyer", "2020-12-31", held, **basis)

        assert D(record["amount"]) == expected

    def test_zebedee_xavier_group_cost_of_sales(self, client: TestClient, users: Users) -> None:
        # $000. Filler: revenues 600 (84 of them to Xavier) and 300, capital and cash balancing the books.
        g = Group(client, users)
        g.companies("Zebedee", "Xavier")
        g.package("Xavier", "2020-01-01", {CASH: 100, SHARE_CAPITAL: 100})
        g.acquire("Zebedee", "Xavier", "2020-01-01", "1", 100)
        g.package(
            "Zebedee",
            "2020-12-31",
            {
                REVENUE: 516,
                (REVENUE, "Xavier"): 84,
                COST_OF_SALES: 420,
                (INVESTMENT_IN_SUBSIDIARIES, "Xavier"): 100,
                CASH: 580,
                SHARE_CAPITAL: 500,
            },
        )
        g.package(
            "Xavier",
            "2020-12-31",
            {REVENUE: 300, COST_OF_SALES: 210, INVENTORY: 36, CASH: 154, SHARE_CAPITAL: 100},
        )
        g.unrealized("Zebedee", "Xavier", "2020-12-31", 36, markup_on_cost="0.5")

        result = g.run("Zebedee", "2020-12-31")

        assert result.line(COST_OF_SALES) == 558
        assert result.line(REVENUE) == 816
        assert result.line(INVENTORY) == 24


YEAR1, YEAR2, YEAR3 = 2024, 2025, 2026


@pytest.fixture
def c09(client: TestClient, users: Users) -> Group:
    """Allen White 8.3 through the asset register: A buys an asset for 300 (10 years), sells it to its
    sister B after 3 years for 280 (NBV 210); B depreciates 40 a year and sells it outside for 260 at the
    start of year 3. P holds A and B since they were founded (acquisitions with no consideration)."""
    admin, acct, ctl = users.headers("admin"), users.headers("accountant"), users.headers("controller")
    parent, (a, b) = make_group(client, admin)
    g = Group(client, users)
    g.ids.update(P=parent, A=a, B=b)
    g.acquire("P", "A", "2000-01-01", "1", 0)
    g.acquire("P", "B", "2000-01-01", "1", 0)
    outsider = make_entity(client, admin, kind="external")
    asset = make_asset(
        client,
        acct,
        entity_id=a,
        acquired_on="2021-01-01",
        cost="300.00",
        residual_value="0",
        useful_life_months=120,
        method="straight_line",
        convention="full_month_first",
    )
    for year in (2021, 2022, 2023):
        run(client, acct, period=f"{year}-12", entity_id=a)
    transfer = request_transfer(
        client,
        acct,
        asset_id=asset["id"],
        to_entity_id=b,
        kind="sale",
        price="280.00",
        transfer_on=f"{YEAR1}-01-01",
    ).json()
    assert approve(client, ctl, transfer["id"]).status_code == 200
    for year in (YEAR1, YEAR2):
        run(client, acct, period=f"{year}-12", entity_id=b)
    sold = client.post(
        f"{API}/assets/{asset['id']}/dispose",
        json={
            "disposed_on": f"{YEAR3}-01-01",
            "kind": "sale",
            "proceeds": "260.00",
            "counterparty_entity_id": outsider,
        },
        headers=acct,
    )
    assert sold.status_code in (200, 201), sold.text
    return g


def _by_entity(result: Any, entity: str) -> dict[str, Decimal]:
    lines: dict[str, Decimal] = {}
    for e in result.body["eliminations"]:
        if e["reason"] == "unrealized_profit_asset" and e["entity_id"] == entity:
            lines[e["account_code"]] = (
                lines.get(e["account_code"], Decimal(0)) + D(e["debit"]) - D(e["credit"])
            )
    return lines


class TestC09GroupFigures:
    def test_three_years_of_the_group_view(self, c09: Group) -> None:
        """Published group view: gain 70 eliminated, released 10 a year; consolidated results A 0, 0, 70
        and B -30, -30, 40 (total -30, -30, 110); NBV 180 and depreciation 30 in year 1; the group gain on the
        final sale 110 (260 - 150); in year 3 A: Dr reserves 70 / Cr result 70, B: Dr result 20 / Cr
        reserves 20."""
        years = [c09.run("P", f"{year}-12-31") for year in (YEAR1, YEAR2, YEAR3)]

        year1, year2, year3 = years
        assert _by_entity(year1, c09.ids["A"])[GAIN_ON_DISPOSAL] == 70
        assert year1.line(PPE) + year1.line(ACCUMULATED_DEPRECIATION) == 180
        assert year1.line(ADMIN_EXPENSE) == 30
        assert year2.line(PPE) + year2.line(ACCUMULATED_DEPRECIATION) == 150
        assert [(r.profit_of("A"), r.profit_of("B")) for r in years] == [(0, -30), (0, -30), (70, 40)]
        assert [r.figures["profit_for_period"] for r in years] == [-30, -30, 110]
        assert _by_entity(year3, c09.ids["A"]) == {RETAINED_EARNINGS: 70, GAIN_ON_DISPOSAL: -70}
        assert _by_entity(year3, c09.ids["B"]) == {RETAINED_EARNINGS: -20, GAIN_ON_DISPOSAL: 20}
        assert year3.line(GAIN_ON_DISPOSAL) == 110
        assert year3.line(PPE) + year3.line(ACCUMULATED_DEPRECIATION) == 0
