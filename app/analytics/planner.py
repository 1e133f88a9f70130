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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.analytics.domain.figures import CompanyBooks, EntryLine, PlannedEntry, Register, with_entries
from app.analytics.domain.trends import Period
from app.analytics.errors import PlanInvalidError
from app.analytics.loading import Company, CompanyFigures, CompanyState, Loader, Snapshot, check_period
from app.assets import repository as assets_repository
from app.assets.common import group_relation, load_one, visible_asset
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import position_on, unposted_charges
from app.assets.domain.periods import Period as AssetPeriod
from app.assets.domain.workflow import AssetStatus, TransferRequestFacts, request_violations
from app.assets.errors import AssetNotFoundError
from app.assets.posting import asset_accounts, month_closed, posted_after
from app.core.context import Actor
from app.core.errors import violation
from app.entities import service as entities_service
from app.events import service as events_service
from app.events.domain import BOOKS, NEW_ENTITY

ZERO = Decimal(0)
_MEMBERS = frozenset({"parent", "subsidiary"})

TransferKind = Literal["sale", "free_transfer", "capital_contribution"]


@dataclass(frozen=True)
class AssetTransferPlan:
    """Move `asset_id` from the company holding it on `transfer_on` to `to_entity_id`."""

    asset_id: str
    to_entity_id: str
    kind: TransferKind
    transfer_on: date
    price: Decimal | None = None


PlannedEvent = events_service.EventRequest | AssetTransferPlan


@dataclass(frozen=True)
class TransferPreview:
    """What a planned asset transfer would do (the counterpart of an event's plan document)."""

    asset_id: str
    tag: str
    name: str
    from_entity_id: str | None
    to_entity_id: str
    kind: str
    transfer_on: date
    price: Decimal | None
    carrying_amount: Decimal | None
    gain: Decimal | None
    catch_up_depreciation: Decimal
    idle: bool


@dataclass(frozen=True)
class RegisterMove:
    """An asset leaving one register at `leaves` and arriving in another at `arrives` (period-end amounts)."""

    from_entity_id: str
    to_entity_id: str
    leaves: Decimal
    arrives: Decimal
    idle: bool


@dataclass(frozen=True)
class EventEffect:
    """One planned event: the preview answered and what it changes in the figures."""

    index: int
    kind: str
    document: Mapping[str, Any] | None = None
    transfer: TransferPreview | None = None
    entries: tuple[tuple[str, PlannedEntry], ...] = ()
    ended: tuple[tuple[str, date], ...] = ()
    created: tuple[Company, date] | None = None
    register_moves: tuple[RegisterMove, ...] = ()
    violations: tuple[dict[str, Any], ...] = ()
    group_parent_id: str | None = None
    methods_after: Mapping[str, str | None] = field(default_factory=dict)
    effective_on: date | None = None
    notes: tuple[str, ...] = ()
    #: the companies the event names (merged, surviving, receiving an asset...), for charts and readers
    parties: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


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


# ------------------------------------------------------------------------------------------------ events


def _named(event: PlannedEvent) -> list[str]:
    if isinstance(event, AssetTransferPlan):
        return [event.to_entity_id]
    if isinstance(event, events_service.ShareTransferRequest):
        ids = [event.investee_id, event.seller_id, event.buyer_id]
    elif isinstance(event, events_service.CapitalChangeRequest):
        ids = [event.investee_id, *[m[0] for m in event.movements]]
    elif isinstance(event, events_service.CommonControlRequest):
        ids = [event.acquirer_id, event.acquiree_id, event.seller_id]
    else:
        ids = [event.survivor_id, *event.absorbed_ids]
    return [i for i in ids if i is not None]


def _money(text: str | None) -> Decimal:
    return Decimal(text) if text else ZERO


