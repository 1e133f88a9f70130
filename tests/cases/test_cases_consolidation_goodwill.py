"""Goodwill, NCI at acquisition and fair-value adjustments through the HTTP API: C-01a..d (goodwill at
acquisition, both NCI methods), C-21a (revaluation with deferred tax, goodwill) and C-21b (provision with
deferred tax, bargain purchase) with their `derived_ifrs` figures (cases.yaml).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.consolidation.consolidation_helpers import (
    ACCUMULATED_DEPRECIATION,
    ADMIN_EXPENSE,
    CAPITAL_RESERVE,
    CASH,
    DEFERRED_TAX_ASSET,
    DEFERRED_TAX_LIABILITY,
    INCOME_TAX,
    INVESTMENT_IN_SUBSIDIARIES,
    NON_OPERATING_INCOME,
    PAYABLE,
    PPE,
    PROVISIONS,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
    Group,
)
from tests.conftest import Users


def _acquire(
    client: TestClient, users: Users, share: str, consideration: int, equity: dict[str, int], **extra: Any
) -> Any:
    g = Group(client, users)
    g.companies("P", "S")
    lines = [{"account_code": code, "amount": str(amount)} for code, amount in equity.items()]
    return g.acquire("P", "S", "2020-12-31", share, consideration, equity_at_acquisition=lines, **extra)


class TestC01:
    @pytest.mark.parametrize(
        ("method", "extra", "nci", "goodwill"),
        [("proportionate", {}, 17000, 10000), ("fair_value", {"nci_fair_value": "19000"}, 19000, 12000)],
    )
    def test_c01a_daniel_craig_both_nci_methods(
        self, client: TestClient, users: Users, method: str, extra: dict[str, str], nci: int, goodwill: int
    ) -> None:
        result = _acquire(
            client, users, "0.80", 78000, {SHARE_CAPITAL: 85000}, nci_measurement=method, **extra
        )

        assert D(result["net_assets"]) == 85000
        assert D(result["nci_at_acquisition"]) == nci
        assert D(result["goodwill"]) == goodwill
        assert D(result["bargain_purchase_gain"]) == 0

    def test_c01b_p_co_s_co_goodwill_attributable_to_nci(self, client: TestClient, users: Users) -> None:
        result = _acquire(
            client,
            users,
            "0.90",
            10000,
            {SHARE_CAPITAL: 8000},
            nci_measurement="fair_value",
            nci_fair_value="1000",
        )

        assert D(result["goodwill"]) == 3000
        assert D(result["goodwill_attributable_to_nci"]) == 200

    @pytest.mark.parametrize(
        ("extra", "goodwill"),
        [({}, 740000), ({"nci_measurement": "fair_value", "nci_fair_value": "462500"}, 832500)],
    )
    def test_c01c_silvio_carmela_net_assets_from_equity(
        self, client: TestClient, users: Users, extra: dict[str, str], goodwill: int
    ) -> None:
        result = _acquire(
            client, users, "0.80", 2220000, {SHARE_CAPITAL: 370000, RETAINED_EARNINGS: 1480000}, **extra
        )

        assert D(result["net_assets"]) == 1850000
        assert D(result["goodwill"]) == goodwill

    @pytest.mark.parametrize(
        ("extra", "nci", "goodwill"),
        [
            ({}, 405000, 205000),
            ({"nci_measurement": "fair_value", "nci_fair_value": "450000"}, 450000, 250000),
        ],
    )
    def test_c01d_ham_safe(
        self, client: TestClient, users: Users, extra: dict[str, str], nci: int, goodwill: int
    ) -> None:
        result = _acquire(client, users, "0.85", 2500000, {SHARE_CAPITAL: 2700000}, **extra)

        assert D(result["nci_at_acquisition"]) == nci
        assert D(result["goodwill"]) == goodwill


class TestC21a:
    """Allen White 8.13: P buys 80% of A for 1,200 on 1 July; an asset is revalued by 500 (10% a year) with
    40% deferred tax. The results of A are one revenue line (the source gives results only); its first-half
    60 is in A's books at the acquisition date. IFRS keeps the goodwill (no amortisation of 34)."""

    def _run(self, client: TestClient, users: Users) -> tuple[Any, Any]:
        g = Group(client, users)
        g.companies("P", "A")
        g.package(
            "A",
            "2020-06-30",
            {
                PPE: 1000,
                ACCUMULATED_DEPRECIATION: -300,
                CASH: 1260,
                PAYABLE: 1100,
                SHARE_CAPITAL: 500,
                RETAINED_EARNINGS: 300,
                REVENUE: 60,
            },
        )
        acquisition = g.acquire(
            "P",
            "A",
            "2020-07-01",
            "0.8",
            1200,
            fair_value_adjustments=[{"account_code": PPE, "amount": "500", "useful_life_months": 120}],
            deferred_tax_rate="0.40",
        )
        g.package(
            "P",
            "2020-12-31",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "A"): 1200,
                CASH: 1800,
                PAYABLE: 600,
                SHARE_CAPITAL: 2000,
                RETAINED_EARNINGS: 300,
                REVENUE: 100,
            },
        )
        g.package(
            "A",
            "2020-12-31",
            {
                PPE: 1000,
                ACCUMULATED_DEPRECIATION: -300,
                CASH: 1300,
                PAYABLE: 1100,
                SHARE_CAPITAL: 500,
                RETAINED_EARNINGS: 300,
                REVENUE: 100,
            },
        )
        return acquisition, g.run("P", "2020-12-31")

    def test_revaluation_goodwill_and_nci(self, client: TestClient, users: Users) -> None:
        acquisition, run = self._run(client, users)

        computation = run.body["goodwill"][0]["computation"]
        assert run.journal("fair_value_adjustment") == {
            PPE: 500,
            DEFERRED_TAX_LIABILITY: -200,
            CAPITAL_RESERVE: -300,
        }
        assert D(acquisition["net_assets"]) * D("0.8") == 928
        assert D(computation["net_assets"]) * D("0.8") == 928
        assert D(acquisition["goodwill"]) == D(computation["goodwill"]) == 272
        assert run.journal("fair_value_depreciation") == {
            ADMIN_EXPENSE: 25,
            ACCUMULATED_DEPRECIATION: -25,
            DEFERRED_TAX_LIABILITY: 10,
            INCOME_TAX: -10,
        }
        assert D(run.subsidiary("A")["parent_share_of_post_acquisition"]) == 20
        assert run.figures["non_controlling_interest"] == 237

    def test_ifrs_statements_keep_goodwill_unamortised(self, client: TestClient, users: Users) -> None:
        _, run = self._run(client, users)

        f = run.figures
        assert f["goodwill"] == 272
        assert f["total_assets"] == 4513 + 34
        assert run.line(PPE) == 1500
        assert run.line(ACCUMULATED_DEPRECIATION) == -325
        assert run.line(DEFERRED_TAX_LIABILITY) == 190
        assert run.line(CASH) == 3100
        assert run.line(PAYABLE) == 1700
        assert run.profit_of("P") == 100
        assert f["profit_attributable_to_parent"] == 120
        assert f["profit_attributable_to_nci"] == 5
        assert f["equity_attributable_to_parent"] == 2000 + 300 + 100 + 20


