"""Reads of the books: trial balances, the proof that kept balances equal the lines, intercompany matching."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.core.context import Actor
from app.core.errors import DomainError
from app.core.money import ZERO
from app.ledger import balance_repository, fx_service, journal_repository, repository
from app.ledger.access import visible_entity
from app.ledger.domain.calendar import fiscal_period_of, is_month_end, month_start
from app.ledger.domain.intercompany import PairMatch, match_intercompany
from app.ledger.domain.trial_balance import (
    ZERO_MONEY,
    AccountNature,
    Key,
    Movement,
    TrialBalanceLine,
    balance_lines,
    net_balances,
)


class ChartIncompleteError(DomainError):
    status = 422
    slug = "chart-incomplete"
    title = "The chart lacks an account the rules need"


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def movements_to(session: Session, *, entity_id: str, as_of: date) -> list[Movement]:
    """Movements up to `as_of` inclusive: kept months, plus the lines of `as_of`'s month unless it ends it."""
    year, month = fiscal_period_of(as_of)
    if is_month_end(as_of):
        next_year, next_month = _next_month(year, month)
        return balance_repository.kept_movements(
            session, entity_id=entity_id, before_year=next_year, before_month=next_month
        )
    kept = balance_repository.kept_movements(
        session, entity_id=entity_id, before_year=year, before_month=month
    )
    return kept + balance_repository.line_movements(
        session, entity_id=entity_id, date_from=month_start(year, month), date_to=as_of
    )


def chart_natures(session: Session) -> tuple[dict[str, AccountNature], str]:
    """Every account's nature, and the retained-earnings account prior years' profit is carried in.

    Raises:
        ChartIncompleteError: no account has the role `retained_earnings`.
    """
    accounts = repository.all_accounts(session)
    natures = {a.code: AccountNature(type=a.type, normal_side=a.normal_side) for a in accounts}
    retained = [a.code for a in accounts if a.role == "retained_earnings"]
    if not retained:
        raise ChartIncompleteError("no account has the role retained_earnings", role="retained_earnings")
    return natures, retained[0]


@dataclass(frozen=True)
class Chart:
    """The chart as the trial balance needs it: natures, names and types, and the retained-earnings code."""

    natures: dict[str, AccountNature]
    names: dict[str, tuple[str, str]]  # code -> (name, type)
    retained: str | None


_CHARTS: dict[str, tuple[tuple[int, str] | None, Chart]] = {}
_CHARTS_LOCK = threading.Lock()


def cached_chart(session: Session) -> Chart:
    """The chart, kept per process and database and read again once anything changed (the audit head moved).

    The stamp is read before the chart, so a change committed in between only makes the kept chart newer
    than its stamp (read again at the next call), never older. For reads outside a writing transaction.
    """
    where = session.get_bind().engine.url.render_as_string(hide_password=True)
    stamp = repository.change_stamp(session)
    kept = _CHARTS.get(where)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    rows = repository.chart_rows(session)
    chart = Chart(
        natures={code: AccountNature(type=type_, normal_side=side) for code, _, type_, side, _ in rows},
        names={code: (name, type_) for code, name, type_, _, _ in rows},
        retained=next((code for code, _, _, _, role in rows if role == "retained_earnings"), None),
    )
    with _CHARTS_LOCK:
        _CHARTS[where] = (stamp, chart)
    return chart


def current_balances(session: Session, *, entity_id: str, as_of: date) -> dict[Key, Decimal]:
    """Debit-positive trial-balance amounts per (account, counterparty) on `as_of` (no access check)."""
    natures, retained = chart_natures(session)
    return net_balances(
        as_of_year=as_of.year,
        movements=movements_to(session, entity_id=entity_id, as_of=as_of),
        accounts=natures,
        retained_earnings_code=retained,
    )


@dataclass(frozen=True)
class TrialBalanceReport:
    entity_id: str
    as_of: date
    currency: str
    lines: list[TrialBalanceLine]
    names: Mapping[str, tuple[str, str]]  # account code -> (name, type)

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO_MONEY)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO_MONEY)


def trial_balance(session: Session, *, actor: Actor, entity_id: str, as_of: date) -> TrialBalanceReport:
    """The entity's trial balance on `as_of` (see `domain/trial_balance.py`), read from the kept balances.

    Raises:
        EntityNotFoundError: unknown or invisible entity.
        ChartIncompleteError: the chart has no retained-earnings account.
    """
    entity = visible_entity(session, actor=actor, entity_id=entity_id)
    chart = cached_chart(session)
    if chart.retained is None:
        raise ChartIncompleteError("no account has the role retained_earnings", role="retained_earnings")
    nets = net_balances(
        as_of_year=as_of.year,
        movements=movements_to(session, entity_id=entity.id, as_of=as_of),
        accounts=chart.natures,
        retained_earnings_code=chart.retained,
    )
    return TrialBalanceReport(
        entity_id=entity.id,
        as_of=as_of,
        currency=entity.functional_currency,
        lines=balance_lines(nets=nets, accounts=chart.natures),
        names=chart.names,
    )


