"""Pooled balances (domain `pooling`): the same result as whole books, and the checks that guard the view."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.consolidation.domain import ConsolidationInputError, EntityBooks, consolidate
from app.consolidation.domain.inputs import POOLABLE_TYPES
from tests.unit.consolidation.consolidation_builders import ACCOUNTS, CASH
from tests.unit.consolidation.test_consolidation_properties import AS_OF, START, groups

TYPES = {a.code: a.type for a in ACCOUNTS}


def _pool(books: list[EntityBooks]) -> tuple[list[EntityBooks], dict[str, Decimal]]:
    """Every presentation-currency company's untagged asset, liability and P&L balances pooled."""
    pooled_books, by_account = [], {}
    for b in books:
        if b.currency != "CNY":
            pooled_books.append(b)
            continue
        kept, totals = {}, {}
        for (account, counterparty), amount in b.balances.items():
            kind = TYPES[account]
            if counterparty is None and kind in POOLABLE_TYPES:
                totals[kind] = totals.get(kind, Decimal(0)) + amount
                by_account[account] = by_account.get(account, Decimal(0)) + amount
            else:
                kept[(account, counterparty)] = amount
        pooled_books.append(replace(b, balances=kept, pooled=totals))
    return pooled_books, by_account


def _run(group: dict[str, object], books: list[EntityBooks], pooled: dict[str, Decimal] | None = None):
    return consolidate(
        parent="P",
        as_of=AS_OF,
        period_start=START,
        presentation_currency="CNY",
        accounts=ACCOUNTS,
        books=books,
        scope=group["scope"],  # type: ignore[arg-type]
        acquisitions=group["acquisitions"],  # type: ignore[arg-type]
        unrealized_profits=group["records"],  # type: ignore[arg-type]
        fx_rates=group["rates"],  # type: ignore[arg-type]
        pooled_balances=pooled,
    )


@settings(max_examples=80, deadline=None)
@given(st.booleans().flatmap(lambda foreign: groups(foreign=foreign)))
def test_pooled_books_consolidate_to_the_same_result(group):
    whole = _run(group, group["books"])  # type: ignore[arg-type]
    books, by_account = _pool(group["books"])  # type: ignore[arg-type]
    pooled = _run(group, books, by_account)
    assert any(b.pooled for b in books)
    for field in dataclasses.fields(whole):
        assert getattr(pooled, field.name) == getattr(whole, field.name), field.name


def _violations(group, books, by_account) -> list[str]:
    with pytest.raises(ConsolidationInputError) as caught:
        _run(group, books, by_account)
    return [v.code for v in caught.value.violations]


@settings(max_examples=20, deadline=None)
@given(groups())
def test_a_pool_that_disagrees_with_the_companies_totals_is_refused(group):
    books, by_account = _pool(group["books"])  # type: ignore[arg-type]
    by_account[CASH] = by_account.get(CASH, Decimal(0)) + 1
    assert "pooled-books" in _violations(group, books, by_account)


@settings(max_examples=20, deadline=None)
@given(groups())
def test_pooled_totals_count_in_the_balance_check(group):
    books, by_account = _pool(group["books"])  # type: ignore[arg-type]
    first = books[0]
    books[0] = replace(first, pooled={**first.pooled, "asset": first.pooled.get("asset", Decimal(0)) + 1})
    by_account[CASH] = by_account.get(CASH, Decimal(0)) + 1
    assert _violations(group, books, by_account) == ["books-unbalanced"]


@settings(max_examples=10, deadline=None)
@given(groups())
def test_foreign_books_and_equity_cannot_pool(group):
    books, by_account = _pool(group["books"])  # type: ignore[arg-type]
    books[0] = replace(books[0], currency="USD")
    codes = _violations(group, books, by_account)
    assert "pooled-books" in codes
    books, by_account = _pool(group["books"])  # type: ignore[arg-type]
    books[0] = replace(books[0], pooled={**books[0].pooled, "equity": Decimal(0)})
    assert "pooled-books" in _violations(group, books, by_account)
