"""Intragroup items: C-08b (PURP and cash in transit), C-08c (PURP drills), C-09 (asset sold A -> B)."""

from datetime import date
from decimal import Decimal

import pytest

from app.consolidation.domain import (
    Acquisition,
    AdjustmentLine,
    AssetTransferProfit,
    GroupAdjustment,
    UnrealizedProfit,
    consolidate,
    unrealized_profit_amount,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
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
    books,
    parent_entry,
    subsidiary,
)


def _founded(entity: str, *, capital: int, share: str = "1", on: date = date(2020, 1, 1)) -> Acquisition:
    """A subsidiary the parent set up: paid its share of the capital, no goodwill."""
    return Acquisition(
        id=f"A-{entity}",
        acquirer="P",
        acquiree=entity,
        acquired_on=on,
        share=D(share),
        consideration=D(share) * capital,
        equity_at_acquisition={SHARE_CAPITAL: D(capital)},
    )


class TestC08b:
    def test_purp_downstream_and_cash_in_transit(self):
        # Filler: P's 700,000 current assets are cash 650,000 and the 50,000 receivable from S; S's 500,000
        # are cash 475,000 and inventory 25,000 (the quarter of P's goods still held); equity balances them.
        parent_books = books(
            "P",
            {
                CASH: 650000,
                (RECEIVABLE, "S"): 50000,
                PAYABLE: 300000,
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 180000,
                SHARE_CAPITAL: 580000,
            },
        )
        sub_books = books("S", {CASH: 475000, INVENTORY: 25000, PAYABLE: 200000, SHARE_CAPITAL: 300000})
        in_transit = GroupAdjustment(
            id="ADJ1",
            as_of=date(2020, 12, 31),
            entity="P",
            description="cash in transit from S",
            lines=(
                AdjustmentLine(CASH, debit=D(50000)),
                AdjustmentLine(RECEIVABLE, credit=D(50000), counterparty="S"),
            ),
        )
        purp = UnrealizedProfit(
            id="U1",
            as_of=date(2020, 12, 31),
            seller="P",
            buyer="S",
            inventory_at_transfer_price=D(25000),
            margin_on_sales=D("0.20"),
        )

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[parent_books, sub_books],
            scope=[parent_entry("P"), subsidiary("S", "0.6")],
            acquisitions=[_founded("S", capital=300000, share="0.6")],
            adjustments=[in_transit],
            unrealized_profits=[purp],
        )

        current_assets = result.line(CASH) + result.line(RECEIVABLE) + result.line(INVENTORY)
        urp_lines = [e for e in result.eliminations if e.reason == "unrealized_profit_inventory"]
        assert sum(e.credit for e in urp_lines if e.account == INVENTORY) == 5000
        assert current_assets == 1195000
        assert result.figures.total_liabilities == 500000
        assert not any(e.nci_bearing for e in urp_lines)
        assert result.consolidated

    def test_without_the_in_transit_adjustment_the_pair_is_a_difference(self):
        parent_books = books("P", {CASH: 650000, (RECEIVABLE, "S"): 50000, SHARE_CAPITAL: 700000})
        sub_books = books("S", {CASH: 100, SHARE_CAPITAL: 100})

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[parent_books, sub_books],
            scope=[parent_entry("P"), subsidiary("S", "1")],
            acquisitions=[Acquisition("A", "P", "S", date(2020, 1, 1), D(1), D(0), {SHARE_CAPITAL: D(100)})],
        )

        assert not result.consolidated
        difference = result.intercompany_differences[0]
        assert (difference.kind, difference.entity, difference.counterparty) == ("balance", "P", "S")
        assert difference.difference == 50000


class TestC08c:
    @pytest.mark.parametrize(
        ("held", "markup", "margin", "expected"),
        [
            (12000, "0.20", None, 2000),
            (12000, None, "0.20", 2400),
            (100000, "0.25", None, 20000),
            (7000000, None, "0.05", 350000),
            (900000, "0.20", None, 150000),
            (36000, "0.50", None, 12000),
        ],
    )
    def test_purp_arithmetic(self, held, markup, margin, expected):
        result = unrealized_profit_amount(
            inventory_at_transfer_price=D(held),
            markup_on_cost=D(markup) if markup else None,
            margin_on_sales=D(margin) if margin else None,
        )

        assert result == expected

    def test_zebedee_xavier_group_cost_of_sales(self):
        # $000. Filler: revenues 600 (84 of them to Xavier) and 300, capital and cash balancing the books.
        zebedee = books(
            "P",
            {
                REVENUE: 516,
                (REVENUE, "X"): 84,
                COST_OF_SALES: 420,
                (INVESTMENT_IN_SUBSIDIARIES, "X"): 100,
                CASH: 580,
                SHARE_CAPITAL: 500,
            },
        )
        xavier = books("X", {REVENUE: 300, COST_OF_SALES: 210, INVENTORY: 36, CASH: 154, SHARE_CAPITAL: 100})
        purp = UnrealizedProfit(
            id="U1",
            as_of=date(2020, 12, 31),
            seller="P",
            buyer="X",
            inventory_at_transfer_price=D(36),
            markup_on_cost=D("0.5"),
        )

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[zebedee, xavier],
            scope=[parent_entry("P"), subsidiary("X", "1")],
            acquisitions=[_founded("X", capital=100)],
            unrealized_profits=[purp],
        )

        assert result.line(COST_OF_SALES) == 558
        assert result.line(REVENUE) == 816
        assert result.line(INVENTORY) == 24