@dataclass(frozen=True)
class BalanceMismatch:
    entity_id: str
    account_code: str
    counterparty_entity_id: str | None
    year: int
    month: int
    kept_debit: Decimal
    kept_credit: Decimal
    line_debit: Decimal
    line_credit: Decimal


@dataclass(frozen=True)
class BalanceCheck:
    ok: bool
    entities_checked: int
    months_checked: int
    mismatches: list[BalanceMismatch]


def check_balances(session: Session, *, max_mismatches: int = 1000) -> BalanceCheck:
    """Prove the kept balances equal the sums of the journal lines, entity by entity (bounded memory).

    Lists at most `max_mismatches` differences; `ok` is False whenever there is one.
    """
    entity_ids = sorted(
        set(balance_repository.entity_ids_with_balances(session))
        | set(journal_repository.entity_ids_with_entries(session))
    )
    mismatches: list[BalanceMismatch] = []
    months = 0
    for entity_id in entity_ids:
        kept = balance_repository.kept_months(session, entity_id=entity_id)
        summed = balance_repository.summed_months(session, entity_id=entity_id)
        months += len(set(kept) | set(summed))
        for key in sorted(set(kept) | set(summed)):
            kept_pair = kept.get(key, (ZERO, ZERO))
            summed_pair = summed.get(key, (ZERO, ZERO))
            if kept_pair != summed_pair and len(mismatches) < max_mismatches:
                code, counterparty, year, month = key
                mismatches.append(
                    BalanceMismatch(
                        entity_id, code, counterparty or None, year, month, *kept_pair, *summed_pair
                    )
                )
            elif kept_pair != summed_pair:
                return BalanceCheck(
                    ok=False, entities_checked=len(entity_ids), months_checked=months, mismatches=mismatches
                )
    return BalanceCheck(
        ok=not mismatches, entities_checked=len(entity_ids), months_checked=months, mismatches=mismatches
    )


@dataclass(frozen=True)
class IntercompanyReport:
    as_of: date
    tolerance: Decimal
    currency: str
    pairs: list[PairMatch]

    @property
    def differences(self) -> list[PairMatch]:
        return [pair for pair in self.pairs if not pair.within_tolerance]


class _Factors(Mapping[str, Decimal]):
    """Each entity's factor to the presentation currency, looked up only for entities that have amounts."""

    def __init__(
        self, session: Session, *, currencies: Mapping[str, str], to: str, kind: str, on: date
    ) -> None:
        self._session, self._currencies, self._to, self._kind, self._on = session, currencies, to, kind, on
        self._cache: dict[str, Decimal] = {}

    def __getitem__(self, entity_id: str) -> Decimal:
        if entity_id not in self._cache:
            currency = self._currencies[entity_id]
            self._cache[entity_id] = (
                Decimal(1)
                if currency == self._to
                else fx_service.lookup_rate(
                    self._session, currency=currency, quote_currency=self._to, kind=self._kind, on=self._on
                ).rate
            )
        return self._cache[entity_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._currencies)

    def __len__(self) -> int:
        return len(self._currencies)


def intercompany_matching(
    session: Session, *, actor: Actor, as_of: date, tolerance: Decimal, presentation_currency: str
) -> IntercompanyReport:
    """Compare what each pair of group companies booked against each other on `as_of` (see
    `domain/intercompany.py`). An entity-limited actor sees the pairs of two of its entities.

    Raises:
        FxRateMissingError: companies with other functional currencies lack a closing or average rate.
    """
    year, month = fiscal_period_of(as_of)
    if is_month_end(as_of):
        tagged = balance_repository.kept_tagged_movements(
            session, before_year=_next_month(year, month)[0], before_month=_next_month(year, month)[1]
        )
    else:
        tagged = balance_repository.kept_tagged_movements(session, before_year=year, before_month=month)
        tagged += balance_repository.line_tagged_movements(
            session, date_from=month_start(year, month), date_to=as_of
        )
    cumulative: dict[str, dict[tuple[str, str], Decimal]] = {}
    year_to_date: dict[str, dict[tuple[str, str], Decimal]] = {}
    for item in tagged:
        move = item.movement
        key = (move.account_code, move.counterparty_entity_id or "")
        net = move.debit - move.credit
        bucket = cumulative.setdefault(item.entity_id, {})
        bucket[key] = bucket.get(key, ZERO) + net
        if move.year == year:
            ytd = year_to_date.setdefault(item.entity_id, {})
            ytd[key] = ytd.get(key, ZERO) + net
    companies = frozenset(e for e in repository.company_ids(session) if actor.can_see(e))
    currencies = {
        e.id: e.functional_currency for e in repository.entities_by_id(session, entity_ids=companies).values()
    }
    pairs = match_intercompany(
        companies=companies,
        cumulative=cumulative,
        year_to_date=year_to_date,
        closing_factor=_Factors(
            session, currencies=currencies, to=presentation_currency, kind="closing", on=as_of
        ),
        average_factor=_Factors(
            session, currencies=currencies, to=presentation_currency, kind="average", on=as_of
        ),
        tolerance=tolerance,
    )
    return IntercompanyReport(as_of=as_of, tolerance=tolerance, currency=presentation_currency, pairs=pairs)
