"""Single-subsidiary statements of financial position through the HTTP API: C-02, C-04, C-05a, C-05b, C-06,
C-10b (cases.yaml).

Each case is built as the group would record it: companies, reporting packages (trial balances) at the
acquisition date and at the reporting date, the acquisition (its equity at acquisition read from the
acquiree's books on that date, the stake recorded with it), then a run by a controller. Where a case gives
only some balances, the rest of a company's books is a filler that balances them (named in each test); no
published figure depends on it.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.consolidation.consolidation_helpers import (
    CASH,
    GOODWILL,
    INVESTMENT_IN_SUBSIDIARIES,
    PAYABLE,
    PPE,
    RETAINED_EARNINGS,
    SHARE_CAPITAL,
    Group,
)
from tests.conftest import Users


class TestC02:
    def test_p_co_75_percent_of_s_co_with_nci_at_fair_value(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        g.package("S", "2001-01-01", {CASH: 45000, SHARE_CAPITAL: 40000, RETAINED_EARNINGS: 5000})
        acquisition = g.acquire(
            "P", "S", "2001-01-01", "0.75", 60000, nci_measurement="fair_value", nci_fair_value="15000"
        )
        g.package(
            "P",
            "2001-12-31",
            {
                PPE: 50000,
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 60000,
                CASH: 45000,
                SHARE_CAPITAL: 80000,
                RETAINED_EARNINGS: 55000,
                PAYABLE: 20000,
            },
        )
        g.package(
            "S",
            "2001-12-31",
            {PPE: 35000, CASH: 40000, SHARE_CAPITAL: 40000, RETAINED_EARNINGS: 15000, PAYABLE: 20000},
        )

        run = g.run("P", "2001-12-31")

        f = run.figures
        assert (acquisition["goodwill"], acquisition["nci_at_acquisition"]) == ("30000.0000", "15000.0000")
        assert run.line(PPE) == 85000
        assert f["goodwill"] == 30000
        assert run.line(PPE) + run.line(GOODWILL) == 115000
        assert run.line(CASH) == 85000
        assert f["total_assets"] == 200000
        assert run.line(SHARE_CAPITAL) == 80000
        assert f["retained_earnings"] == 62500
        assert f["equity_attributable_to_parent"] == 142500
        assert f["non_controlling_interest"] == 17500
        assert f["total_equity"] == 160000
        assert f["total_liabilities"] == 40000
        assert run.body["status"] == "consolidated"


class TestC04:
    def test_p_acquires_80_percent_on_the_reporting_date(self, client: TestClient, users: Users) -> None:
        # Filler: the case gives S's net assets (900) only; they are held as share capital.
        g = Group(client, users)
        g.companies("P", "S")
        g.package("S", "2001-03-31", {PPE: 750, CASH: 650, PAYABLE: 500, SHARE_CAPITAL: 900})
        acquisition = g.acquire("P", "S", "2001-03-31", "0.8", 1100)
        g.package(
            "P",
            "2001-03-31",
            {
                PPE: 1650,
                CASH: 250,
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 1100,
                SHARE_CAPITAL: 1500,
                RETAINED_EARNINGS: 900,
                PAYABLE: 600,
            },
        )

        run = g.run("P", "2001-03-31", period_start="2000-04-01")

        f = run.figures
        assert (acquisition["goodwill"], acquisition["nci_at_acquisition"]) == ("380.0000", "180.0000")
        assert f["goodwill"] == 380
        assert run.line(PPE) == 2400
        assert run.line(CASH) == 900
        assert f["total_assets"] == 3680
        assert run.line(SHARE_CAPITAL) == 1500
        assert f["retained_earnings"] == 900
        assert f["non_controlling_interest"] == 180
        assert f["total_liabilities"] == 1100


class TestC05:
    def test_c05a_lion(self, client: TestClient, users: Users) -> None:
        g = Group(client, users)
        g.companies("P", "S")
        g.package("S", "2000-01-01", {CASH: 160, SHARE_CAPITAL: 100, RETAINED_EARNINGS: 60})
        g.acquire("P", "S", "2000-01-01", "0.75", 300, nci_measurement="fair_value", nci_fair_value="100")
        g.package(
            "P",
            "2003-12-31",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 300,
                PPE: 500,
                CASH: 150,
                SHARE_CAPITAL: 650,
                RETAINED_EARNINGS: 160,
                PAYABLE: 140,
            },
        )
        g.package(
            "S", "2003-12-31", {PPE: 400, CASH: 100, SHARE_CAPITAL: 100, RETAINED_EARNINGS: 200, PAYABLE: 200}
        )

        run = g.run("P", "2003-12-31")

        f, working = run.figures, run.subsidiary("S")
        assert working["net_assets_at_acquisition"] == "160.0000"
        assert working["net_assets_at_reporting_date"] == "300.0000"
        assert working["post_acquisition"] == "140.0000"
        assert f["goodwill"] == 240
        assert f["non_controlling_interest"] == 135
        assert f["retained_earnings"] == 265
        assert run.line(PPE) == 900
        assert run.line(CASH) == 250
        assert f["total_assets"] == 1390
        assert f["total_equity"] == 1050
        assert f["total_liabilities"] == 340

    def test_c05b_tiger(self, client: TestClient, users: Users) -> None:
        # Filler: the parent holds the investment and cash against its capital; S's net assets are capital 300
        # (its net assets at acquisition) and post-acquisition reserves 200.
        g = Group(client, users)
        g.companies("P", "S")
        g.package("S", "2000-01-01", {CASH: 300, SHARE_CAPITAL: 300})
        g.acquire("P", "S", "2000-01-01", "0.6", 900, nci_measurement="fair_value", nci_fair_value="50")
        g.package("P", "2003-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 900, CASH: 100, SHARE_CAPITAL: 1000})
        g.package("S", "2003-12-31", {CASH: 500, SHARE_CAPITAL: 300, RETAINED_EARNINGS: 200})

        run = g.run("P", "2003-12-31")

        assert run.figures["goodwill"] == 650
        assert run.figures["non_controlling_interest"] == 130
        assert run.subsidiary("S")["parent_share_of_post_acquisition"] == "120.0000"


class TestC06:
    def test_peter_paul_nci_at_fair_value_three_years_on(self, client: TestClient, users: Users) -> None:
        # Filler: Peter's other net assets (cash 36,000) balance its retained earnings; no capital given.
        g = Group(client, users)
        g.companies("Peter", "Paul")
        g.package("Paul", "2009-01-01", {CASH: 156000, SHARE_CAPITAL: 120000, RETAINED_EARNINGS: 36000})
        g.acquire(
            "Peter", "Paul", "2009-01-01", "0.7", 120000, nci_measurement="fair_value", nci_fair_value="96000"
        )
        g.package(
            "Peter",
            "2011-12-31",
            {(INVESTMENT_IN_SUBSIDIARIES, "Paul"): 120000, CASH: 36000, RETAINED_EARNINGS: 156000},
        )
        g.package("Paul", "2011-12-31", {CASH: 196800, SHARE_CAPITAL: 120000, RETAINED_EARNINGS: 76800})

        run = g.run("Peter", "2011-12-31")

        assert run.figures["non_controlling_interest"] == 108240
        assert run.figures["goodwill"] == 60000
        assert run.figures["retained_earnings"] == 184560


class TestC10b:
    def test_wholly_owned_bought_during_a_july_to_june_year(self, client: TestClient, users: Users) -> None:
        # Filler: parent capital 1,000,000 and cash balancing its books; S holds its equity as cash.
        g = Group(client, users)
        g.companies("P", "S")
        g.package("S", "2019-10-01", {CASH: 710000, SHARE_CAPITAL: 200000, RETAINED_EARNINGS: 510000})
        acquisition = g.acquire("P", "S", "2019-10-01", "1", 1000000)
        g.package(
            "P",
            "2020-06-30",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 1000000,
                CASH: 1153000,
                SHARE_CAPITAL: 1000000,
                RETAINED_EARNINGS: 1153000,
            },
        )
        g.package("S", "2020-06-30", {CASH: 955000, SHARE_CAPITAL: 200000, RETAINED_EARNINGS: 755000})

        run = g.run("P", "2020-06-30", period_start="2019-07-01")

        assert acquisition["goodwill"] == "290000.0000"
        assert run.figures["goodwill"] == 290000
        assert run.figures["retained_earnings"] == 1398000
        assert run.figures["non_controlling_interest"] == 0
        assert run.body["period_start"] == "2019-07-01"
