"""Engine rules beyond the published cases: input checks, dividends, intercompany matching, unrealised
profit shared with the NCI, trial-balance conversion."""

from datetime import date
from decimal import Decimal

import pytest

from app.consolidation.domain import (
    AccountInfo,
    Acquisition,
    ConsolidationInputError,
    ConsolidationPolicy,
    FxRate,
    MissingAccountRoleError,
    MissingExchangeRateError,
    TrialBalanceLine,
    UnrealizedProfit,
    books_from_trial_balance,
    consolidate,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    ADMIN_EXPENSE,
    CASH,
    COST_OF_SALES,
    INVENTORY,
    INVESTMENT_IN_SUBSIDIARIES,
    INVESTMENT_INCOME,
    PAYABLE,
    RECEIVABLE,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
    associate,
    books,
    parent_entry,
    subsidiary,
)

END, START = date(2020, 12, 31), date(2020, 1, 1)


def _buy(share: str, cost: int, capital: int, **extra) -> Acquisition:
    return Acquisition(
        id="A",
        acquirer="P",
        acquiree="S",
        acquired_on=extra.pop("on", date(2019, 1, 1)),
        share=D(share),
        consideration=D(cost),
        equity_at_acquisition=extra.pop("equity", {SHARE_CAPITAL: D(capital)}),
        **extra,
    )


def _run(p, s, acquisition, share, **kwargs):
    return consolidate(
        parent="P",
        as_of=END,
        period_start=START,
        presentation_currency="CNY",
        accounts=kwargs.pop("accounts", ACCOUNTS),
        books=[p, s],
        scope=[parent_entry("P"), subsidiary("S", share)],
        acquisitions=[acquisition],
        **kwargs,
    )


class TestInputChecks:
    def test_every_violation_is_reported_at_once(self):
        p = books("P", {CASH: 100, SHARE_CAPITAL: 90})
        stray = Acquisition(
            "X", "Q", "S", date(2021, 1, 1), D("0.5"), D(1), {CASH: D(1)}, nci_measurement="fair_value"
        )

        with pytest.raises(ConsolidationInputError) as caught:
            consolidate(
                parent="P",
                as_of=END,
                period_start=START,
                presentation_currency="CNY",
                accounts=ACCOUNTS,
                books=[p],
                scope=[parent_entry("P"), subsidiary("S", "0.5")],
                acquisitions=[stray],
            )

        codes = {v.code for v in caught.value.violations}
        assert codes == {
            "books",
            "books-unbalanced",
            "acquirer-not-member",
            "acquisition-after-date",
            "nci-fair-value-missing",
            "equity-at-acquisition",
        }

    def test_unrealized_profit_with_an_associate_needs_its_equity_method_record(self):
        p = books("P", {CASH: 100, SHARE_CAPITAL: 100})
        urp = UnrealizedProfit("U", END, seller="P", buyer="Z", unrealized_profit=D(5))

        with pytest.raises(ConsolidationInputError) as caught:
            consolidate(
                parent="P",
                as_of=END,
                period_start=START,
                presentation_currency="CNY",
                accounts=ACCOUNTS,
                books=[p],
                scope=[parent_entry("P"), associate("Z", "0.3")],
                unrealized_profits=[urp],
            )

        assert [v.code for v in caught.value.violations] == ["urp-associate-missing"]

    def test_missing_rates_are_listed_together(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 10, SHARE_CAPITAL: 10})
        s = books(
            "S", {CASH: 10, SHARE_CAPITAL: 10}, currency="USD", equity_at_historical={SHARE_CAPITAL: 10}
        )

        with pytest.raises(MissingExchangeRateError) as caught:
            _run(p, s, _buy("1", 10, 10), "1", fx_rates=[FxRate("USD", "closing", END, D(7))])

        assert {v.message for v in caught.value.violations} == {
            "no average rate for USD on 2020-12-31",
            "no closing rate for USD on 2019-01-01",
        }

    def test_chart_without_an_nci_account_is_refused(self):
        chart = [a if a.role != "nci" else AccountInfo(a.code, a.type, a.normal_side) for a in ACCOUNTS]
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 10, CASH: 90, SHARE_CAPITAL: 100})
        s = books("S", {CASH: 20, SHARE_CAPITAL: 20})

        with pytest.raises(MissingAccountRoleError):
            _run(p, s, _buy("0.5", 10, 20), "0.5", accounts=chart)