def _c09_run(year: int, parent_books, a_books, b_books, disposed_on=None):
    transfer = AssetTransferProfit(
        id="T1",
        seller="A",
        buyer="B",
        transfer_on=date(2021, 1, 1),
        gain=D(70),
        remaining_life_months=84,
        disposed_on=disposed_on,
        expense_account=ADMIN_EXPENSE,
    )
    return consolidate(
        parent="P",
        as_of=date(year, 12, 31),
        period_start=date(year, 1, 1),
        presentation_currency="CNY",
        accounts=ACCOUNTS,
        books=[parent_books, a_books, b_books],
        scope=[parent_entry("P"), subsidiary("A", "1"), subsidiary("B", "1")],
        acquisitions=[_founded("A", capital=1000), _founded("B", capital=500)],
        asset_transfers=[transfer],
    )


class TestC09:
    """Allen White 8.3: A sells B an asset (NBV 210) for 280 at the start of year 1; B sells it for 260 at
    the start of year 3. P holds both; A's and B's books are the source's statutory accounts."""

    parent = books(
        "P",
        {
            (INVESTMENT_IN_SUBSIDIARIES, "A"): 1000,
            (INVESTMENT_IN_SUBSIDIARIES, "B"): 500,
            SHARE_CAPITAL: 1500,
        },
    )

    def test_year1(self):
        a = books("A", {CASH: 1070, SHARE_CAPITAL: 1000, GAIN_ON_DISPOSAL: 70})
        b = books(
            "B", {PPE: 280, ACCUMULATED_DEPRECIATION: -40, CASH: 220, SHARE_CAPITAL: 500, ADMIN_EXPENSE: 40}
        )

        result = _c09_run(2021, self.parent, a, b)

        eliminated = [e for e in result.eliminations if e.account == GAIN_ON_DISPOSAL and e.entity == "A"]
        assert sum(e.debit for e in eliminated) == 70
        assert result.line(PPE) + result.line(ACCUMULATED_DEPRECIATION) == 180
        assert result.line(ADMIN_EXPENSE) == 30
        assert result.figures.profit_for_period == -30
        assert (result.profit_by_entity["A"], result.profit_by_entity["B"]) == (0, -30)

    def test_year2(self):
        a = books("A", {CASH: 1070, SHARE_CAPITAL: 1000, RETAINED_EARNINGS: 70})
        b = books(
            "B",
            {
                PPE: 280,
                ACCUMULATED_DEPRECIATION: -80,
                CASH: 220,
                SHARE_CAPITAL: 500,
                RETAINED_EARNINGS: -40,
                ADMIN_EXPENSE: 40,
            },
        )

        result = _c09_run(2022, self.parent, a, b)

        assert result.line(PPE) + result.line(ACCUMULATED_DEPRECIATION) == 150
        assert result.figures.profit_for_period == -30
        assert (result.profit_by_entity["A"], result.profit_by_entity["B"]) == (0, -30)
        assert result.figures.retained_earnings == -60

    def test_year3_sale_to_a_third_party(self):
        a = books("A", {CASH: 1070, SHARE_CAPITAL: 1000, RETAINED_EARNINGS: 70})
        b = books("B", {CASH: 480, SHARE_CAPITAL: 500, RETAINED_EARNINGS: -80, GAIN_ON_DISPOSAL: 60})

        result = _c09_run(2023, self.parent, a, b, disposed_on=date(2023, 1, 1))

        lines: dict[tuple[str, str], Decimal] = {}
        for e in result.eliminations:
            if e.source == "T1":
                lines[(e.entity, e.account)] = (
                    lines.get((e.entity, e.account), Decimal(0)) + e.debit - e.credit
                )
        assert lines == {
            ("A", RETAINED_EARNINGS): 70,
            ("A", GAIN_ON_DISPOSAL): -70,
            ("B", RETAINED_EARNINGS): -20,
            ("B", GAIN_ON_DISPOSAL): 20,
        }
        assert result.line(GAIN_ON_DISPOSAL) == 110
        assert result.figures.profit_for_period == 110
        assert (result.profit_by_entity["A"], result.profit_by_entity["B"]) == (70, 40)
        assert result.figures.retained_earnings == 50
        assert result.figures.total_assets == Decimal(1550)
