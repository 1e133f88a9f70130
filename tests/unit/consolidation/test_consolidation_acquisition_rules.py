"""Acquisition rules beyond the published cases: pre-acquisition results, impairment split, negative NCI,
step acquisitions, carried-forward adjustments."""

from datetime import date

import pytest

from app.consolidation.domain import (
    Acquisition,
    AdjustmentLine,
    GroupAdjustment,
    Impairment,
    consolidate,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    ADMIN_EXPENSE,
    CASH,
    GOODWILL,
    IMPAIRMENT_LOSS,
    INVESTMENT_IN_SUBSIDIARIES,
    INVESTMENT_INCOME,
    PAYABLE,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
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


class TestAcquisitionRules:
    def test_results_before_control_are_time_apportioned_by_months(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 1360, CASH: 640, SHARE_CAPITAL: 2000})
        s = books(
            "S", {CASH: 1900, SHARE_CAPITAL: 1000, RETAINED_EARNINGS: 500, REVENUE: 1000, ADMIN_EXPENSE: 600}
        )
        acquisition = _buy(
            "0.8", 1360, 0, on=date(2020, 7, 1), equity={SHARE_CAPITAL: D(1000), RETAINED_EARNINGS: D(700)}
        )

        result = _run(p, s, acquisition, "0.8")

        assert result.line(REVENUE) == 500
        assert result.line(ADMIN_EXPENSE) == 300
        assert result.figures.goodwill == 0
        assert result.figures.non_controlling_interest == 380
        assert result.figures.profit_attributable_to_nci == 40

    @pytest.mark.parametrize(("method", "nci_loss"), [("proportionate", 0), ("fair_value", 40)])
    def test_goodwill_impairment_is_shared_only_under_the_fair_value_method(self, method, nci_loss):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 1000, SHARE_CAPITAL: 1000})
        s = books("S", {CASH: 1000, SHARE_CAPITAL: 1000})
        acquisition = _buy(
            "0.8",
            1000,
            1000,
            nci_measurement=method,
            nci_fair_value=D(250),
            goodwill_impairments=(
                Impairment(date(2020, 6, 30), D(200)),
                Impairment(date(2019, 6, 30), D(10)),
            ),
        )

        result = _run(p, s, acquisition, "0.8")

        assert result.line(IMPAIRMENT_LOSS) == 200
        assert result.figures.profit_attributable_to_nci == -nci_loss
        assert result.figures.goodwill == (200 if method == "proportionate" else 250) - 210

    def test_nci_may_be_negative(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 60, CASH: 40, SHARE_CAPITAL: 100})
        s = books("S", {CASH: 100, PAYABLE: 400, SHARE_CAPITAL: 100, ADMIN_EXPENSE: 400})

        result = _run(p, s, _buy("0.6", 60, 100), "0.6")

        assert result.figures.non_controlling_interest == -120
        assert result.figures.total_assets == result.figures.total_liabilities + result.figures.total_equity

    def test_previously_held_interest_is_remeasured_through_profit(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 1000, SHARE_CAPITAL: 1000})
        s = books("S", {CASH: 1000, SHARE_CAPITAL: 1000})
        acquisition = _buy(
            "1",
            800,
            1000,
            on=START,
            previously_held_fair_value=D(300),
            previously_held_carrying_amount=D(200),
        )

        result = _run(p, s, acquisition, "1")

        assert result.line(INVESTMENT_INCOME) == 100
        assert result.figures.goodwill == 100
        assert result.consolidated

    def test_a_carried_forward_adjustment_restates_its_profit_in_reserves(self):
        p = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 100, CASH: 900, SHARE_CAPITAL: 1000})
        s = books("S", {CASH: 100, SHARE_CAPITAL: 100})
        alignment = GroupAdjustment(
            "G1",
            date(2019, 12, 31),
            "S",
            "policy alignment",
            (AdjustmentLine(ADMIN_EXPENSE, debit=D(30)), AdjustmentLine(CASH, credit=D(30))),
            carry_forward=True,
        )

        result = _run(p, s, _buy("0.5", 100, 100), "0.5", adjustments=[alignment])

        assert result.line(ADMIN_EXPENSE) == 0
        assert result.figures.retained_earnings == -15
        assert result.figures.non_controlling_interest == 35
        assert result.line(GOODWILL) == 50
