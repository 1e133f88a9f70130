"""Which companies a run pools, and their books read that way (`app.consolidation.domain.pooling`).

A company pools when the run needs nothing of its plain balances but their sum: its currency is the
presentation currency, it was not acquired during the period, and the run is for a calendar year to a
month end (its trial balance is then the kept months alone, income and expenses of the year to date). Any
other company, and every company of another run, gives its whole trial balance (`books.Books`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.consolidation import pool_repository
from app.consolidation.books import GroupChart, Key
from app.ledger.domain.calendar import is_month_end

ZERO = Decimal(0)


@dataclass(frozen=True)
class PooledBooks:
    """Natural-sign amounts: each company's kept balances and pooled totals by type, the pool by account."""

    kept: Mapping[str, dict[Key, Decimal]]
    totals: Mapping[str, dict[str, Decimal]]
    by_account: dict[str, Decimal]


def pooling(
    *,
    members: Collection[str],
    currencies: Mapping[str, str],
    presentation: str,
    acquired_on: Mapping[str, date],
    as_of: date,
    period_start: date,
) -> frozenset[str]:
    """The members that pool in this run (module docstring)."""
    if period_start != date(as_of.year, 1, 1) or not is_month_end(as_of):
        return frozenset()
    return frozenset(
        e
        for e in members
        if currencies[e] == presentation and not (e in acquired_on and acquired_on[e] > period_start)
    )


def read_pooled(
    session: Session, *, chart: GroupChart, entity_ids: Collection[str], as_of: date
) -> PooledBooks:
    """The books of `entity_ids` at `as_of` (a month end), pooled (module docstring of `pool_repository`)."""
    year, month = as_of.year, as_of.month
    retained: Key = (chart.retained, None)
    kept: dict[str, dict[Key, Decimal]] = {e: {} for e in entity_ids}
    for entity, code, counterparty, moved_in, net in pool_repository.kept_movements(
        session, entity_ids=entity_ids, year=year, month=month
    ):
        key: Key = retained if moved_in < year and chart.is_pnl(code) else (code, counterparty)
        book = kept[entity]
        book[key] = book.get(key, ZERO) + net
    natural = {
        e: {k: chart.natural(k[0], v) for k, v in book.items() if v != ZERO} for e, book in kept.items()
    }
    totals: dict[str, dict[str, Decimal]] = {e: {} for e in entity_ids}
    for entity, kind, net in pool_repository.pooled_by_type(
        session, entity_ids=entity_ids, year=year, month=month
    ):
        amount = net if kind in ("asset", "expense") else -net
        if amount != ZERO:
            totals[entity][kind] = amount
    by_account = pool_repository.pooled_by_account(session, entity_ids=entity_ids, year=year, month=month)
    return PooledBooks(
        kept=natural,
        totals=totals,
        by_account={a: chart.natural(a, v) for a, v in sorted(by_account.items()) if v != ZERO},
    )
