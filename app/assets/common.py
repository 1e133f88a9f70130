"""What the asset use cases share: loading an asset's facts as the pure rules see them, finding a visible
or held asset, and how two companies are related in the group. Posting is in `posting`, the read views in
`views`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    Book,
    BookPosition,
    Impairment,
    Method,
    Schedule,
    Suspension,
    position_on,
)
from app.assets.domain.periods import (
    MonthConvention,
    Period,
    position,
    start_position,
    stop_position,
)
from app.assets.domain.workflow import (
    AssetStatus,
)
from app.assets.errors import (
    AssetNotFoundError,
)
from app.assets.models import (
    AssetBook,
    AssetImpairment,
    AssetStatusChange,
    AssetUsage,
    FixedAsset,
)
from app.core.context import Actor
from app.entities.models import LegalEntity
from app.ownership import domain as od
from app.ownership import view_service as ownership_views
from app.ownership.errors import from_engine

ZERO = Decimal(0)
SOURCE_ACQUISITION = "asset_acquisition"
SOURCE_DEPRECIATION = "depreciation"
SOURCE_TRANSFER = "asset_transfer"
SOURCE_DISPOSAL = "asset_disposal"
SOURCE_IMPAIRMENT = "asset_impairment"
EQUITY_INVESTMENT_CODE = (
    "1511"  # 长期股权投资: no role (the ownership engine, not the account, decides the method)
)


# --------------------------------------------------------------------------------------------- loading


@dataclass
class AssetFacts:
    """Everything recorded about one asset, and its books as the pure rules see them."""

    asset: FixedAsset
    books: list[AssetBook]
    impairments: list[AssetImpairment]
    status_changes: list[AssetStatusChange]
    usage: list[AssetUsage]

    @property
    def convention(self) -> MonthConvention:
        return MonthConvention(self.asset.convention)

    def suspensions(self) -> tuple[Suspension, ...]:
        """Held-for-sale periods, as clock readings under the asset's convention."""
        out: list[Suspension] = []
        since: date | None = None
        for change in self.status_changes:
            if change.status == AssetStatus.HELD_FOR_SALE and since is None:
                since = change.effective_on
            elif change.status != AssetStatus.HELD_FOR_SALE and since is not None:
                out.append(
                    Suspension(
                        start=stop_position(self.convention, since),
                        stop=start_position(self.convention, change.effective_on),
                    )
                )
                since = None
        if since is not None:
            out.append(Suspension(start=stop_position(self.convention, since)))
        return tuple(out)

    def units_of(self, book: AssetBook | None) -> dict[Period, Decimal]:
        out: dict[Period, Decimal] = defaultdict(lambda: ZERO)
        for row in self.usage:
            if book is None or row.book_id == book.id:
                out[Period.parse(row.period)] += row.units
        return dict(out)

    def domain_book(self, row: AssetBook, *, leaving_on: date | None = None) -> Book:
        """The book as the rules see it; `leaving_on` stops an open book there (a transfer or disposal)."""
        schedule = Schedule(
            method=Method(row.method),
            cost=row.cost_basis,
            residual_value=row.residual_value,
            life_months=row.useful_life_months,
            service_start=position(row.schedule_start_on),
            units_total=row.units_total,
        )
        ends_on = row.valid_to if leaving_on is None else leaving_on
        stop: Fraction | None = None
        if leaving_on is not None:
            stop = stop_position(MonthConvention(row.convention), leaving_on)
        elif row.depreciation_until is not None:
            stop = position(row.depreciation_until)
        return Book(
            schedule=schedule,
            start=position(row.depreciation_from),
            stop=stop,
            ends_on=ends_on,
            opening_accumulated=row.opening_accumulated,
            opening_impairment=row.opening_impairment,
            impairments=tuple(
                Impairment(on=i.impaired_on, amount=i.amount) for i in self.impairments if i.book_id == row.id
            ),
            suspensions=self.suspensions(),
            units_before=row.units_before,
        )

    def group_book(self) -> Book:
        """The group's view: the first book's schedule, run on across internal transfers to the final exit."""
        first = self.books[0]
        last = self.books[-1]
        disposed = last.ending == "disposal"
        base = self.domain_book(first)
        return Book(
            schedule=base.schedule,
            start=base.start,
            stop=position(last.depreciation_until) if disposed and last.depreciation_until else None,
            ends_on=last.valid_to if disposed else None,
            opening_accumulated=first.opening_accumulated,
            opening_impairment=first.opening_impairment,
            impairments=tuple(Impairment(on=i.impaired_on, amount=i.amount) for i in self.impairments),
            suspensions=self.suspensions(),
            units_before=first.units_before,
        )

    def group_position_leaving(self, day: date) -> BookPosition:
        """The group's figures when the asset leaves its holder on `day`, its last month's charge included."""
        whole = self.group_book()
        stopped = replace(whole, stop=stop_position(self.convention, day), ends_on=day)
        return position_on(stopped, day=day, units=self.units_of(None))

    def book_on(self, day: date) -> AssetBook | None:
        for row in self.books:
            if row.valid_from <= day and (row.valid_to is None or day < row.valid_to):
                return row
        return None

    def open_book(self) -> AssetBook | None:
        return next((b for b in self.books if b.valid_to is None), None)

    def status_on(self, day: date) -> str | None:
        status: str | None = None
        for change in self.status_changes:
            if change.effective_on <= day:
                status = change.status
        return status

    def position_of(self, row: AssetBook, day: date) -> BookPosition:
        return position_on(self.domain_book(row), day=day, units=self.units_of(row))


