"""Everything a run gives the engine, gathered from the features that own it.

- scope, methods, shares and the date control began: the ownership service as of the run's date;
- each consolidated company's books: the ledger's kept balances (`books`), a foreign company's equity at
  historical rates from its history (`history`);
- business combinations, their fair-value movements and impairments, group adjustments and unrealised
  profit in inventory: this feature's records (`records`), a merger's survivor inheriting the absorbed
  company's combination (`mergers`, from the committed group events); associates from the ledger and the
  records (`associates`); unrealised profit on assets moved inside the group: the asset register;
- exchange rates: the ledger's FX service (`rates`).

A run for a calendar year to a month end reads the presentation-currency companies that were not acquired
during the period pooled (`pooled_books`): their plain balances summed per account over the companies and
per company by account type, their equity and intercompany balances one by one (domain `pooling`). The
inputs document then shows the pool and those totals in place of the plain balances; the result is the
same as from whole books.

The scope and the books are read for the whole group whoever asks: the run's caller was checked against the
parent, and a consolidation cannot leave out the companies the caller does not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.consolidation import domain as cd
from app.consolidation import mergers
from app.consolidation.associates import associate_events
from app.consolidation.books import Books, GroupChart, load_chart
from app.consolidation.company_books import asset_transfers, company_books
from app.consolidation.domain.periods import add_months
from app.consolidation.pooled_books import pooling, read_pooled
from app.consolidation.rates import RateBook
from app.consolidation.records import (
    AcquisitionRecord,
    acquisition_records,
    adjustment_events,
    unrealized_events,
)
from app.core.context import Actor
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.ownership import domain as od
from app.ownership import view_service as ownership_views

ONE_DAY = timedelta(days=1)
ZERO = Decimal(0)
_MEMBERS = frozenset({"parent", "subsidiary"})
_EQUITY_METHOD = frozenset({"associate", "joint_venture"})


@dataclass(frozen=True)
class RunInputs:
    """The engine's arguments (`engine_kwargs`) and what the documents name (entities, account names)."""

    parent: str
    as_of: date
    period_start: date
    currency: str
    chart: GroupChart
    entities: dict[str, LegalEntity]
    books: tuple[cd.EntityBooks, ...]
    scope: tuple[cd.ScopeEntry, ...]
    acquisitions: tuple[cd.Acquisition, ...]
    associates: tuple[cd.Associate, ...]
    adjustments: tuple[cd.GroupAdjustment, ...]
    unrealized_profits: tuple[cd.UnrealizedProfit, ...]
    asset_transfers: tuple[cd.AssetTransferProfit, ...]
    fx_rates: tuple[cd.FxRate, ...]
    policy: cd.ConsolidationPolicy
    pooled_balances: dict[str, Decimal]

    def engine_kwargs(self) -> dict[str, object]:
        return {
            "parent": self.parent,
            "as_of": self.as_of,
            "period_start": self.period_start,
            "presentation_currency": self.currency,
            "accounts": self.chart.accounts,
            "books": self.books,
            "scope": self.scope,
            "acquisitions": self.acquisitions,
            "associates": self.associates,
            "adjustments": self.adjustments,
            "unrealized_profits": self.unrealized_profits,
            "asset_transfers": self.asset_transfers,
            "fx_rates": self.fx_rates,
            "policy": self.policy,
            "pooled_balances": self.pooled_balances,
        }


@dataclass(frozen=True)
class LoadNotes:
    """What loading found unusable: rates a foreign company's history needed and lacked, and problems."""

    rates: RateBook
    problems: list[cd.Violation]


def _scope(
    session: Session, *, actor: Actor, parent: str, as_of: date
) -> tuple[tuple[cd.ScopeEntry, ...], dict[str, Decimal]]:
    """The scope and each entity's group holding (IAS 28.27) on `as_of`."""
    view = ownership_views.ownership_as_of(session, actor=actor, parent_id=parent, as_of=as_of)
    result = od.OwnershipResult(
        parent=parent,
        entities=tuple(line.figures for line in view.lines),
        ultimate_parent=view.ultimate_parent_id,
    )
    since = {line.entity.id: line.control_since for line in view.lines if line.control_since is not None}
    holding = {line.entity.id: line.figures.group_holding for line in view.lines}
    return cd.scope_from_ownership(ownership=result, control_since=since), holding


def _combinations(
    records: Sequence[AcquisitionRecord], scope: Sequence[cd.ScopeEntry], members: frozenset[str]
) -> dict[str, AcquisitionRecord]:
    """Per subsidiary, the combination that gave control: the record dated the day control began, else
    the latest one by a consolidated acquirer."""
    chosen: dict[str, AcquisitionRecord] = {}
    by_acquiree: dict[str, list[AcquisitionRecord]] = {}
    for r in records:
        if r.row.acquirer_id in members:
            by_acquiree.setdefault(r.row.acquiree_id, []).append(r)
    for entry in scope:
        if entry.method != "subsidiary":
            continue
        mine = by_acquiree.get(entry.entity, [])
        on_control = [r for r in mine if r.row.acquired_on == entry.control_since]
        if on_control or mine:
            chosen[entry.entity] = (on_control or mine)[-1]
    return chosen


