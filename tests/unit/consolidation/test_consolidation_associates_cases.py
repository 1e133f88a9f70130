"""Equity method: C-11b (Kaplan Pear/Apple) and C-11c (CAS adjusted net profit), plus associate rules."""

from datetime import date

from app.consolidation.domain import (
    Acquisition,
    Associate,
    FairValueAdjustment,
    FairValueMovement,
    Impairment,
    UnrealizedProfit,
    consolidate,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    CASH,
    INVENTORY,
    INVESTMENT_IN_ASSOCIATES,
    INVESTMENT_IN_SUBSIDIARIES,
    INVESTMENT_INCOME,
    RETAINED_EARNINGS,
    SHARE_CAPITAL,
    SHARE_OF_ASSOCIATES,
    D,
    associate,
    books,
    parent_entry,
    subsidiary,
)


class TestC11b:
    def test_pear_apple_share_of_profit_after_impairment_and_purp(self):
        # Filler: Pear's books hold the investment at a cost of 2,000,000 and cash; the case gives no more.
        pear = books(
            "Pear", {(INVESTMENT_IN_ASSOCIATES, "Apple"): 2000000, CASH: 1000000, SHARE_CAPITAL: 3000000}
        )
        apple = Associate(
            id="AS1",
            investor="Pear",
            investee="Apple",
            share=D("0.30"),
            acquired_on=date(2006, 1, 1),
            cost=D(2000000),
            profit_for_period=D(800000),
            impairments=(Impairment(date(2006, 9, 30), D(80000)),),
        )
        downstream = UnrealizedProfit(
            id="U1",
            as_of=date(2006, 9, 30),
            seller="Pear",
            buyer="Apple",
            inventory_at_transfer_price=D(1300000) * D("0.5"),
            markup_on_cost=D("0.30"),
        )

        result = consolidate(
            parent="Pear",
            as_of=date(2006, 9, 30),
            period_start=date(2005, 10, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[pear],
            scope=[parent_entry("Pear"), associate("Apple", "0.30")],
            associates=[apple],
            unrealized_profits=[downstream],
        )

        working = result.associates[0]
        assert working.share_of_reported_profit == 180000
        assert working.impairment_for_period == 80000
        assert working.share_of_unrealized_profit == -45000
        assert working.share_of_profit == 55000
        assert result.line(SHARE_OF_ASSOCIATES) == 55000
        assert working.carrying_amount == 2055000
        assert result.figures.investment_in_associates == 2055000


class TestC11c:
    def test_cas_adjusted_net_profit_with_fair_value_inventory_and_upstream_sale(self):
        # 万元. Filler: the investor's books hold the investment at cost 3,000, the goods bought from the
        # investee (240 at transfer price) and cash.
        investor = books(
            "I",
            {
                (INVESTMENT_IN_ASSOCIATES, "Z"): 3000,
                INVENTORY: 240,
                CASH: 760,
                SHARE_CAPITAL: 4000,
            },
        )
        investee = Associate(
            id="AS1",
            investor="I",
            investee="Z",
            share=D("0.30"),
            acquired_on=date(2020, 1, 1),
            cost=D(3000),
            profit_for_period=D(1000),
            fair_value_adjustments=(FairValueAdjustment(INVENTORY, D(100)),),
            fair_value_movements=(FairValueMovement(date(2020, 12, 31), INVENTORY, D(60)),),
        )
        upstream = UnrealizedProfit(
            id="U1",
            as_of=date(2020, 12, 31),
            seller="Z",
            buyer="I",
            inventory_at_transfer_price=D(600) * D("0.4"),
            markup_on_cost=D("0.5"),
        )

        result = consolidate(
            parent="I",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[investor],
            scope=[parent_entry("I"), associate("Z", "0.30")],
            associates=[investee],
            unrealized_profits=[upstream],
        )

        working = result.associates[0]
        assert working.fair_value_effect == -60
        assert working.unrealized_profit_effect == -80
        assert working.adjusted_profit == 860
        assert working.share_of_profit == 258
        assert result.line(SHARE_OF_ASSOCIATES) == 258
        assert result.line(INVENTORY) == 240 - 24


class TestEquityMethodRules:
    def test_prior_reserves_oci_and_dividends_move_the_carrying_amount(self):
        investor = books(
            "P",
            {
                (INVESTMENT_IN_ASSOCIATES, "Z"): 900,
                CASH: 140,
                SHARE_CAPITAL: 1000,
                (INVESTMENT_INCOME, "Z"): 40,
            },
        )
        holding = Associate(
            id="AS1",
            investor="P",
            investee="Z",
            share=D("0.4"),
            acquired_on=date(2018, 1, 1),
            cost=D(900),
            profit_for_period=D(400),
            post_acquisition_change_before_period=D(330),
            oci_for_period=D(70),
            dividends_for_period=D(100),
        )

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[investor],
            scope=[parent_entry("P"), associate("Z", "0.4")],
            associates=[holding],
        )

        assert result.associates[0].carrying_amount == 900 + 132 + 160 + 28 - 40
        assert result.line(INVESTMENT_INCOME) == 0
        assert result.line(SHARE_OF_ASSOCIATES) == 160
        assert result.figures.retained_earnings == 132 + 160
        assert result.comprehensive_income.share_of_associates_oci == 28

    def test_associate_held_by_a_partly_owned_subsidiary_shares_with_its_nci(self):
        parent = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 600, CASH: 400, SHARE_CAPITAL: 1000})
        sub = books("S", {(INVESTMENT_IN_ASSOCIATES, "Z"): 500, CASH: 500, SHARE_CAPITAL: 1000})
        holding = Associate(
            id="AS1",
            investor="S",
            investee="Z",
            share=D("0.25"),
            acquired_on=date(2020, 1, 1),
            cost=D(500),
            profit_for_period=D(400),
        )

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[parent, sub],
            scope=[parent_entry("P"), subsidiary("S", "0.6"), associate("Z", "0.25")],
            acquisitions=[
                Acquisition("A", "P", "S", date(2020, 1, 1), D("0.6"), D(600), {SHARE_CAPITAL: D(1000)})
            ],
            associates=[holding],
        )

        assert result.line(SHARE_OF_ASSOCIATES) == 100
        assert result.figures.profit_attributable_to_nci == 40
        assert result.figures.profit_attributable_to_parent == 60
        assert result.figures.non_controlling_interest == 440
        assert result.figures.retained_earnings == 60
        assert result.line(RETAINED_EARNINGS) == 0