class TestC21b:
    def test_bargain_purchase_gain_in_profit(self, client: TestClient, users: Users) -> None:
        # Filler: A's assets are cash equal to its equity; P holds the investment and cash against capital.
        g = Group(client, users)
        g.companies("P", "A")
        g.package("A", "2020-06-30", {CASH: 800, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 280, REVENUE: 20})
        acquisition = g.acquire(
            "P",
            "A",
            "2020-07-01",
            "0.8",
            500,
            fair_value_adjustments=[{"account_code": PROVISIONS, "amount": "100"}],
            deferred_tax_rate="0.30",
        )
        g.package("P", "2020-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "A"): 500, CASH: 500, SHARE_CAPITAL: 1000})
        g.package("A", "2020-12-31", {CASH: 830, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 280, REVENUE: 50})

        run = g.run("P", "2020-12-31")

        assert run.journal("fair_value_adjustment") == {
            PROVISIONS: -100,
            DEFERRED_TAX_ASSET: 30,
            CAPITAL_RESERVE: 70,
        }
        assert D(acquisition["bargain_purchase_gain"]) == 84
        assert D(acquisition["goodwill"]) == 0
        assert D(run.body["goodwill"][0]["computation"]["bargain_purchase_gain"]) == 84
        assert run.line(NON_OPERATING_INCOME) == 84
        assert run.figures["goodwill"] == 0
        assert D(run.subsidiary("A")["parent_share_of_post_acquisition"]) == 24
        assert run.figures["non_controlling_interest"] == 152
        assert run.figures["profit_attributable_to_parent"] == 84 + 24
