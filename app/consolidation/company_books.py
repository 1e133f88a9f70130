"""One consolidated company's books for a run, and unrealised profit on assets moved inside the group.

A company in the presentation currency gives its trial balance for the period (`books.Books.for_period`)
and the movement of its OCI accounts. A foreign company also gives its equity at historical rates and its
translation reserve at the period start (`history`), from its combination's equity at acquisition and its
entries on equity accounts since. Unrealised profit on fixed assets comes from the asset register, which
knows how much of each internal sale's profit the buyer's depreciation has released.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.assets import report_service as assets_report
from app.consolidation import domain as cd
from app.consolidation.books import Books, GroupChart
from app.consolidation.history import Base, EquityEntry, foreign_equity
from app.consolidation.pooled_books import PooledBooks
from app.consolidation.rates import RateBook
from app.consolidation.records import AcquisitionRecord
from app.core.context import Actor
from app.entities.models import LegalEntity
from app.ledger import journal_service
from app.ledger.journal_repository import JournalFilter

ONE_DAY = timedelta(days=1)
ZERO = Decimal(0)


def _equity_entries(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    accounts: Sequence[str],
    after: date | None,
    as_of: date,
) -> list[EquityEntry]:
    """The company's entries on its equity accounts after `after` up to `as_of` (natural sign)."""
    out: list[EquityEntry] = []
    for code in sorted(accounts):
        filters = JournalFilter(
            entity_id=entity_id,
            account_code=code,
            date_from=after + ONE_DAY if after is not None else None,
            date_to=as_of + ONE_DAY,
        )
        for posted in journal_service.iter_journal(session, actor=actor, filters=filters):
            amount = sum((ln.credit - ln.debit for ln in posted.lines if ln.account_code == code), ZERO)
            if amount:
                out.append((posted.entry.entry_date, code, amount))
    return out


def _oci(chart: GroupChart, before: dict[str, Decimal], after: dict[str, Decimal]) -> dict[str, Decimal]:
    """The period's movement of each OCI account (natural sign), where it moved."""
    return {a: after.get(a, ZERO) - before.get(a, ZERO) for a in chart.oci if after.get(a) != before.get(a)}


def company_books(
    session: Session,
    *,
    actor: Actor,
    books: Books,
    chart: GroupChart,
    rates: RateBook,
    entity: LegalEntity,
    record: AcquisitionRecord | None,
    as_of: date,
    period_start: date,
    pooled: PooledBooks | None = None,
) -> cd.EntityBooks:
    before = books.equity(entity.id, period_start - ONE_DAY)
    if pooled is not None and entity.id in pooled.kept:
        balances = pooled.kept[entity.id]
        moved: dict[str, Decimal] = {}
        for (code, _), amount in balances.items():
            if code in chart.oci:
                moved[code] = moved.get(code, ZERO) + amount
        return cd.EntityBooks(
            entity=entity.id,
            currency=entity.functional_currency,
            balances=balances,
            oci_for_period=_oci(chart, before, moved),
            pooled=pooled.totals[entity.id],
        )
    balances = books.natural(books.for_period(entity.id, as_of=as_of, period_start=period_start))
    after = books.equity(entity.id, as_of)
    oci = _oci(chart, before, after)
    if entity.functional_currency == rates.presentation:
        return cd.EntityBooks(
            entity=entity.id, currency=entity.functional_currency, balances=balances, oci_for_period=oci
        )
    base = None
    if record is not None:
        equity: dict[str, Decimal] = {}
        for account, amount in record.event.equity_at_acquisition.items():
            kind = chart.types[account]
            target = chart.retained if kind in ("income", "expense") else account
            equity[target] = equity.get(target, ZERO) + (-amount if kind == "expense" else amount)
        base = Base(on=record.row.acquired_on, equity=equity)
    accounts = {*after, *before, *(base.equity if base else {})} - chart.oci - chart.cta
    entries = _equity_entries(
        session,
        actor=actor,
        entity_id=entity.id,
        accounts=sorted(accounts),
        after=base.on if base else None,
        as_of=as_of,
    )
    history = foreign_equity(
        books=books,
        chart=chart,
        rates=rates,
        entity_id=entity.id,
        currency=entity.functional_currency,
        base=base,
        entries=entries,
        as_of=as_of,
        period_start=period_start,
    )
    return cd.EntityBooks(
        entity=entity.id,
        currency=entity.functional_currency,
        balances=balances,
        oci_for_period=oci,
        equity_at_historical=history.equity_at_historical,
        opening_cta=history.opening_cta,
    )


def asset_transfers(
    session: Session, *, actor: Actor, members: frozenset[str], as_of: date, period_start: date
) -> list[cd.AssetTransferProfit]:
    """Unrealised profit on fixed assets sold inside the group, as the asset register computes it."""
    lines = assets_report.unrealized_profits(session, actor=actor, as_of=as_of, start=period_start)
    lines = [ln for ln in lines if {ln.record.seller_entity_id, ln.record.buyer_entity_id} <= members]
    ended = sorted({ln.record.ended_on for ln in lines if ln.record.ended_on and ln.record.ended_on <= as_of})
    before_end: dict[tuple[str, date], Decimal] = {}
    for day in ended:
        for ln in assets_report.unrealized_profits(
            session, actor=actor, as_of=day - ONE_DAY, start=period_start
        ):
            before_end[(ln.record.id, day)] = ln.unrealized
    out = []
    for ln in lines:
        r = ln.record
        gain = r.unrealized_at_transfer
        left = ln.unrealized
        if r.ended_on is not None and r.ended_on <= as_of:
            left = before_end.get((r.id, r.ended_on), ln.unrealized_at_start + ln.arising)
        out.append(
            cd.AssetTransferProfit(
                id=r.id,
                seller=r.seller_entity_id,
                buyer=r.buyer_entity_id,
                transfer_on=r.transfer_on,
                gain=gain,
                remaining_life_months=max(r.remaining_life_months, 1),
                disposed_on=r.ended_on,
                released_before_period=gain - ln.unrealized_at_start
                if r.transfer_on < period_start
                else ZERO,
                released_in_period=ln.unrealized_at_start + ln.arising - left,
            )
        )
    return out