def _rehomings(
    session: Session, *, document: Mapping[str, Any], period_end: date
) -> tuple[RegisterMove, ...]:
    """The register moves of the assets a merger re-homes (identity and schedule kept)."""
    out: list[RegisterMove] = []
    for item in document.get("asset_rehomings", ()):
        on = date.fromisoformat(item["on"])
        if on > period_end:
            continue
        facts = load_one(session, item["asset_id"])
        book = facts.book_on(on - timedelta(days=1)) or facts.book_on(on)
        if book is None:
            continue
        carrying = facts.position_of(book, period_end).carrying_amount
        idle = facts.status_on(period_end) == AssetStatus.IDLE
        out.append(RegisterMove(item["from_entity_id"], item["to_entity_id"], carrying, carrying, idle))
    return tuple(out)


def _event_effect(
    session: Session, *, actor: Actor, index: int, event: events_service.EventRequest, period_end: date
) -> EventEffect:
    """The events feature's preview, read back into entries, status changes and register moves."""
    document = events_service.preview_event(session, actor=actor, request=event).document
    entries: list[tuple[str, PlannedEntry]] = []
    for item in document["entries"]:
        if item["layer"] != BOOKS:
            continue
        lines = tuple(
            EntryLine(ln["account_code"], _money(ln["debit"]), _money(ln["credit"])) for ln in item["lines"]
        )
        entries.append((item["entity_id"], PlannedEntry(date.fromisoformat(item["entry_date"]), lines)))
    ended = tuple(
        (c["entity_id"], date.fromisoformat(c["on"]))
        for c in document["entity_changes"]
        if c["kind"] == "merged"
    )
    created = None
    for change in document["entity_changes"]:
        spec = change.get("new_entity")
        if change["kind"] == "created" and spec is not None:
            company = Company(
                change["entity_id"],
                spec["code"],
                spec["name"],
                spec.get("name_en"),
                spec.get("segment"),
                spec["functional_currency"],
            )
            created = (company, date.fromisoformat(change["on"]))
    return EventEffect(
        index=index,
        kind=str(document["kind"]),
        document=document,
        entries=tuple(entries),
        ended=ended,
        created=created,
        register_moves=_rehomings(session, document=document, period_end=period_end),
        violations=tuple(
            violation(("body", "events", index, *v["loc"][1:]), v["msg"], v["type"])
            for v in document["violations"]
        ),
        group_parent_id=document.get("group_parent_id"),
        methods_after={m["entity_id"]: m["method_after"] for m in document["methods"]},
        effective_on=date.fromisoformat(document["effective_on"]),
        notes=tuple(document.get("notes", ())),
        parties=tuple(dict.fromkeys(_named(event))) + ((created[0].entity_id,) if created else ()),
    )


def _entry(lines: Sequence[acc.Line], on: date, *, own: bool = False) -> PlannedEntry:
    return PlannedEntry(on, tuple(EntryLine(ln.account_code, ln.debit, ln.credit) for ln in lines), own=own)


