"""The restructuring planner: a set of planned events, and the group's figures before and after them.

Nothing is written. Each group event (merger, share transfer, capital increase or reduction, common-control
combination) is planned by the events feature's own preview (`app.events.service.preview_event`), which
answers the plan a commit would execute: the entries in each company's books, the companies merged or
founded, the methods before and after. An asset transfer is planned from the asset register's rules
(`app.assets.domain.accounting.transfer_accounting` on the asset's figures at the transfer date, with the
depreciation the transfer would first catch up), because the assets feature has no preview function.

The figures after are the figures before with every planned entry added to its company's books (a merged
company stays in the period's population, emptied by its merger entry), a founded company and a company
coming under the parent's control added, and the carrying amount of each asset that changes holder (an
asset transfer, or the assets a merger re-homes) moved between the registers. So committing the same events
and asking the indicators again answers what the preview answered.

Each preview is made on the recorded state, not on the state the plan's earlier events would leave: two group
events may therefore not name the same company, and an asset may not be transferred by a company a planned
merger absorbs, nor twice (`PlanInvalidError`, every conflict listed). A plan whose events break rules is
still previewed, with the violations listed per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.analytics.domain.figures import CompanyBooks, PlannedEntry, Register, with_entries
from app.analytics.domain.trends import Period
from app.analytics.errors import PlanInvalidError
from app.analytics.loading import Company, CompanyFigures, CompanyState, Loader, Snapshot, check_period
from app.analytics.plan_effects import (
    AssetTransferPlan,
    EventEffect,
    PlannedEvent,
    asset_transfer_effect,
    event_effect,
    named_in,
)
from app.core.context import Actor
from app.core.errors import violation
from app.entities import service as entities_service
from app.events.domain import NEW_ENTITY

ZERO = Decimal(0)
_MEMBERS = frozenset({"parent", "subsidiary"})


@dataclass(frozen=True)
class PlanPreview:
    period: Period
    currency: str
    parent_id: str | None
    effects: list[EventEffect]
    before: list[CompanyFigures]
    after: list[CompanyFigures]

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.effects)


# ------------------------------------------------------------------------------------------------ the plan


def conflicts(events: Sequence[PlannedEvent]) -> list[dict[str, Any]]:
    """Events that cannot be previewed independently (module docstring), as problem errors: two group events
    naming one company, one asset transferred twice."""
    out: list[dict[str, Any]] = []
    named: dict[str, int] = {}
    assets: dict[str, int] = {}
    for index, event in enumerate(events):
        if isinstance(event, AssetTransferPlan):
            if event.asset_id in assets:
                out.append(
                    violation(
                        ("body", "events", index, "asset_id"),
                        f"the asset is already transferred by event {assets[event.asset_id]}",
                        "asset_transferred_twice",
                    )
                )
            assets.setdefault(event.asset_id, index)
            continue
        for entity_id in dict.fromkeys(named_in(event)):
            if entity_id in named:
                out.append(
                    violation(
                        ("body", "events", index),
                        f"names {entity_id}, which event {named[entity_id]} names too: each event is "
                        "previewed on the recorded books, so preview (or commit) them one after the other",
                        "events_overlap",
                    )
                )
            named.setdefault(entity_id, index)
    return out


def _absorbed_senders(effects: Sequence[EventEffect]) -> list[dict[str, Any]]:
    """Asset transfers by a company a planned merger absorbs (the merger moves its assets itself)."""
    ended = {entity_id: e.index for e in effects for entity_id, _ in e.ended}
    return [
        violation(
            ("body", "events", e.index, "asset_id"),
            f"the asset's holder is absorbed by the merger of event {ended[e.transfer.from_entity_id]}",
            "sender_absorbed",
        )
        for e in effects
        if e.transfer is not None and e.transfer.from_entity_id in ended
    ]


def _empty_books() -> CompanyBooks:
    return CompanyBooks(opening={}, closing={}, own_debits={}, own_credits={})


def _moved(register: Register, amount: Decimal, idle: bool) -> Register:
    return Register(
        register.carrying_amount + amount, register.idle_carrying_amount + (amount if idle else ZERO)
    )


def apply_effects(
    loader: Loader, *, before: Snapshot, effects: Sequence[EventEffect], parent_id: str | None
) -> Snapshot:
    """The period's companies and books as the planned events would leave them (module docstring)."""
    period = before.period
    states = {s.company.entity_id: s for s in before.states}
    in_period = [e for e in effects if e.effective_on is None or e.effective_on <= period.end]
    if parent_id is not None:
        joining = [
            entity_id
            for effect in in_period
            if effect.group_parent_id == parent_id
            for entity_id, method in effect.methods_after.items()
            if method in _MEMBERS and entity_id not in states and entity_id != NEW_ENTITY
        ]
        found = entities_service.entities_by_id(loader.session, entity_ids=joining)
        newcomers = [
            Company.of(e)
            for e in found.values()
            if e.kind == "company" and loader.actor.can_see(e.id) and e.active_on(period.end)
        ]
        for state in loader.snapshot_of(period=period, companies=newcomers).states:
            states[state.company.entity_id] = state
    for effect in in_period:
        if effect.created is not None:
            company, _ = effect.created
            states[company.entity_id] = CompanyState(company, _empty_books())
    by_entity: dict[str, list[PlannedEntry]] = {}
    for effect in effects:
        for entity_id, entry in effect.entries:
            by_entity.setdefault(entity_id, []).append(entry)
    for entity_id, entries in by_entity.items():
        if entity_id in states:
            state = states[entity_id]
            books = with_entries(state.books, entries=entries, period_from=period.start, period_to=period.end)
            states[entity_id] = replace(state, books=books)
    for effect in in_period:
        for move in effect.register_moves:
            if move.from_entity_id in states:
                state = states[move.from_entity_id]
                states[move.from_entity_id] = replace(
                    state, register=_moved(state.register, -move.leaves, move.idle)
                )
            if move.to_entity_id in states:
                state = states[move.to_entity_id]
                states[move.to_entity_id] = replace(
                    state, register=_moved(state.register, move.arrives, move.idle)
                )
    ordered = sorted(states.values(), key=lambda s: s.company.code)
    return Snapshot(period=period, currency=before.currency, states=tuple(ordered))


