"""Foreign currency translation through the HTTP API: C-15b (capital kept at historical rates, Allen White
6.5), C-15c (a fair-value depreciation booked in the foreign currency, 6.6) and C-15d (CIMA May 2011: an 80%
foreign subsidiary with fair-value NCI and a 40% associate) (cases.yaml).

Rates are recorded as the ledger keeps them (1 unit of `currency` = `rate` units of `quote_currency`); the
CIMA case quotes B$ per A$, so its rates are recorded A$ -> B$ and the ledger answers the inverse. A foreign
company's equity at historical rates comes from its history in the ledger: its books at the acquisition
date (the combination's equity, at that date's rate) and its later entries at the rates of their dates.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.consolidation.consolidation_helpers import (
    ACCUMULATED_DEPRECIATION,
    ADMIN_EXPENSE,
    CASH,
    COST_OF_SALES,
    CTA,
    INCOME_TAX,
    INVESTMENT_IN_ASSOCIATES,
    INVESTMENT_IN_SUBSIDIARIES,
    OCI,
    PAYABLE,
    PPE,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
    Group,
    unit,
)
from tests.conftest import Users


@pytest.fixture
def c15b(client: TestClient, users: Users) -> Group:
    """S (CUR) issues 100 of capital to P (EUR) at 1.6 in year 1 and 20 more at 1.55 in year 4. Filler: S
    holds its capital as cash; the average rates equal the closing ones (S has no results)."""
    g = Group(client, users)
    g.company("P", currency="EUR")
    g.company("S", currency="CUR")
    g.rate("CUR", "EUR", "historical", "2001-01-01", "1.6")
    for year, rate in zip((2001, 2002, 2003, 2004), ("1.5", "1.7", "1.8", "1.4"), strict=True):
        g.rate("CUR", "EUR", "closing", f"{year}-12-31", rate)
        g.rate("CUR", "EUR", "average", f"{year}-12-31", rate)
    g.rate("CUR", "EUR", "historical", "2004-06-30", "1.55")
    g.package("S", "2001-01-01", {CASH: 100, SHARE_CAPITAL: 100})
    g.acquire("P", "S", "2001-01-01", "1", 100)
    g.package("P", "2001-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 160, SHARE_CAPITAL: 160})
    g.entry("S", "2004-06-30", (CASH, "20", None), (SHARE_CAPITAL, None, "20"))
    g.package("P", "2004-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 191, CASH: -31, SHARE_CAPITAL: 160})
    return g


class TestC15b:
    def test_capital_at_historical_rates_and_its_translation_reserve(self, c15b: Group) -> None:
        """Published per year: capital at closing, at historical, the year's adjustment (the exchange
        difference with the opposite sign) and the cumulative translation reserve on capital."""
        expected = {
            2001: (150, 160, 10, -10),
            2002: (170, 160, -20, 10),
            2003: (180, 160, -10, 20),
            2004: (168, 191, 40 + 3, -23),
        }

        runs = {year: c15b.run("P", f"{year}-12-31") for year in expected}

        for year, (at_closing, at_historical, adjustment, cumulative) in expected.items():
            [working] = runs[year].body["translations"]
            assert D(working["closing_net_assets"]) == at_closing, year
            assert D(working["closing_net_assets"]) - D(working["translation_reserve"]) == at_historical, year
            assert D(working["translation_reserve"]) == cumulative, year
            assert D(working["exchange_difference"]) == -adjustment, year
        assert runs[2003].line(CASH) == 180
        assert runs[2004].line(CASH) == 168 - 31  # P paid 31 EUR for the new shares

    def test_year4_capital_increase_is_not_an_event_yet(self, c15b: Group) -> None:
        """The 20 issued in year 4 is not eliminated against P's further investment (31): a capital increase
        in a subsidiary is not yet an event of the API, so the run lists the investment as a difference."""
        run = c15b.run("P", "2004-12-31")

        assert run.body["status"] == "unreconciled"
        [difference] = run.body["intercompany_differences"]
        assert (difference["kind"], D(difference["difference"])) == ("investment", 31)


@pytest.fixture
def c15c(client: TestClient, users: Users) -> Group:
    """An uplift of 1,000 CUR on a 10-year asset of S, acquired at the start of year 1. Filler: S's books
    (cash 1,000 = capital), its price (2,000 CUR: no goodwill) and the acquisition-date rate 1.6."""
    g = Group(client, users)
    g.company("P", currency="EUR")
    g.company("S", currency="CUR")
    g.rate("CUR", "EUR", "historical", "2001-01-01", "1.6")
    for on, closing, average in (("2001-12-31", "1.5", "1.4"), ("2002-12-31", "1.2", "1.3")):
        g.rate("CUR", "EUR", "closing", on, closing)
        g.rate("CUR", "EUR", "average", on, average)
    g.package("S", "2001-01-01", {CASH: 1000, SHARE_CAPITAL: 1000})
    g.acquire(
        "P",
        "S",
        "2001-01-01",
        "1",
        2000,
        fair_value_adjustments=[{"account_code": PPE, "amount": "1000", "useful_life_months": 120}],
    )
    g.package("P", "2001-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 3200, SHARE_CAPITAL: 3200})
    return g


class TestC15c:
    def test_year1(self, c15c: Group) -> None:
        run = c15c.run("P", "2001-12-31")

        assert run.journal("fair_value_depreciation") == {
            ADMIN_EXPENSE: 140,
            ACCUMULATED_DEPRECIATION: -150,
            CTA: 10,
        }
        assert run.figures["goodwill"] == 0
        assert run.body["status"] == "consolidated"

    def test_year2(self, c15c: Group) -> None:
        run = c15c.run("P", "2002-12-31")

        assert run.journal("fair_value_depreciation") == {
            ADMIN_EXPENSE: 130,
            RETAINED_EARNINGS: 140,
            ACCUMULATED_DEPRECIATION: -240,
            CTA: -30,
        }


@pytest.fixture
def c15d(client: TestClient, users: Users) -> Group:
    """A$000. A holds 80% of B (B$, fair-value NCI) since 1 Oct 2007 and 40% of associate C. B's reserves
    grew from 1,800 to 2,930 before 30 Sep 2009; with no rates for those years the package of that date
    carries them at its closing rate (no published figure depends on it). Filler: C's capital 500."""
    g = Group(client, users)
    g.company("A", currency="AUD")
    g.company("B", currency="BND")
    g.company("C", currency="AUD")
    g.rate("AUD", "BND", "historical", "2007-10-01", "0.50")
    g.rate("AUD", "BND", "closing", "2009-09-30", "0.71")
    g.rate("AUD", "BND", "average", "2010-09-30", "0.65")
    g.rate("AUD", "BND", "closing", "2010-09-30", "0.63")
    g.package("B", "2007-10-01", {PPE: 2800, SHARE_CAPITAL: 1000, RETAINED_EARNINGS: 1800})
    g.package("C", "2007-10-01", {CASH: 1200, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 700})
    g.acquire("A", "B", "2007-10-01", "0.8", 2600, nci_measurement="fair_value", nci_fair_value="600")
    g.acquire("A", "C", "2007-10-01", "0.4", 900)
    g.package("B", "2009-09-30", {PPE: 3930, SHARE_CAPITAL: 1000, RETAINED_EARNINGS: 2930})
    g.package("C", "2009-09-30", {CASH: 1530, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 1030})
    g.package(
        "B",
        "2010-09-30",
        {
            PPE: 4000,
            CASH: 2000,
            PAYABLE: 1500,
            SHARE_CAPITAL: 1000,
            RETAINED_EARNINGS: 2930,
            OCI: 120,
            REVENUE: 2200,
            COST_OF_SALES: 1600,
            INCOME_TAX: 150,
        },
    )
    g.package(
        "C", "2010-09-30", {CASH: 2000, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 1030, OCI: 70, REVENUE: 400}
    )
    g.package(
        "A",
        "2010-09-30",
        {
            PPE: 7000,
            CASH: 3000,
            PAYABLE: 2000,
            (INVESTMENT_IN_SUBSIDIARIES, "B"): 5200,
            (INVESTMENT_IN_ASSOCIATES, "C"): 900,
            SHARE_CAPITAL: 2000,
            RETAINED_EARNINGS: 11200,
            OCI: 200,
            REVENUE: 4600,
            COST_OF_SALES: 3700,
            INCOME_TAX: 200,
        },
    )
    return g