def load_inputs(
    session: Session,
    *,
    actor: Actor,
    parent_id: str,
    as_of: date,
    period_start: date,
    currency: str,
    policy: cd.ConsolidationPolicy,
) -> tuple[RunInputs, LoadNotes]:
    """The run's inputs, and what stands in the way of consolidating them (missing rates, associates).

    Raises:
        OwnershipStateError: the holdings on `as_of` cannot be evaluated.
        ChartIncompleteError: the chart has no retained-earnings account.
    """
    everyone = replace(actor, entity_ids=None)
    chart = load_chart(session)
    scope, group_holding = _scope(session, actor=everyone, parent=parent_id, as_of=as_of)
    entities = entities_service.entities_by_id(session, entity_ids=[s.entity for s in scope])
    members = frozenset(s.entity for s in scope if s.method in _MEMBERS)
    equity_accounted = frozenset(s.entity for s in scope if s.method in _EQUITY_METHOD)
    absorbed = mergers.absorbed_into(session, members=members, as_of=as_of)
    records = acquisition_records(
        session, acquiree_ids=members | equity_accounted | set(absorbed), until=as_of, types=chart.types
    )
    combinations = mergers.with_inherited(
        _combinations(records, scope, members), records=records, absorbed=absorbed, members=members
    )
    rates = RateBook(session, currency)
    books = Books(session, chart)
    pooled_ids = pooling(
        members=members,
        currencies={e: entities[e].functional_currency for e in members},
        presentation=currency,
        acquired_on={e: r.event.acquired_on for e, r in combinations.items()},
        as_of=as_of,
        period_start=period_start,
    )
    books.prefetch_period((members - pooled_ids) | equity_accounted, as_of=as_of, period_start=period_start)
    books.prefetch(pooled_ids, period_start - ONE_DAY)
    pooled = read_pooled(session, chart=chart, entity_ids=pooled_ids, as_of=as_of) if pooled_ids else None
    entity_books = tuple(
        company_books(
            session,
            actor=everyone,
            books=books,
            chart=chart,
            rates=rates,
            entity=entities[e],
            record=combinations.get(e),
            as_of=as_of,
            period_start=period_start,
            pooled=pooled,
        )
        for e in sorted(members)
    )
    associates, problems = associate_events(
        session,
        books=books,
        chart=chart,
        scope=scope,
        members=members,
        records=records,
        entities=entities,
        group_holding=group_holding,
        as_of=as_of,
        period_start=period_start,
    )
    transfers = asset_transfers(
        session, actor=everyone, members=members, as_of=as_of, period_start=period_start
    )
    inputs = RunInputs(
        parent=parent_id,
        as_of=as_of,
        period_start=period_start,
        currency=currency,
        chart=chart,
        entities=entities,
        books=entity_books,
        scope=scope,
        acquisitions=tuple(r.event for r in combinations.values()),
        associates=tuple(associates),
        adjustments=tuple(adjustment_events(session, entity_ids=members, as_of=as_of)),
        unrealized_profits=tuple(
            unrealized_events(
                session,
                dates={as_of, period_start - ONE_DAY},
                parties=members | equity_accounted,
                members=members,
            )
        ),
        asset_transfers=tuple(transfers),
        fx_rates=(),
        policy=policy,
        pooled_balances=pooled.by_account if pooled is not None else {},
    )
    _engine_rates(rates, inputs, entities)
    return replace(inputs, fx_rates=tuple(rates.for_engine())), LoadNotes(rates, problems)


def _engine_rates(rates: RateBook, inputs: RunInputs, entities: dict[str, LegalEntity]) -> None:
    """Ask the ledger for every rate the engine may look up (module docstring of `rates`)."""
    foreign = sorted({b.currency for b in inputs.books if b.currency != rates.presentation})
    if not foreign:
        return
    opening = inputs.period_start - ONE_DAY
    dates = [a.acquired_on for a in inputs.acquisitions]
    dates += [m.on for a in inputs.acquisitions for m in a.fair_value_movements]
    dates += [i.on for a in inputs.acquisitions for i in a.goodwill_impairments]
    dates += [t.transfer_on for t in inputs.asset_transfers] + [a.as_of for a in inputs.adjustments]
    earliest = min([*dates, opening])
    for currency in foreign:
        rates.closing(currency, inputs.as_of)
        rates.average(currency, inputs.as_of)
        rates.closing(currency, opening)
        year_end = opening
        while year_end >= earliest:
            rates.average(currency, year_end)
            year_end = add_months(year_end + ONE_DAY, -12) - ONE_DAY
        for acquisition in inputs.acquisitions:
            if entities[acquisition.acquiree].functional_currency == currency:
                rates.spot(currency, acquisition.acquired_on)
