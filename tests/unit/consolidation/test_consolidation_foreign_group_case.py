"""A foreign subsidiary and an associate: C-15d (CIMA Financial Management May 2011 Q6 answer, A$000).

Rates in the cases are quoted as foreign units per presentation unit (B$ 0.71 per A$); the engine multiplies,
so the tests pass their reciprocals.
"""

from datetime import date
from decimal import Decimal

from app.consolidation.domain import (
    Acquisition,
    Associate,
    FxRate,
    consolidate,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    CASH,
    COST_OF_SALES,
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
    associate,
    books,
    parent_entry,
    subsidiary,
    unit,
)


def per(quote: str) -> Decimal:
    """Presentation units per foreign unit from a 'foreign per presentation' quote."""
    return Decimal(1) / D(quote)


class TestC15d:
    """A$000. A holds 80% of B (B$, fair-value NCI) and 40% of associate C. B's reserves from acquisition to
    30/9/2009 (1,130 B$) are carried at 0.71 for want of their historical rates; no published figure
    depends on that choice (it only moves amounts between retained earnings and the translation reserve)."""

    def _run(self):
        parent = books(
            "A",
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
            currency="A$",
            oci={OCI: 200},
        )
        reserves = D(3600) + D(1130) * per("0.71")
        foreign = books(
            "B",
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
            currency="B$",
            oci={OCI: 120},
            opening_cta=D(3930) * per("0.71") - 2000 - reserves,
            equity_at_historical={
                SHARE_CAPITAL: D(2000),
                RETAINED_EARNINGS: reserves,
                OCI: D(120) * per("0.65"),
            },
        )
        acquisition = Acquisition(
            id="AB",
            acquirer="A",
            acquiree="B",
            acquired_on=date(2007, 10, 1),
            share=D("0.8"),
            consideration=D(2600),
            equity_at_acquisition={SHARE_CAPITAL: D(1000), RETAINED_EARNINGS: D(1800)},
            nci_measurement="fair_value",
            nci_fair_value=D(600),
        )
        holding = Associate(
            id="AC",
            investor="A",
            investee="C",
            share=D("0.4"),
            acquired_on=date(2007, 10, 1),
            cost=D(900),
            profit_for_period=D(400),
            oci_for_period=D(70),
            post_acquisition_change_before_period=D(1500 - 700 - 470),
        )
        rates = [
            FxRate("B$", "historical", date(2007, 10, 1), per("0.50")),
            FxRate("B$", "closing", date(2009, 9, 30), per("0.71")),
            FxRate("B$", "average", date(2010, 9, 30), per("0.65")),
            FxRate("B$", "closing", date(2010, 9, 30), per("0.63")),
        ]
        return consolidate(
            parent="A",
            as_of=date(2010, 9, 30),
            period_start=date(2009, 10, 1),
            presentation_currency="A$",
            accounts=ACCOUNTS,
            books=[parent, foreign],
            scope=[parent_entry("A"), subsidiary("B", "0.8"), associate("C", "0.4")],
            acquisitions=[acquisition],
            associates=[holding],
            fx_rates=rates,
        )

    def test_goodwill_in_the_foreign_currency_retranslated(self):
        goodwill = self._run().goodwill[0]

        assert goodwill.computation.goodwill == 400
        assert unit(goodwill.at_acquisition) == 800
        assert unit(goodwill.opening_carrying_amount) == 563
        assert unit(goodwill.opening_carrying_amount - goodwill.at_acquisition) == -237
        assert unit(goodwill.exchange_difference_for_period) == 72
        assert unit(goodwill.carrying_amount) == 635

    def test_exchange_difference_on_net_assets(self):
        working = self._run().translations[0]

        assert unit(working.closing_net_assets) == 7143
        assert unit(working.opening_net_assets) == 5535
        assert unit(working.comprehensive_income_at_average) == 877
        assert unit(working.exchange_difference) == 731

    def test_statement_of_comprehensive_income(self):
        result = self._run()

        income, f = result.comprehensive_income, result.figures
        assert unit(result.line(REVENUE)) == 7985
        assert unit(result.line(COST_OF_SALES)) == 6162
        assert unit(result.associates[0].share_of_profit) == 160
        assert unit(f.profit_for_period + result.line(INCOME_TAX)) == 1983
        assert unit(result.line(INCOME_TAX)) == 431
        assert unit(f.profit_for_period) == 1552
        assert unit(income.companies_oci) == 385
        assert unit(income.share_of_associates_oci) == 28
        assert unit(f.profit_attributable_to_parent) == 1414
        assert unit(f.profit_attributable_to_nci) == 138
        assert unit(income.attributable_to_nci) == 336

    def test_published_oci_totals_are_sums_of_rounded_parts(self):
        """The answer adds rounded parts: 731 + 72 = 803 where the exact total is 802.26 (730.73 + 71.54), so
        the OCI (1,216), TCI (2,768) and the parent's TCI (2,432) are one unit above the exact figures."""
        income = self._run().comprehensive_income

        assert abs(unit(income.exchange_differences) - 803) <= 1
        assert abs(unit(income.other_comprehensive_income) - 1216) <= 1
        assert abs(unit(income.total_comprehensive_income) - 2768) <= 1
        assert abs(unit(income.attributable_to_parent) - 2432) <= 1
        assert unit(income.exchange_differences) == 802

    def test_statement_of_financial_position(self):
        result = self._run()

        f = result.figures
        assert unit(result.line(PPE)) == 13349
        assert unit(f.goodwill) == 635
        assert unit(f.investment_in_associates) == 1220
        assert unit(result.line(CASH)) == 6175
        assert unit(f.total_assets) == 21379
        assert result.line(SHARE_CAPITAL) == 2000
        assert unit(f.equity_attributable_to_parent - 2000) == 13522
        assert unit(f.non_controlling_interest) == 1476
        assert unit(f.total_equity) == 16998
        assert unit(f.total_liabilities) == 4381