class TestC15d:
    def test_goodwill_translation_and_comprehensive_income(self, c15d: Group) -> None:
        run = c15d.run("A", "2010-09-30", period_start="2009-10-01")

        [goodwill], [working] = run.body["goodwill"], run.body["translations"]
        income, f = run.body["comprehensive_income"], run.figures
        # goodwill worked in B$ and retranslated
        assert D(goodwill["computation"]["goodwill"]) == 400
        assert unit(goodwill["at_acquisition"]) == 800
        assert unit(goodwill["opening_carrying_amount"]) == 563
        assert unit(D(goodwill["opening_carrying_amount"]) - D(goodwill["at_acquisition"])) == -237
        assert unit(goodwill["exchange_difference_for_period"]) == 72
        assert unit(goodwill["carrying_amount"]) == 635
        # exchange difference on net assets
        assert unit(working["closing_net_assets"]) == 7143
        assert unit(working["opening_net_assets"]) == 5535
        assert unit(working["comprehensive_income_at_average"]) == 877
        assert unit(working["exchange_difference"]) == 731
        # statement of comprehensive income
        assert unit(run.line(REVENUE)) == 7985
        assert unit(run.line(COST_OF_SALES)) == 6162
        assert unit(run.body["associates"][0]["share_of_profit"]) == 160
        assert unit(f["profit_for_period"] + run.line(INCOME_TAX)) == 1983
        assert unit(run.line(INCOME_TAX)) == 431
        assert unit(f["profit_for_period"]) == 1552
        assert unit(income["companies_oci"]) == 385
        assert unit(income["share_of_associates_oci"]) == 28
        assert unit(f["profit_attributable_to_parent"]) == 1414
        assert unit(f["profit_attributable_to_nci"]) == 138
        assert unit(income["attributable_to_nci"]) == 336
        # the answer adds rounded parts: 731 + 72 = 803 where the exact total is 802.26, so its OCI (1,216),
        # TCI (2,768) and the parent's TCI (2,432) are one unit above the exact figures
        assert unit(income["exchange_differences"]) == 802
        assert abs(unit(income["other_comprehensive_income"]) - 1216) <= 1
        assert abs(unit(income["total_comprehensive_income"]) - 2768) <= 1
        assert abs(unit(income["attributable_to_parent"]) - 2432) <= 1

    def test_statement_of_financial_position(self, c15d: Group) -> None:
        run = c15d.run("A", "2010-09-30", period_start="2009-10-01")

        f = run.figures
        assert unit(run.line(PPE)) == 13349
        assert unit(f["goodwill"]) == 635
        assert unit(f["investment_in_associates"]) == 1220
        assert unit(run.line(CASH)) == 6175
        assert unit(f["total_assets"]) == 21379
        assert run.line(SHARE_CAPITAL) == 2000
        assert unit(f["equity_attributable_to_parent"] - 2000) == 13522
        assert unit(f["non_controlling_interest"]) == 1476
        assert unit(f["total_equity"]) == 16998
        assert unit(f["total_liabilities"]) == 4381
        assert run.body["status"] == "consolidated"
