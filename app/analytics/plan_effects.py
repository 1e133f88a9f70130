"""The effect of each planned event on its own: a group event through the events feature's preview, an
asset transfer from the asset register's rules (the planner's module docstring says why); nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.analytics.domain.figures import EntryLine, PlannedEntry
from app.analytics.loading import Company
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
from app.events.domain import BOOKS

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


# ------------------------------------------------------------------------------------------------ events


def named_in(event: PlannedEvent) -> list[str]:
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


def event_effect(
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
        parties=tuple(dict.fromkeys(named_in(event))) + ((created[0].entity_id,) if created else ()),
    )


def _entry(lines: Sequence[acc.Line], on: date, *, own: bool = False) -> PlannedEntry:
    return PlannedEntry(on, tuple(EntryLine(ln.account_code, ln.debit, ln.credit) for ln in lines), own=own)


def asset_transfer_effect(
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
