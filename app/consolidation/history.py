"""A foreign company's equity at historical rates and its translation reserve at the period start (IAS 21).

The engine translates assets and liabilities at the closing rate and income and expenses at the average
rate; equity it takes at historical amounts, which only the company's history can give. From the ledger:

- the equity at acquisition (the combination's record) at the acquisition-date rate; for a company the
  group did not acquire (the parent in another presentation currency), its first books;
- each earlier fiscal year's post-acquisition profit, and the movement of the OCI accounts, at that year's
  average rate (fiscal years are the 12-month blocks ending the day before the period start, as the engine
  counts them); the current period's OCI movement at the period's average rate;
- every other entry on an equity account after the acquisition (capital issued, dividends declared, a
  reporting package's adjustment) at the rate of its date (`RateBook.spot`).

When the ledger had no books at the acquisition date, the first entries after it that bring an account to
its acquisition amount are part of the acquisition, not movements after it ("catch-up"). A year whose
books are still empty before the first package counts no profit. The reserve at the period start is the
opening net assets at the opening closing rate less the opening equity at historical rates (0 for a company
acquired in the period, or whose books in the ledger begin in the period), so the period's exchange
difference is the reserve's movement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.consolidation.books import Books, GroupChart
from app.consolidation.domain.periods import add_months
from app.consolidation.rates import RateBook

ZERO = Decimal(0)
ONE_DAY = timedelta(days=1)

#: (entry date, account, natural-sign amount) of the company's entries on one equity account.
EquityEntry = tuple[date, str, Decimal]


@dataclass(frozen=True)
class Base:
    """Where the history starts: the acquisition date and the equity then (natural sign, by account)."""

    on: date
    equity: Mapping[str, Decimal]


@dataclass(frozen=True)
class ForeignEquity:
    equity_at_historical: dict[str, Decimal]
    opening_cta: Decimal


def profit_between(books: Books, entity_id: str, start: date, end: date) -> Decimal:
    """Profit of (start, end] from calendar year-to-date trial balances."""
    if end <= start:
        return ZERO

    def ytd(day: date) -> Decimal:
        return books.profit(books.on(entity_id, day))

    if start.year == end.year:
        return ytd(end) - ytd(start)
    total = ytd(date(start.year, 12, 31)) - ytd(start)
    for year in range(start.year + 1, end.year):
        total += ytd(date(year, 12, 31))
    return total + ytd(end)


def _fiscal_years(period_start: date, since: date) -> Iterator[tuple[date, date]]:
    """(exclusive start, inclusive end) of each fiscal year before the period, latest first, clipped at
    `since`; the caller stops at the first year without books."""
    end = period_start - ONE_DAY
    while end > since and end.year > 1:
        start = add_months(end + ONE_DAY, -12) - ONE_DAY
        yield max(start, since), end
        end = start


def _catch_up(entries: Iterable[EquityEntry], owed: Mapping[str, Decimal]) -> list[EquityEntry]:
    """Entries after the acquisition less what only brings the books to the acquisition amounts."""
    left = dict(owed)
    out = []
    for day, account, amount in sorted(entries):
        due = left.get(account, ZERO)
        if due and (due > 0) == (amount > 0):
            taken = min(abs(due), abs(amount)) * (1 if due > 0 else -1)
            left[account] = due - taken
            amount -= taken
        if amount:
            out.append((day, account, amount))
    return out


def foreign_equity(
    *,
    books: Books,
    chart: GroupChart,
    rates: RateBook,
    entity_id: str,
    currency: str,
    base: Base | None,
    entries: Iterable[EquityEntry],
    as_of: date,
    period_start: date,
) -> ForeignEquity:
    """Equity at historical rates (current period's profit and the translation reserve excluded) and the
    reserve at the period start, in the presentation currency (module docstring). Rates that cannot be
    found are recorded in `rates.missing`."""
    opening_day = period_start - ONE_DAY
    since = base.on if base is not None else date(1, 1, 1)
    opening: dict[str, Decimal] = {}
    current: dict[str, Decimal] = {}

    def add(target: dict[str, Decimal], account: str, amount: Decimal) -> None:
        target[account] = target.get(account, ZERO) + amount

    if base is not None:
        rate = rates.require(rates.spot(currency, base.on), currency, "historical", base.on)
        for account, amount in base.equity.items():
            add(opening if base.on <= opening_day else current, account, amount * rate)
    for start, end in _fiscal_years(period_start, since):
        if not books.on(entity_id, end):
            break
        before, after = books.equity(entity_id, start), books.equity(entity_id, end)
        moved = {a: after.get(a, ZERO) - before.get(a, ZERO) for a in chart.oci}
        profit = profit_between(books, entity_id, start, end)
        if profit or any(moved.values()):
            rate = rates.require(rates.average(currency, end), currency, "average", end)
            add(opening, chart.retained, profit * rate)
            for account, amount in moved.items():
                if amount:
                    add(opening, account, amount * rate)
    oci_from = max(opening_day, since)
    before, after = books.equity(entity_id, oci_from), books.equity(entity_id, as_of)
    for account in chart.oci:
        amount = after.get(account, ZERO) - before.get(account, ZERO)
        if amount:
            rate = rates.require(rates.average(currency, as_of), currency, "average", as_of)
            add(current, account, amount * rate)
    owed: dict[str, Decimal] = {}
    if base is not None:
        at_base = books.equity(entity_id, base.on)
        owed = {a: v - at_base.get(a, ZERO) for a, v in base.equity.items() if v != at_base.get(a, ZERO)}
    kept = [e for e in entries if e[1] not in chart.oci and e[1] not in chart.cta]
    for day, account, amount in _catch_up(kept, owed):
        rate = rates.require(rates.spot(currency, day), currency, "historical", day)
        add(opening if day <= opening_day else current, account, amount * rate)
    total = {a: opening.get(a, ZERO) + current.get(a, ZERO) for a in {*opening, *current}}
    held = books.equity(entity_id, as_of)
    for account in held:
        if account not in chart.cta:
            total.setdefault(account, ZERO)
    reserve = ZERO
    opening_books = books.equity(entity_id, opening_day)
    if opening_books and (base is None or base.on <= opening_day):
        closing = rates.require(rates.closing(currency, opening_day), currency, "closing", opening_day)
        reserve = sum(opening_books.values(), ZERO) * closing - sum(opening.values(), ZERO)
    return ForeignEquity(
        equity_at_historical={a: v for a, v in sorted(total.items()) if a not in chart.cta},
        opening_cta=reserve,
    )