def preview_plan(
    session: Session,
    *,
    actor: Actor,
    period_from: date,
    period_to: date,
    events: Sequence[PlannedEvent],
    parent_id: str | None = None,
    currency: str = "CNY",
) -> PlanPreview:
    """Every event's preview and the figures of the period before and after them; nothing is written.

    Raises:
        AnalyticsQueryError: the period ends before it starts.
        PlanInvalidError: events that cannot be previewed together (every conflict listed).
        EntityNotFoundError, AssetNotFoundError: an entity or asset named or touched is unknown or not
            visible to the actor.
        ChartIncompleteError: the chart lacks an account the event rules need.
        FxRateMissingError: a needed exchange rate is not recorded.
    """
    check_period(period_from=period_from, period_to=period_to, loc=("body", "from"))
    problems = conflicts(events)
    if problems:
        raise PlanInvalidError("the planned events cannot be previewed together", errors=problems)
    effects: list[EventEffect] = []
    for index, event in enumerate(events):
        if isinstance(event, AssetTransferPlan):
            effects.append(
                asset_transfer_effect(session, actor=actor, index=index, plan=event, period_end=period_to)
            )
        else:
            effects.append(event_effect(session, actor=actor, index=index, event=event, period_end=period_to))
    problems = _absorbed_senders(effects)
    if problems:
        raise PlanInvalidError("the planned events cannot be previewed together", errors=problems)
    loader = Loader(session, actor=actor, currency=currency)
    period = Period(period_from, period_to)
    before = loader.snapshot(period=period, parent_id=parent_id)
    after = apply_effects(loader, before=before, effects=effects, parent_id=parent_id)
    return PlanPreview(
        period=period,
        currency=currency,
        parent_id=parent_id,
        effects=effects,
        before=loader.figures(before),
        after=loader.figures(after),
    )
