"""Intercompany matching by pair rule, and the choice of an exchange rate for a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.ledger.domain.fx import StoredRate, resolve_rate
from app.ledger.domain.intercompany import Balances, PairMatch, match_intercompany

D = Decimal
ONE = {"P": D(1), "S": D(1), "U": D("7.1")}


def match(
    cumulative: Balances, year_to_date: Balances | None = None, tolerance: Decimal = D("0")
) -> list[PairMatch]:
    return match_intercompany(
        companies=frozenset({"P", "S", "U"}),
        cumulative=cumulative,
        year_to_date=year_to_date or {},
        closing_factor=ONE,
        average_factor=ONE,
        tolerance=tolerance,
    )


class TestIntercompanyMatching:
    def test_a_receivable_matches_the_payable_of_the_other_side(self) -> None:
        cumulative = {"P": {("1122", "S"): D("500")}, "S": {("2202", "P"): D("-500")}}

        pairs = match(cumulative)

        assert [
            (
                m.rule,
                m.entity_id,
                m.counterparty_entity_id,
                m.entity_amount,
                m.counterparty_amount,
                m.within_tolerance,
            )
            for m in pairs
        ] == [("receivables_payables", "P", "S", D("500"), D("500"), True)]

    def test_lists_a_difference_over_the_tolerance(self) -> None:
        cumulative = {"P": {("1122", "S"): D("500")}, "S": {("2202", "P"): D("-480")}}

        within = match(cumulative, tolerance=D("20"))
        outside = match(cumulative, tolerance=D("19.99"))

        assert within[0].difference == D("20")
        assert within[0].within_tolerance
        assert not outside[0].within_tolerance

    def test_compares_revenue_with_purchases_and_dividends_with_declarations_year_to_date(self) -> None:
        ytd = {
            "P": {("6001", "S"): D("-300"), ("6111", "S"): D("-80")},
            "S": {("1405", "P"): D("300"), ("4104", "P"): D("100")},
        }

        pairs = match({}, ytd)

        assert [(m.rule, m.difference) for m in pairs] == [("revenue_costs", D("0")), ("dividends", D("-20"))]

    def test_translates_with_each_sides_factor(self) -> None:
        cumulative = {"P": {("1221", "U"): D("710")}, "U": {("2241", "P"): D("-100")}}

        pairs = match(cumulative)

        assert (pairs[0].entity_amount, pairs[0].counterparty_amount) == (D("710"), D("710.0"))

    def test_ignores_tags_naming_an_outside_party(self) -> None:
        assert match({"P": {("1122", "X"): D("5")}}) == []


RATES = [
    StoredRate("USD", "CNY", "closing", date(2026, 3, 31), D("7.1")),
    StoredRate("USD", "CNY", "average", date(2026, 3, 31), D("7.0")),
    StoredRate("CNY", "USD", "closing", date(2026, 4, 2), D("0.14")),
]


class TestResolveRate:
    def test_closing_takes_the_latest_rate_on_or_before_the_date(self) -> None:
        found = resolve_rate(
            currency="USD", quote_currency="CNY", kind="closing", on=date(2026, 4, 1), candidates=RATES
        )

        assert found is not None
        assert (found.rate, found.rate_on, found.inverted) == (D("7.1"), date(2026, 3, 31), False)

    def test_a_more_recent_inverse_rate_wins(self) -> None:
        found = resolve_rate(
            currency="USD", quote_currency="CNY", kind="closing", on=date(2026, 4, 30), candidates=RATES
        )

        assert found is not None
        assert (found.rate, found.inverted) == (D("7.142857142857"), True)

    def test_average_needs_the_exact_period_end(self) -> None:
        found = resolve_rate(
            currency="USD", quote_currency="CNY", kind="average", on=date(2026, 3, 31), candidates=RATES
        )
        missing = resolve_rate(
            currency="USD", quote_currency="CNY", kind="average", on=date(2026, 4, 30), candidates=RATES
        )

        assert found is not None
        assert found.rate == D("7.0")
        assert missing is None

    def test_same_currency_is_one_and_unknown_kind_is_refused(self) -> None:
        same = resolve_rate(
            currency="CNY", quote_currency="CNY", kind="closing", on=date(2026, 1, 1), candidates=[]
        )

        assert same is not None
        assert same.rate == D(1)
        with pytest.raises(ValueError, match="unknown rate kind"):
            resolve_rate(
                currency="USD", quote_currency="CNY", kind="spot", on=date(2026, 1, 1), candidates=[]
            )
