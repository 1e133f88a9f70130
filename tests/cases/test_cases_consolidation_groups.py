"""Multi-level groups and associates through the HTTP API: C-13c (vertical group P&L, goodwill impairment
with fair-value NCI at two levels), C-11b (Kaplan Pear/Apple share of an associate's profit) and C-11c (CAS
adjusted net profit of an associate) (cases.yaml). The scope and the shares come from the ownership engine
(0.8 x 0.6 = 0.48: NCI of S2 0.52), the associates' profit from their own books in the ledger.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.consolidation.consolidation_helpers import (
    ADMIN_EXPENSE,
    CASH,
    IMPAIRMENT_LOSS,
    INVENTORY,
    INVESTMENT_IN_ASSOCIATES,
    INVESTMENT_IN_SUBSIDIARIES,
    REVENUE,
    SHARE_CAPITAL,
    SHARE_OF_ASSOCIATES,
    D,
    Group,
)
from tests.conftest import Users


class TestC13c:
    """Filler: acquisitions a year before (capital 200,000 for S1 bought at 180,000 with NCI at fair value
    45,000; capital 100,000 for S2 bought by S1 at 80,000 with NCI 60,000), giving goodwill of 25,000 and
    24,000 to carry the impairments the case implies (12,000 and 16,000, fair-value NCI)."""

    def test_vertical_group_profit_and_its_split(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S1", "S2")
        g.package("S1", "2019-01-01", {CASH: 200000, SHARE_CAPITAL: 200000})
        g.package("S2", "2019-01-01", {CASH: 100000, SHARE_CAPITAL: 100000})
        s1 = g.acquire(
            "P", "S1", "2019-01-01", "0.8", 180000, nci_measurement="fair_value", nci_fair_value="45000"
        )
        s2 = g.acquire(
            "S1", "S2", "2019-01-01", "0.6", 80000, nci_measurement="fair_value", nci_fair_value="60000"
        )
        g.post(f"/acquisitions/{s1['id']}/goodwill-impairments", {"on": "2020-12-31", "amount": "12000"})
        g.post(f"/acquisitions/{s2['id']}/goodwill-impairments", {"on": "2020-12-31", "amount": "16000"})
        g.package(
            "P",
            "2020-12-31",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S1"): 180000,
                CASH: 640000,
                SHARE_CAPITAL: 500000,
                REVENUE: 720000,
                ADMIN_EXPENSE: 400000,
            },
        )
        g.package(
            "S1",
            "2020-12-31",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S2"): 80000,
                CASH: 208000,
                SHARE_CAPITAL: 200000,
                REVENUE: 408000,
                ADMIN_EXPENSE: 320000,
            },
        )
        g.package(
            "S2", "2020-12-31", {CASH: 172000, SHARE_CAPITAL: 100000, REVENUE: 192000, ADMIN_EXPENSE: 120000}
        )

        run = g.run("P", "2020-12-31")

        f = run.figures
        assert (D(s1["goodwill"]), D(s2["goodwill"]), D(s2["acquirer_interest"])) == (25000, 24000, D("0.8"))
        assert {g.ids[n]: D(run.subsidiary(n)["nci_share"]) for n in ("S1", "S2")} == {
            g.ids["S1"]: D("0.2"),
            g.ids["S2"]: D("0.52"),
        }
        assert run.line(REVENUE) == 1320000
        assert run.line(ADMIN_EXPENSE) == 840000
        assert run.line(IMPAIRMENT_LOSS) == 28000
        assert f["profit_for_period"] == 452000
        assert f["profit_attributable_to_parent"] == 407680
        assert f["profit_attributable_to_nci"] == 44320
        assert (
            D(run.subsidiary("S1")["profit_attributable_to_nci"]),
            D(run.subsidiary("S2")["profit_attributable_to_nci"]),
        ) == (15200, 29120)


class TestC11b:
    def test_pear_apple_share_of_profit_after_impairment_and_purp(
        self, client: TestClient, users: Users
    ) -> None:
        # Filler: Pear's books hold the investment at a cost of 2,000,000 and cash; Apple's books its profit.
        g = Group(client, users)
        g.companies("Pear", "Apple")
        apple = g.acquire("Pear", "Apple", "2006-01-01", "0.30", 2000000)
        g.post(f"/acquisitions/{apple['id']}/goodwill-impairments", {"on": "2006-09-30", "amount": "80000"})
        g.package(
            "Pear",
            "2006-09-30",
            {(INVESTMENT_IN_ASSOCIATES, "Apple"): 2000000, CASH: 1000000, SHARE_CAPITAL: 3000000},
        )
        g.package("Apple", "2006-09-30", {CASH: 800000, REVENUE: 800000})
        g.unrealized("Pear", "Apple", "2006-09-30", D(1300000) * D("0.5"), markup_on_cost="0.30")

        run = g.run("Pear", "2006-09-30", period_start="2005-10-01")

        [working] = run.body["associates"]
        assert [s["method"] for s in run.body["scope"] if s["entity_id"] == g.ids["Apple"]] == ["associate"]
        assert D(working["share_of_reported_profit"]) == 180000
        assert D(working["impairment_for_period"]) == 80000
        assert D(working["share_of_unrealized_profit"]) == -45000
        assert D(working["share_of_profit"]) == 55000
        assert run.line(SHARE_OF_ASSOCIATES) == 55000
        assert D(working["carrying_amount"]) == 2055000
        assert run.figures["investment_in_associates"] == 2055000


class TestC11c:
    def test_cas_adjusted_net_profit_with_fair_value_inventory_and_upstream_sale(
        self, client: TestClient, users: Users
    ) -> None:
        # 万元. Filler: the investor's books hold the investment at cost 3,000, the goods bought from the
        # investee (240 at transfer price) and cash; the investee's books its profit of 1,000.
        g = Group(client, users)
        g.companies("I", "Z")
        holding = g.acquire(
            "I",
            "Z",
            "2020-01-01",
            "0.30",
            3000,
            fair_value_adjustments=[{"account_code": INVENTORY, "amount": "100"}],
        )
        g.post(
            f"/acquisitions/{holding['id']}/fair-value-movements",
            {"on": "2020-12-31", "account_code": INVENTORY, "amount": "60"},
        )
        g.package(
            "I",
            "2020-12-31",
            {(INVESTMENT_IN_ASSOCIATES, "Z"): 3000, INVENTORY: 240, CASH: 760, SHARE_CAPITAL: 4000},
        )
        g.package("Z", "2020-12-31", {CASH: 1000, REVENUE: 1000})
        g.unrealized("Z", "I", "2020-12-31", D(600) * D("0.4"), markup_on_cost="0.5")

        run = g.run("I", "2020-12-31")

        [working] = run.body["associates"]
        assert D(working["fair_value_effect"]) == -60
        assert D(working["unrealized_profit_effect"]) == -80
        assert D(working["adjusted_profit"]) == 860
        assert D(working["share_of_profit"]) == 258
        assert run.line(SHARE_OF_ASSOCIATES) == 258
        assert run.line(INVENTORY) == 240 - 24