def _asset_transfer_effect(
    session: Session, *, actor: Actor, index: int, plan: AssetTransferPlan, period_end: date
) -> EventEffect:
    """The transfer's entries and register move, checked by the register's own request rules.

    Raises:
        AssetNotFoundError: unknown asset, or held on the date by a company the actor does not see.
        EntityNotFoundError: unknown or invisible receiver.
    """
    asset = visible_asset(session, actor=actor, asset_id=plan.asset_id)
    receiver = entities_service.get_entity(session, actor=actor, entity_id=plan.to_entity_id)
    facts = load_one(session, asset.id)
    on = plan.transfer_on
    kind = acc.TransferKind(plan.kind)
    book = facts.book_on(on)
    if book is not None and not actor.can_see(book.entity_id):
        raise AssetNotFoundError(f"no asset {plan.asset_id}", asset_id=plan.asset_id)
    sender_id = book.entity_id if book is not None else None
    in_group, relation = (False, acc.Relation.OTHER)
    if sender_id is not None:
        in_group, relation = group_relation(session, sender_id=sender_id, receiver=receiver, on=on)
    open_transfer = assets_repository.open_transfer(session, asset.id)
    closed = [
        (entity_id, str(AssetPeriod.of(on)))
        for entity_id in dict.fromkeys(e for e in (sender_id, receiver.id) if e is not None)
        if actor.can_see(entity_id) and month_closed(session, actor=actor, entity_id=entity_id, day=on)
    ]
    late = None
    if book is not None and on > book.valid_from:
        late = posted_after(session, book=book, convention=facts.convention, day=on)
    rules = TransferRequestFacts(
        kind=kind,
        price=plan.price,
        transfer_on=on,
        sender_id=sender_id,
        named_sender_id=None,
        receiver_id=receiver.id,
        receiver_exists=True,
        receiver_external=receiver.kind != "company",
        receiver_in_group=in_group,
        receiver_active=receiver.active_on(on),
        asset_disposed_on=asset.disposed_on,
        holding_since=book.valid_from if book is not None else None,
        open_transfer_id=open_transfer.id if open_transfer is not None else None,
        closed_months=closed,
        depreciated_after=late,
    )
    found = [violation(("body", "events", index, v.field), v.msg, v.type) for v in request_violations(rules)]
    preview = TransferPreview(
        asset.id,
        asset.tag,
        asset.name,
        sender_id,
        receiver.id,
        kind.value,
        on,
        plan.price,
        None,
        None,
        ZERO,
        False,
    )
    parties = tuple(e for e in (sender_id, receiver.id) if e is not None)
    if found or book is None or sender_id is None:
        return EventEffect(
            index=index,
            kind="asset_transfer",
            transfer=preview,
            violations=tuple(found),
            effective_on=on,
            parties=parties,
        )
    domain = facts.domain_book(book, leaving_on=on)
    units = facts.units_of(book)
    posted = assets_repository.posted_periods(session, [book.id])[book.id]
    due = unposted_charges(
        domain, through=AssetPeriod.of(on), posted=[AssetPeriod.parse(p) for p in posted], units=units
    )
    accounts = asset_accounts(session)
    held = position_on(domain, day=on, units=units)
    result = acc.transfer_accounting(
        kind=kind,
        relation=relation,
        holding=acc.Holding(held.cost, held.accumulated_depreciation, held.impairment),
        price=plan.price,
        sender_id=sender_id,
        receiver_id=receiver.id,
        accounts=accounts,
    )
    catch_up = [(book.expense_account, c.amount) for c in due if c.amount != 0]
    entries: list[tuple[str, PlannedEntry]] = []
    if catch_up:
        entries.append(
            (sender_id, _entry(acc.depreciation_lines(accounts=accounts, charges=catch_up), on, own=True))
        )
    entries += [
        (sender_id, _entry(result.sender_lines, on)),
        (receiver.id, _entry(result.receiver_lines, on)),
    ]
    moves: tuple[RegisterMove, ...] = ()
    notes: tuple[str, ...] = ()
    if on <= period_end:
        leaves = facts.position_of(book, period_end).carrying_amount
        arrives = leaves if result.continues_schedule else result.receiver_cost
        if not result.continues_schedule:
            notes = (
                "a sale starts a new schedule in the buyer's register: its carrying amount at the period end "
                "is shown at the price, before the buyer's depreciation",
            )
        idle = facts.status_on(period_end) == AssetStatus.IDLE
        moves = (RegisterMove(sender_id, receiver.id, leaves, arrives, idle),)
    return EventEffect(
        index=index,
        kind="asset_transfer",
        transfer=replace(
            preview,
            carrying_amount=result.carrying_amount,
            gain=result.gain,
            catch_up_depreciation=sum((amount for _, amount in catch_up), ZERO),
            idle=facts.status_on(on) == AssetStatus.IDLE,
        ),
        entries=tuple(entries),
        register_moves=moves,
        effective_on=on,
        notes=notes,
        parties=parties,
    )


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
        for entity_id in dict.fromkeys(_named(event)):
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
                _asset_transfer_effect(session, actor=actor, index=index, plan=event, period_end=period_to)
            )
        else:
            effects.append(
                _event_effect(session, actor=actor, index=index, event=event, period_end=period_to)
            )
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
