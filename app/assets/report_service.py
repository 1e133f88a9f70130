"""Reports of the asset register: the register as of a date, the roll-forward of carrying amounts per company
and for the group, idle assets, and the unrealised profit on assets sold inside the group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import ZERO, load_facts
from app.assets.domain import rollforward as rf
from app.assets.domain.depreciation import (
    BookPosition,
    BookTimeline,
)
from app.assets.domain.periods import (
    Period,
)
from app.assets.domain.workflow import (
    AssetStatus,
    Violation,
)
from app.assets.errors import (
    AssetValidationError,
    problem_errors,
)
from app.assets.models import (
    FixedAsset,
    UnrealizedAssetProfit,
)
from app.core.context import Actor
from app.core.money import round_half_up
from app.entities import service as entities_service

# ------------------------------------------------------------------------------------------------ reports


@dataclass(frozen=True)
class RegisterLine:
    asset: FixedAsset
    entity_id: str
    status: str | None
    position: BookPosition


def _visible_entities(session: Session, *, actor: Actor, entity_id: str | None) -> frozenset[str] | None:
    if entity_id is not None:
        entities_service.get_entity(session, actor=actor, entity_id=entity_id)
        return frozenset({entity_id})
    return actor.entity_ids


def asset_register(
    session: Session, *, actor: Actor, as_of: date, entity_id: str | None = None
) -> list[RegisterLine]:
    """Every asset held on `as_of` (by `entity_id`, or by the companies the actor sees) with its figures."""
    entities = _visible_entities(session, actor=actor, entity_id=entity_id)
    asset_ids = repository.asset_ids_held(session, start=as_of, end=as_of, entity_ids=entities)
    facts = load_facts(session, asset_ids)
    out: list[RegisterLine] = []
    for asset_id in asset_ids:
        item = facts[asset_id]
        book = item.book_on(as_of)
        if book is None or (entities is not None and book.entity_id not in entities):
            continue
        out.append(
            RegisterLine(
                asset=item.asset,
                entity_id=book.entity_id,
                status=item.status_on(as_of),
                position=item.position_of(book, as_of),
            )
        )
    out.sort(key=lambda line: (line.entity_id, line.asset.tag))
    return out


@dataclass(frozen=True)
class RollForwardReport:
    start: date
    end: date
    by_entity: dict[str, rf.RollForward]
    group: rf.RollForward


def asset_roll_forward(
    session: Session, *, actor: Actor, start: date, end: date, entity_id: str | None = None
) -> RollForwardReport:
    """Carrying amounts from `start` to `end` (inclusive): per company, and for the group in its own view."""
    if end < start:
        raise AssetValidationError(
            "the period ends before it starts",
            errors=problem_errors(
                [Violation("to", "must not be before from", "period_reversed")], prefix=("query",)
            ),
        )
    entities = _visible_entities(session, actor=actor, entity_id=entity_id)
    asset_ids = repository.asset_ids_held(
        session, start=start - timedelta(days=1), end=end, entity_ids=entities
    )
    facts = load_facts(session, asset_ids)
    through = Period.of(end)
    by_entity: dict[str, rf.RollForward] = {}
    group_rows: list[rf.RollForward] = []
    for asset_id in asset_ids:
        item = facts[asset_id]
        for row in item.books:
            overlaps = row.valid_from <= end and (row.valid_to is None or row.valid_to >= start)
            if not overlaps or (entities is not None and row.entity_id not in entities):
                continue
            holding = rf.Holding(
                timeline=BookTimeline(item.domain_book(row), through=through, units=item.units_of(row)),
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                origin=rf.Origin(row.origin),
                ending=rf.Ending(row.ending) if row.ending else None,
            )
            line = rf.roll_forward(holding=holding, start=start, end=end)
            by_entity[row.entity_id] = by_entity.get(row.entity_id, rf.RollForward()) + line
        if entity_id is None and (entities is None or all(b.entity_id in entities for b in item.books)):
            first, last = item.books[0], item.books[-1]
            exit_on = last.valid_to if last.ending == "disposal" else None
            holding = rf.Holding(
                timeline=BookTimeline(item.group_book(), through=through, units=item.units_of(None)),
                valid_from=first.valid_from,
                valid_to=exit_on,
                origin=rf.Origin(first.origin),
                ending=rf.Ending.DISPOSAL if exit_on else None,
            )
            group_rows.append(rf.roll_forward(holding=holding, start=start, end=end))
    return RollForwardReport(
        start=start, end=end, by_entity=dict(sorted(by_entity.items())), group=rf.total(group_rows)
    )


@dataclass(frozen=True)
class IdleLine:
    entity_id: str
    idle: list[RegisterLine]
    idle_carrying_amount: Decimal
    total_carrying_amount: Decimal

    @property
    def idle_share(self) -> Decimal:
        if self.total_carrying_amount == 0:
            return ZERO
        return round_half_up(self.idle_carrying_amount / self.total_carrying_amount, Decimal("0.0001"))


def idle_assets(
    session: Session, *, actor: Actor, as_of: date, entity_id: str | None = None
) -> list[IdleLine]:
    """Per company: the assets idle on `as_of` and their share of its carrying amount of fixed assets."""
    lines = asset_register(session, actor=actor, as_of=as_of, entity_id=entity_id)
    by_entity: dict[str, list[RegisterLine]] = defaultdict(list)
    for line in lines:
        by_entity[line.entity_id].append(line)
    out: list[IdleLine] = []
    for entity, items in sorted(by_entity.items()):
        idle = [i for i in items if i.status == AssetStatus.IDLE]
        out.append(
            IdleLine(
                entity_id=entity,
                idle=idle,
                idle_carrying_amount=sum((i.position.carrying_amount for i in idle), ZERO),
                total_carrying_amount=sum((i.position.carrying_amount for i in items), ZERO),
            )
        )
    return out


@dataclass(frozen=True)
class UnrealizedLine:
    """One internal sale's unrealised profit over a period: opening + arising - released = closing."""

    record: UnrealizedAssetProfit
    unrealized_at_start: Decimal
    arising: Decimal
    released: Decimal
    unrealized: Decimal