def load_facts(session: Session, asset_ids: Sequence[str]) -> dict[str, AssetFacts]:
    assets = repository.assets_by_id(session, asset_ids)
    books = repository.books_of(session, list(assets))
    impairments = repository.impairments(session, list(assets))
    changes = repository.status_changes(session, list(assets))
    usage = repository.usage(session, list(assets))
    return {
        a: AssetFacts(
            asset=assets[a],
            books=books[a],
            impairments=impairments[a],
            status_changes=changes[a],
            usage=usage[a],
        )
        for a in assets
    }


def load_one(session: Session, asset_id: str) -> AssetFacts:
    return load_facts(session, [asset_id])[asset_id]


def visible_asset(session: Session, *, actor: Actor, asset_id: str, for_update: bool = False) -> FixedAsset:
    """The asset, if the actor may see a company that holds or held it (else it does not exist for them)."""
    asset = repository.get_asset(session, asset_id, for_update=for_update)
    if asset is None:
        raise AssetNotFoundError(f"no asset {asset_id}", asset_id=asset_id)
    if actor.entity_ids is not None and not actor.can_see(asset.holder_entity_id):
        held = {b.entity_id for b in repository.books_of(session, [asset.id])[asset.id]}
        if not held & actor.entity_ids:
            raise AssetNotFoundError(f"no asset {asset_id}", asset_id=asset_id)
    return asset


def held_asset(session: Session, *, actor: Actor, asset_id: str) -> FixedAsset:
    """Lock the asset for a change by its holder: the actor must see the current holder."""
    asset = visible_asset(session, actor=actor, asset_id=asset_id, for_update=True)
    if not actor.can_see(asset.holder_entity_id):
        raise AssetNotFoundError(f"no asset {asset_id}", asset_id=asset_id)
    return asset


def group_relation(
    session: Session, *, sender_id: str, receiver: LegalEntity, on: date
) -> tuple[bool, acc.Relation]:
    """Whether both companies are consolidated under one ultimate parent on `on`, and how they are linked."""
    if receiver.kind != "company":
        return False, acc.Relation.OTHER
    holdings = ownership_views.holdings_on(session, as_of=on)
    try:
        sender_view = od.compute_ownership(parent=sender_id, holdings=holdings)
        top = sender_view.ultimate_parent
        group = sender_view if top == sender_id else od.compute_ownership(parent=top, holdings=holdings)
        receiver_view = od.compute_ownership(parent=receiver.id, holdings=holdings)
    except od.OwnershipError as error:
        raise from_engine(error) from error
    members = {e.entity for e in group.entities if e.method in (od.PARENT, od.SUBSIDIARY)}
    in_group = sender_id in members and receiver.id in members
    direct = {(h.holder, h.investee) for h in holdings if h.share > 0}

    def controls(view: od.OwnershipResult, entity: str) -> bool:
        return any(e.entity == entity and e.method == od.SUBSIDIARY for e in view.entities)

    relation = acc.Relation.OTHER
    if (sender_id, receiver.id) in direct and controls(sender_view, receiver.id):
        relation = acc.Relation.SENDER_HOLDS_RECEIVER
    elif (receiver.id, sender_id) in direct and controls(receiver_view, sender_id):
        relation = acc.Relation.RECEIVER_HOLDS_SENDER
    return in_group, relation
