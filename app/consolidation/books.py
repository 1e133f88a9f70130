"""The group chart and the companies' books as a run reads them from the ledger.

The ledger's trial balance on a date shows balance-sheet accounts cumulatively and income and expenses for
the calendar year to date, earlier years' profit being inside retained earnings (DOMAIN Part 1 "Books").
A run's period may start on another day (a July-June year, case C-10b): its income and expenses are then
the calendar year-to-date amounts corrected by the trial balances at the day before the period start and,
when the period spans two calendar years, at the calendar year end in between; retained earnings take the
difference, so the books still balance. Trial balances are read once per (company, date) and kept; a run
reads them for all its companies at once (`Books.prefetch`: one aggregate query per date, the same figures
as the ledger's trial balance of each company).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from app.consolidation import domain as cd
from app.consolidation import repository
from app.consolidation.domain import numbers as cd_numbers
from app.ledger import report_service
from app.ledger import repository as ledger_repository
from app.ledger.domain.calendar import fiscal_period_of, is_month_end, month_start

Key = tuple[str, str | None]
ZERO = Decimal(0)
ONE_DAY = timedelta(days=1)
_PNL = frozenset({"income", "expense"})
_DEBIT_NATURAL = frozenset({"asset", "expense"})


@dataclass(frozen=True)
class GroupChart:
    """The chart as the engine and the documents need it.

    `oci` are the other-comprehensive-income accounts whose movements are OCI of the period (the account
    with that role and its sub-accounts, the translation reserve excepted).
    """

    accounts: tuple[cd.AccountInfo, ...]
    names: Mapping[str, str]
    types: Mapping[str, str]
    retained: str
    oci: frozenset[str]
    cta: frozenset[str]

    def is_pnl(self, code: str) -> bool:
        return self.types[code] in _PNL

    def natural(self, code: str, debit_positive: Decimal) -> Decimal:
        return debit_positive if self.types[code] in _DEBIT_NATURAL else -debit_positive


def as_decimal(value: Decimal | Fraction) -> Decimal:
    """A share as a Decimal (ownership figures are; an exact Fraction goes through the engine's rule)."""
    return value if isinstance(value, Decimal) else cd_numbers.to_decimal(value)


def load_chart(session: Session) -> GroupChart:
    """The group chart with every account's role.

    Raises:
        ChartIncompleteError: no account carries the role `retained_earnings`.
    """
    _natures, retained = report_service.chart_natures(session)
    rows = ledger_repository.all_accounts(session)
    roles = {a.code: a.role for a in rows}
    oci_roots = [code for code, role in roles.items() if role == "other_comprehensive_income"]
    cta = frozenset(code for code, role in roles.items() if role == "cta")
    oci = frozenset(c for c in roles if any(c.startswith(root) for root in oci_roots)) - cta
    return GroupChart(
        accounts=tuple(cd.AccountInfo(a.code, a.type, a.normal_side, a.role or None) for a in rows),  # type: ignore[arg-type]
        names={a.code: a.name for a in rows},
        types={a.code: a.type for a in rows},
        retained=retained,
        oci=oci,
        cta=cta,
    )


class Books:
    """Debit-positive trial balances of companies on dates, read from the ledger once each."""

    def __init__(self, session: Session, chart: GroupChart) -> None:
        self._session = session
        self._chart = chart
        self._types = chart.types
        self._cache: dict[tuple[str, date], dict[Key, Decimal]] = {}

    def prefetch(self, entity_ids: Collection[str], day: date) -> None:
        """Read the trial balances of `entity_ids` at the end of `day` in one go (as `on` would, one by one):
        the kept months to `day`'s month (before it, plus its lines, when `day` does not end it), income
        and expenses of earlier years in retained earnings."""
        wanted = [e for e in entity_ids if (e, day) not in self._cache]
        if not wanted:
            return
        year, month = fiscal_period_of(day)
        if is_month_end(day):
            before = (year + 1, 1) if month == 12 else (year, month + 1)
            rows = repository.net_movements(
                self._session, entity_ids=wanted, before_year=before[0], before_month=before[1]
            )
        else:
            rows = repository.net_movements(
                self._session,
                entity_ids=wanted,
                before_year=year,
                before_month=month,
                lines_from=month_start(year, month),
                lines_to=day,
            )
        types, retained = self._types, (self._chart.retained, None)
        found: dict[str, dict[Key, Decimal]] = {e: {} for e in wanted}
        for entity, code, counterparty, moved_in, net in rows:
            key: Key = retained if moved_in < day.year and types[code] in _PNL else (code, counterparty)
            book = found[entity]
            book[key] = book.get(key, ZERO) + net
        for entity, book in found.items():
            self._cache[(entity, day)] = {k: v for k, v in book.items() if v != ZERO}

    def prefetch_period(self, entity_ids: Collection[str], *, as_of: date, period_start: date) -> None:
        """`prefetch` every date `for_period` and the period's opening equity read."""
        days = {as_of, period_start - ONE_DAY}
        if period_start.year != as_of.year:
            days.add(date(period_start.year, 12, 31))
        for day in sorted(days):
            self.prefetch(entity_ids, day)

    def on(self, entity_id: str, day: date) -> dict[Key, Decimal]:
        """The trial balance at the end of `day` (calendar year to date for income and expenses)."""
        key = (entity_id, day)
        if key not in self._cache:
            self.prefetch([entity_id], day)
        return self._cache[key]

    def pnl(self, balances: Mapping[Key, Decimal]) -> dict[Key, Decimal]:
        return {k: v for k, v in balances.items() if self._types[k[0]] in _PNL}

    def profit(self, balances: Mapping[Key, Decimal]) -> Decimal:
        """Income less expenses (the debit-positive P&L lines with the sign turned)."""
        return -sum(self.pnl(balances).values(), ZERO)

    def for_period(self, entity_id: str, *, as_of: date, period_start: date) -> dict[Key, Decimal]:
        """The trial balance at `as_of` with income and expenses of [period_start, as_of] (module docstring).

        `period_start` is at most a year before `as_of` (the run checks it).
        """
        result = dict(self.on(entity_id, as_of))
        if period_start == date(as_of.year, 1, 1):
            return result
        if period_start.year == as_of.year:
            moved = self.pnl(self.on(entity_id, period_start - ONE_DAY))
            sign = -1
        else:
            year_end = self.pnl(self.on(entity_id, date(period_start.year, 12, 31)))
            before = self.pnl(self.on(entity_id, period_start - ONE_DAY))
            moved = {k: year_end.get(k, ZERO) - before.get(k, ZERO) for k in {*year_end, *before}}
            sign = 1
        retained = (self._chart.retained, None)
        for key, amount in moved.items():
            result[key] = result.get(key, ZERO) + sign * amount
            result[retained] = result.get(retained, ZERO) - sign * amount
        return {k: v for k, v in result.items() if v != ZERO}

    def equity(self, entity_id: str, day: date) -> dict[str, Decimal]:
        """Equity by account (natural sign) at the end of `day`, this year's profit in retained earnings."""
        balances = self.on(entity_id, day)
        out: dict[str, Decimal] = {}
        for (code, _), amount in balances.items():
            if self._types[code] == "equity":
                out[code] = out.get(code, ZERO) - amount
        profit = self.profit(balances)
        if profit:
            out[self._chart.retained] = out.get(self._chart.retained, ZERO) + profit
        return {k: v for k, v in out.items() if v != ZERO}

    def equity_and_results(self, entity_id: str, day: date) -> list[tuple[str, Decimal]]:
        """Equity, income and expense balances on `day` (natural sign, year to date): the equity at an
        acquisition as the acquiree's books give it."""
        totals: dict[str, Decimal] = {}
        for (code, _), amount in self.on(entity_id, day).items():
            if self._types[code] in ("equity", "income", "expense"):
                totals[code] = totals.get(code, ZERO) + self._chart.natural(code, amount)
        return [(code, amount) for code, amount in sorted(totals.items()) if amount != ZERO]

    def natural(self, balances: Mapping[Key, Decimal]) -> dict[Key, Decimal]:
        """Engine amounts: natural sign of each account's type (assets and expenses debit-positive)."""
        return {k: self._chart.natural(k[0], v) for k, v in balances.items() if v != ZERO}