class TestIntercompany:
    def test_dividend_from_a_subsidiary_leaves_group_profit_and_reduces_nci(self):
        p = books(
            "P",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 800,
                CASH: 280,
                SHARE_CAPITAL: 1000,
                (INVESTMENT_INCOME, "S"): 80,
            },
        )
        s = books("S", {CASH: 1000, SHARE_CAPITAL: 1000, RETAINED_EARNINGS: -100, REVENUE: 100})

        result = _run(p, s, _buy("0.8", 800, 1000), "0.8")

        assert result.line(INVESTMENT_INCOME) == 0
        assert result.figures.profit_for_period == 100
        assert result.figures.profit_attributable_to_nci == 20
        assert result.figures.non_controlling_interest == 200
        assert result.figures.equity_attributable_to_parent == 1000 + 80

    def test_interest_is_matched_and_a_mismatch_within_tolerance_goes_to_the_difference_account(self):
        p = books(
            "P",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 100,
                (RECEIVABLE, "S"): 50,
                (REVENUE, "S"): 10,
                CASH: 860,
                SHARE_CAPITAL: 1000,
            },
        )
        s = books(
            "S", {CASH: "140.01", (PAYABLE, "P"): "50.01", SHARE_CAPITAL: 100, (COST_OF_SALES, "P"): 10}
        )
        policy = ConsolidationPolicy(intercompany_tolerance=D("0.05"), difference_account=ADMIN_EXPENSE)

        result = _run(p, s, _buy("1", 100, 100), "1", policy=policy)

        assert result.line(RECEIVABLE) == 0
        assert result.line(PAYABLE) == 0
        assert result.line(REVENUE) == 0
        assert result.line(ADMIN_EXPENSE) == D("-0.01")
        assert result.consolidated

    def test_a_mismatch_beyond_tolerance_stays_and_is_listed(self):
        p = books(
            "P",
            {(INVESTMENT_IN_SUBSIDIARIES, "S"): 100, (RECEIVABLE, "S"): 50, CASH: 850, SHARE_CAPITAL: 1000},
        )
        s = books("S", {CASH: 140, (PAYABLE, "P"): 40, SHARE_CAPITAL: 100})

        result = _run(p, s, _buy("1", 100, 100), "1")

        assert not result.consolidated
        assert [
            (d.entity_amount, d.counterparty_amount, d.difference) for d in result.intercompany_differences
        ] == [(50, -40, 10)]
        assert result.line(RECEIVABLE) == 50


class TestUnrealizedProfit:
    def _books(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 600, INVENTORY: 400, SHARE_CAPITAL: 1000})
        s = books("S", {CASH: 1500, SHARE_CAPITAL: 1000, (REVENUE, "P"): 500})
        return p, s

    def test_upstream_profit_is_shared_with_the_sellers_nci(self):
        p, s = self._books()
        urp = UnrealizedProfit("U", END, seller="S", buyer="P", unrealized_profit=D(100))

        result = _run(p, s, _buy("0.6", 600, 1000), "0.6", unrealized_profits=[urp])

        assert result.figures.profit_for_period == 400
        assert result.figures.profit_attributable_to_nci == 160
        assert result.line(INVENTORY) == 300
        assert result.line(COST_OF_SALES) == -400

    def test_last_periods_profit_is_released_through_cost_of_sales(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 600, CASH: 400, SHARE_CAPITAL: 1000})
        s = books("S", {CASH: 1000, SHARE_CAPITAL: 1000})
        opening = UnrealizedProfit("U0", date(2019, 12, 31), seller="S", buyer="P", unrealized_profit=D(50))

        result = _run(p, s, _buy("0.6", 600, 1000), "0.6", unrealized_profits=[opening])

        assert result.line(COST_OF_SALES) == -50
        assert result.figures.profit_attributable_to_nci == 20
        assert result.line(RETAINED_EARNINGS) == -30
        assert result.figures.retained_earnings == 0
        assert result.figures.non_controlling_interest == 400


def test_books_from_trial_balance_signs_by_account_type():
    lines = [
        TrialBalanceLine(CASH, debit=D(100)),
        TrialBalanceLine(RECEIVABLE, debit=D(20), counterparty="S"),
        TrialBalanceLine(SHARE_CAPITAL, credit=D(100)),
        TrialBalanceLine(REVENUE, credit=D(50)),
        TrialBalanceLine(ADMIN_EXPENSE, debit=D(30)),
    ]

    result = books_from_trial_balance(entity="P", currency="CNY", lines=lines, accounts=ACCOUNTS)

    assert result.balances == {
        (CASH, None): 100,
        (RECEIVABLE, "S"): 20,
        (SHARE_CAPITAL, None): 100,
        (REVENUE, None): 50,
        (ADMIN_EXPENSE, None): 30,
    }
    assert Decimal(0) not in result.balances.values()
