"""Figures from books, planned entries and the indicator formulas (pure, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analytics.domain import indicators as ind
from app.analytics.domain.figures import (
    ChartClasses,
    CompanyBooks,
    EntryLine,
    Factors,
    Figures,
    PlannedEntry,
    Register,
    figures_of,
    total,
    with_entries,
)
from app.analytics.loading import CONCENTRATION_NAMES
from app.analytics.schemas import IndicatorName, RatiosRead

CLASSES = ChartClasses(
    types={
        "1002": "asset",
        "1122": "asset",
        "1601": "asset",
        "1602": "asset",
        "1603": "asset",
        "1604": "asset",
        "2232": "liability",
        "4001": "equity",
        "4104": "equity",
        "6001": "income",
        "6051": "income",
        "6401": "expense",
        "6602": "expense",
    },
    revenue=frozenset({"6001", "6051"}),
    cost_of_sales=frozenset({"6401"}),
    fixed_asset_cost=frozenset({"1601"}),
    accumulated_depreciation=frozenset({"1602"}),
    fixed_asset_impairment=frozenset({"1603"}),
    construction_in_progress=frozenset({"1604"}),
    dividends_payable=frozenset({"2232"}),
)
D = Decimal
# Company A of the API tests: opening on 31 December 2024, the year 2025 closed.
OPENING = {"1002": D(1400), "1601": D(1000), "1602": D(-200), "4001": D(-1000), "4104": D(-1200)}
CLOSING = {
    "1002": D(310),
    "1122": D(1000),
    "1601": D(1300),
    "1602": D(-300),
    "1604": D(50),
    "2232": D(-60),
    "4001": D(-1000),
    "4104": D(-1140),
    "6001": D(-1000),
    "6401": D(700),
    "6602": D(140),
}
BOOKS = CompanyBooks(
    opening=OPENING,
    closing=CLOSING,
    own_debits={"1601": D(300), "1604": D(50), "2232": D(0)},
    own_credits={"1602": D(100), "2232": D(60)},
)


def test_figures_of_company_a() -> None:
    figures = figures_of(BOOKS, classes=CLASSES)

    assert figures.total_assets_opening == D(2200)
    assert figures.total_assets == D(2360)
    assert figures.total_liabilities == D(60)
    assert figures.equity == D(2300)
    assert figures.revenue == D(1000)
    assert figures.cost_of_sales == D(700)
    assert figures.net_profit == D(160)
    assert figures.fixed_assets_net_opening == D(800)
    assert figures.fixed_assets_net == D(1000)
    assert figures.dividends_declared == D(60)
    assert figures.depreciation == D(100)
    assert figures.capex == D(350)
    assert figures.internally_generated_funds == D(260)


def test_ratios_of_company_a() -> None:
    figures = figures_of(BOOKS, classes=CLASSES)

    ratios = ind.ratios(figures)

    assert ratios == {
        "net_margin": D("0.160000"),
        "gross_margin": D("0.300000"),
        "return_on_assets": D("0.070175"),
        "retention_ratio": D("0.625000"),
        "self_financing_ratio": D("0.634146"),
        "fixed_asset_turnover": D("1.111111"),
        "idle_asset_share": None,
    }


def test_translation_uses_closing_rates_for_balances_and_the_average_for_flows() -> None:
    factors = Factors(opening=D("7.5"), closing=D("7.82"), average=D("7.76"))

    figures = figures_of(BOOKS, classes=CLASSES, register=Register(D(100), D(25)), factors=factors)

    assert figures.total_assets_opening == D("16500.0000")
    assert figures.total_assets == D("18455.2000")
    assert figures.revenue == D("7760.0000")
    assert figures.net_profit == D("1241.6000")
    assert figures.register_carrying_amount == D("782.0000")
    assert figures.idle_carrying_amount == D("195.5000")


def test_an_account_outside_the_chart_is_refused() -> None:
    books = CompanyBooks(opening={}, closing={"9999": D(1)}, own_debits={}, own_credits={})

    with pytest.raises(KeyError, match="9999"):
        figures_of(books, classes=CLASSES)


class TestPlannedEntries:
    def test_an_entry_in_the_period_moves_closing_balances_only(self) -> None:
        entry = PlannedEntry(
            date(2025, 7, 1), (EntryLine("1002", debit=D(100)), EntryLine("6001", credit=D(100)))
        )

        books = with_entries(
            BOOKS, entries=[entry], period_from=date(2025, 1, 1), period_to=date(2025, 12, 31)
        )

        assert books.closing["1002"] == D(410)
        assert books.opening["1002"] == D(1400)
        assert figures_of(books, classes=CLASSES).revenue == D(1100)
        assert books.own_debits == BOOKS.own_debits

    def test_an_earlier_entry_moves_both_dates_and_a_later_one_nothing(self) -> None:
        early = PlannedEntry(
            date(2024, 6, 1), (EntryLine("1601", debit=D(5)), EntryLine("1002", credit=D(5)))
        )
        late = PlannedEntry(date(2026, 1, 1), (EntryLine("1601", debit=D(7)), EntryLine("1002", credit=D(7))))

        books = with_entries(
            BOOKS, entries=[early, late], period_from=date(2025, 1, 1), period_to=date(2025, 12, 31)
        )

        assert books.opening["1601"] == D(1005)
        assert books.closing["1601"] == D(1305)

    def test_an_own_entry_counts_in_the_gross_flows(self) -> None:
        charge = PlannedEntry(
            date(2025, 6, 30), (EntryLine("6602", debit=D(60)), EntryLine("1602", credit=D(60))), own=True
        )

        books = with_entries(
            BOOKS, entries=[charge], period_from=date(2025, 1, 1), period_to=date(2025, 12, 31)
        )

        assert figures_of(books, classes=CLASSES).depreciation == D(160)
        assert figures_of(books, classes=CLASSES).net_profit == D(100)


class TestRatiosWithoutValue:
    def test_zero_denominators_give_none(self) -> None:
        empty = Figures()

        assert all(value is None for value in ind.ratios(empty).values())

    def test_retention_needs_a_profit(self) -> None:
        assert ind.retention_ratio(Figures(net_profit=D(-5), dividends_declared=D(1))) is None
        assert ind.retention_ratio(Figures(net_profit=D(10), dividends_declared=D(15))) == D("-0.500000")

    def test_self_financing_needs_a_positive_need(self) -> None:
        assert ind.self_financing_ratio(Figures(net_profit=D(10), capex=D(-5))) is None
        assert ind.self_financing_ratio(Figures(net_profit=D(10), depreciation=D(5), capex=D(30))) == D(
            "0.500000"
        )

    def test_ratios_round_half_up_at_six_places(self) -> None:
        assert ind.ratio(D(1), D(8_000_000)) == D("0.000000")  # 0.000000125
        assert ind.ratio(D(5), D(8_000_000)) == D("0.000001")  # 0.000000625 rounds up
        assert ind.ratio(D(-5), D(8_000_000)) == D("-0.000001")


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(amounts, amounts, amounts, amounts), min_size=1, max_size=5))
def test_a_sum_of_companies_is_the_figures_of_their_sums(values: list[tuple[D, D, D, D]]) -> None:
    items = [Figures(revenue=r, net_profit=p, total_assets=a, capex=c) for r, p, a, c in values]

    summed = total(items)

    assert summed.revenue == sum((i.revenue for i in items), D(0))
    assert summed.internally_generated_funds == sum((i.internally_generated_funds for i in items), D(0))
    margin = ind.net_margin(summed)
    if summed.revenue != 0:
        assert margin is not None
        assert abs(margin - summed.net_profit / summed.revenue) <= D("0.0000005")


def test_every_indicator_is_documented_and_answers() -> None:
    figures = figures_of(BOOKS, classes=CLASSES)

    values = {i.name: ind.value(i.name, figures) for i in ind.INDICATORS}

    assert all(i.formula and i.label and i.label_zh for i in ind.INDICATORS)
    assert values["revenue"] == D(1000)
    assert values["equity"] == D(2300)
    assert set(ind.RATIO_NAMES) | set(ind.MONEY_NAMES) == set(values)


def test_the_wire_names_every_indicator() -> None:
    assert set(get_args(IndicatorName)) == set(ind.BY_NAME) | set(CONCENTRATION_NAMES)
    assert set(RatiosRead.model_fields) == set(ind.RATIO_NAMES)