def unrealized_profits(
    session: Session, *, actor: Actor, as_of: date, start: date | None = None
) -> list[UnrealizedLine]:
    """For consolidation: per internal transfer, the unrealised profit in the holder's carrying amount at the
    day before `start` (default 1 January of `as_of`'s year) and on `as_of`, and what was released between.

    The holder's figures are its book's; the group's are the original schedule run on (see `AssetFacts`).
    """
    begin = start or date(as_of.year, 1, 1)
    eve = begin - timedelta(days=1)
    records = [
        r
        for r in repository.unrealized_alive(session, start=begin, as_of=as_of)
        if actor.can_see(r.seller_entity_id) and actor.can_see(r.buyer_entity_id)
    ]
    facts = load_facts(session, sorted({r.asset_id for r in records}))
    out: list[UnrealizedLine] = []
    for record in records:
        item = facts[record.asset_id]
        row = next(b for b in item.books if b.id == record.book_id)
        through = Period.of(max(as_of, record.ended_on or as_of))
        holder = BookTimeline(item.domain_book(row), through=through, units=item.units_of(row))
        group = BookTimeline(item.group_book(), through=through, units=item.units_of(None))

        def left_on(
            day: date,
            record: UnrealizedAssetProfit = record,
            holder: BookTimeline = holder,
            group: BookTimeline = group,
        ) -> Decimal:
            if day < record.transfer_on or (record.ended_on is not None and record.ended_on <= day):
                return ZERO
            return holder.position_on(day).carrying_amount - group.position_on(day).carrying_amount

        opening = left_on(eve)
        arising = record.unrealized_at_transfer if begin <= record.transfer_on <= as_of else ZERO
        closing = left_on(as_of)
        out.append(
            UnrealizedLine(
                record=record,
                unrealized_at_start=opening,
                arising=arising,
                released=opening + arising - closing,
                unrealized=closing,
            )
        )
    return out
