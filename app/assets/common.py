"""What the asset use cases share: loading an asset's facts as the pure rules see them, the chart accounts
they post to, posting through the books' service, and the catch-up of depreciation when an asset leaves.

Posting goes through `app.ledger.service.post_entry` only; the chart is read by role (the books offer no
service for that lookup yet, so their repository is read here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    Book,
    BookPosition,
    Impairment,
    Method,
    MonthCharge,
    Schedule,
    Suspension,
    position_on,
    unposted_charges,
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
    ChartRoleMissingError,
)
from app.assets.models import (
    AssetBook,
    AssetImpairment,
    AssetStatusChange,
    AssetUsage,
    DepreciationPosting,
    FixedAsset,
)
from app.core.context import Actor
from app.entities.models import LegalEntity
from app.ledger import period_service
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft
from app.ownership import domain as od
from app.ownership import service as ownership_service
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


# ------------------------------------------------------------------------------------------ the books


def role_code(session: Session, role: str) -> str:
    codes = repository.account_codes_with_role(session, role)
    if not codes:
        raise ChartRoleMissingError(f"no account of the group chart has the role {role}", role=role)
    return codes[0]


def asset_accounts(session: Session) -> acc.AssetAccounts:
    """The chart codes the asset rules post to, found by role (1511 by code: it has none)."""
    return acc.AssetAccounts(
        fixed_asset=role_code(session, "fixed_asset"),
        accumulated_depreciation=role_code(session, "accumulated_depreciation"),
        impairment_allowance=role_code(session, "fixed_asset_impairment"),
        disposal_clearing=role_code(session, "fixed_asset_disposal"),
        gain_on_disposal=role_code(session, "gain_on_disposal"),
        non_operating_income=role_code(session, "non_operating_income"),
        non_operating_expense=role_code(session, "non_operating_expense"),
        intercompany_receivable=role_code(session, "other_receivable"),
        intercompany_payable=role_code(session, "other_payable"),
        capital_reserve=role_code(session, "capital_reserve"),
        paid_in_capital=role_code(session, "share_capital"),
        investment_in_subsidiary=role_code(session, "investment_in_subsidiaries"),
        equity_investment=EQUITY_INVESTMENT_CODE,
        impairment_loss=role_code(session, "asset_impairment_loss"),
        cash=role_code(session, "cash"),
    )


def post_lines(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    entry_date: date,
    description: str,
    lines: Sequence[acc.Line],
    source: str,
    source_ref: str,
    now: datetime,
) -> str:
    drafts = [
        LineDraft(
            account_code=line.account_code,
            debit=line.debit if line.debit else None,
            credit=line.credit if line.credit else None,
            counterparty_entity_id=line.counterparty_entity_id,
        )
        for line in lines
    ]
    posted = ledger_service.post_entry(
        session,
        actor=actor,
        entity_id=entity_id,
        entry_date=entry_date,
        description=description[:500],
        lines=drafts,
        now=now,
        source=source,
        source_ref=source_ref,
    )
    return posted.entry.id


def month_closed(session: Session, *, actor: Actor, entity_id: str, day: date) -> bool:
    months = period_service.list_periods(session, actor=actor, entity_id=entity_id, year=day.year)
    return any(m.month == day.month and m.status == period_service.CLOSED for m in months)


@dataclass(frozen=True)
class Due:
    book: AssetBook
    charge: MonthCharge


def post_due(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    entry_date: date,
    description: str,
    due: Sequence[Due],
    accounts: acc.AssetAccounts,
    source_ref: str,
    run_id: str | None,
    now: datetime,
) -> str | None:
    """Post the charges in one entry of the company and record them; None when there is nothing to post."""
    items = [d for d in due if d.charge.amount != 0]
    if not items:
        return None
    lines = acc.depreciation_lines(
        accounts=accounts, charges=[(d.book.expense_account, d.charge.amount) for d in items]
    )
    entry_id = post_lines(
        session,
        actor=actor,
        entity_id=entity_id,
        entry_date=entry_date,
        description=description,
        lines=lines,
        source=SOURCE_DEPRECIATION,
        source_ref=source_ref,
        now=now,
    )
    for item in items:
        session.add(
            DepreciationPosting(
                asset_id=item.book.asset_id,
                book_id=item.book.id,
                entity_id=entity_id,
                period=str(item.charge.period),
                amount=item.charge.amount,
                entry_id=entry_id,
                run_id=run_id,
            )
        )
    session.flush()
    return entry_id


def catch_up_leaving(
    session: Session,
    *,
    actor: Actor,
    facts: AssetFacts,
    book: AssetBook,
    leaving_on: date,
    accounts: acc.AssetAccounts,
    source_ref: str,
    now: datetime,
) -> BookPosition:
    """Post the months due up to the stop (dated the day the asset leaves) and return the figures then."""
    domain = facts.domain_book(book, leaving_on=leaving_on)
    units = facts.units_of(book)
    posted = repository.posted_periods(session, [book.id])[book.id]
    due = unposted_charges(
        domain, through=Period.of(leaving_on), posted=[Period.parse(p) for p in posted], units=units
    )
    post_due(
        session,
        actor=actor,
        entity_id=book.entity_id,
        entry_date=leaving_on,
        description=f"Depreciation of {facts.asset.tag} up to its departure on {leaving_on.isoformat()}",
        due=[Due(book, c) for c in due],
        accounts=accounts,
        source_ref=source_ref,
        run_id=None,
        now=now,
    )
    return position_on(domain, day=leaving_on, units=units)


def posted_after(session: Session, *, book: AssetBook, convention: MonthConvention, day: date) -> str | None:
    """The first month already posted for the book that would no longer be due if it stopped on `day`."""
    stop = stop_position(convention, day)
    first_not_due = Period.from_index(-(-stop.numerator // stop.denominator))
    late = sorted(
        p for p in repository.posted_periods(session, [book.id])[book.id] if Period.parse(p) >= first_not_due
    )
    return late[0] if late else None


# ----------------------------------------------------------------------------------------------- views


@dataclass(frozen=True)
class BookView:
    book: AssetBook
    position: BookPosition


@dataclass(frozen=True)
class AssetView:
    asset: FixedAsset
    as_of: date
    holder_entity_id: str | None
    status: str | None
    position: BookPosition | None
    books: list[BookView]


def asset_view(facts: AssetFacts, *, as_of: date, actor: Actor) -> AssetView:
    """The asset as of a date; an entity-limited actor sees only the books of its companies."""
    current = facts.book_on(as_of)
    if current is not None and not actor.can_see(current.entity_id):
        current = None
    books = [
        BookView(book=b, position=facts.position_of(b, min(as_of, b.valid_to) if b.valid_to else as_of))
        for b in facts.books
        if b.valid_from <= as_of and actor.can_see(b.entity_id)
    ]
    return AssetView(
        asset=facts.asset,
        as_of=as_of,
        holder_entity_id=current.entity_id if current else None,
        status=facts.status_on(as_of),
        position=facts.position_of(current, as_of) if current else None,
        books=books,
    )


def asset_snapshot(asset: FixedAsset) -> dict[str, Any]:
    return {
        "tag": asset.tag,
        "name": asset.name,
        "category": asset.category,
        "location": asset.location,
        "holder_entity_id": asset.holder_entity_id,
        "acquired_on": asset.acquired_on,
        "cost": asset.cost,
        "residual_value": asset.residual_value,
        "useful_life_months": asset.useful_life_months,
        "method": asset.method,
        "convention": asset.convention,
        "units_total": asset.units_total,
        "status": asset.status,
        "expense_account": asset.expense_account,
        "disposed_on": asset.disposed_on,
    }


def group_relation(
    session: Session, *, sender_id: str, receiver: LegalEntity, on: date
) -> tuple[bool, acc.Relation]:
    """Whether both companies are consolidated under one ultimate parent on `on`, and how they are linked."""
    if receiver.kind != "company":
        return False, acc.Relation.OTHER
    holdings = ownership_service.holdings_on(session, as_of=on)
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
