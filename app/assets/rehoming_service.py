"""Re-homing: the assets of a company absorbed by a merger pass to the survivor, identity and history kept.

A merger is not a transfer between two going concerns: nobody requests or approves it asset by asset, and the
event's own entries move every balance of the absorbed company (cost, accumulated depreciation, impairment
allowance included) into the survivor's books. What the register must do is move each asset so that its
history stays unbroken: the absorbed company's book ends on the merger date (`ending` "transfer"), and a
book of the survivor starts that day on the same schedule (the original cost basis, residual value, life,
method and service start), opening with the accumulated depreciation and impairment the absorbed company
held. An `AssetRehoming` of kind `merger` names the event and the two books; each move is audited
(`asset.rehomed.merger`). Nothing is posted here.

The rules (`rehoming_check`, read only, so a preview and its commit see the same refusals):
- an asset with a transfer request still open is refused: decide (approve or reject) the request first;
- the absorbed company must have posted its depreciation up to the merger (the months it charges when the
  asset leaves on that date), else the balances the merger moves and the register would disagree;
- an asset depreciated by the absorbed company for a month after it leaves, acquired or received by it on or
  after the merger date, or moved or disposed of after that date, is refused: the merger is dated before it;
- an asset carrying unrealised profit from an earlier internal sale is refused for now: the consolidation
  follows that profit through the buyer's book, and a merger cannot yet carry it to the survivor's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import AssetFacts, load_facts
from app.assets.domain.depreciation import BookPosition, position_on, unposted_charges
from app.assets.domain.periods import MonthConvention, Period, start_date
from app.assets.errors import AssetValidationError
from app.assets.models import AssetBook, AssetRehoming
from app.assets.posting import posted_after
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic

MERGER = "merger"


@dataclass(frozen=True)
class RehomingRefusal:
    asset_id: str
    tag: str
    entity_id: str
    message: str
    type: str


@dataclass(frozen=True)
class RehomingCandidate:
    """An asset the company holds on the date, and its figures then (what the survivor's book opens with)."""

    asset_id: str
    tag: str
    entity_id: str
    position: BookPosition


@dataclass(frozen=True)
class RehomingCheck:
    candidates: tuple[RehomingCandidate, ...]
    refusals: tuple[RehomingRefusal, ...]

    def of(self, entity_id: str) -> tuple[RehomingCandidate, ...]:
        return tuple(c for c in self.candidates if c.entity_id == entity_id)


def _check_one(
    session: Session, *, facts: AssetFacts, entity_ids: Collection[str], on: date
) -> tuple[RehomingCandidate | None, list[RehomingRefusal]]:
    asset = facts.asset
    refusals: list[RehomingRefusal] = []
    mine = [b for b in facts.books if b.entity_id in entity_ids and (b.valid_to is None or b.valid_to > on)]
    entity = mine[0].entity_id if mine else asset.holder_entity_id

    def refuse(message: str, kind: str) -> None:
        refusals.append(RehomingRefusal(asset.id, asset.tag, entity, message, kind))

    book = facts.book_on(on)
    if book is None or book.entity_id not in entity_ids:
        refuse(
            f"asset {asset.tag} comes to the company on or after the merger date",
            "asset_held_after_merger",
        )
        return None, refusals
    if book.valid_to is not None or book.valid_from >= on:
        refuse(
            f"asset {asset.tag} moved, was disposed of or arrived on or after the merger date: "
            "date the merger before those or reverse them",
            "asset_held_after_merger",
        )
        return None, refusals
    if repository.open_transfer(session, asset.id) is not None:
        refuse(
            f"asset {asset.tag} has a transfer request awaiting decision: approve or reject it first",
            "asset_transfer_open",
        )
    if repository.open_unrealized(session, asset.id) is not None:
        refuse(
            f"asset {asset.tag} carries unrealised profit of an earlier internal sale, which a merger cannot "
            "carry to the survivor yet",
            "asset_unrealized_profit_open",
        )
    convention = MonthConvention(book.convention)
    late = posted_after(session, book=book, convention=convention, day=on)
    if late is not None:
        refuse(
            f"asset {asset.tag} is already depreciated for {late}, after the merger",
            "asset_depreciated_after_merger",
        )
    domain = facts.domain_book(book, leaving_on=on)
    units = facts.units_of(book)
    posted = [Period.parse(p) for p in repository.posted_periods(session, [book.id])[book.id]]
    due = unposted_charges(domain, through=Period.of(on), posted=posted, units=units)
    if due:
        months = ", ".join(str(c.period) for c in due)
        refuse(
            f"asset {asset.tag}: the depreciation of {months} is not posted; run it before the merger",
            "asset_depreciation_not_posted",
        )
    return RehomingCandidate(asset.id, asset.tag, book.entity_id, position_on(domain, day=on, units=units)), (
        refusals
    )


def rehoming_check(session: Session, *, entity_ids: Collection[str], on: date) -> RehomingCheck:
    """The assets `entity_ids` hold on `on` that a merger that day re-homes, and every refusal (module
    docstring). Reads only."""
    ids = repository.asset_ids_of_entities_after(session, entity_ids=entity_ids, on=on)
    facts = load_facts(session, ids)
    candidates: list[RehomingCandidate] = []
    refusals: list[RehomingRefusal] = []
    for asset_id in sorted(facts, key=lambda a: (facts[a].asset.tag, a)):
        candidate, found = _check_one(session, facts=facts[asset_id], entity_ids=set(entity_ids), on=on)
        if candidate is not None:
            candidates.append(candidate)
        refusals += found
    return RehomingCheck(candidates=tuple(candidates), refusals=tuple(refusals))


def rehome_for_merger(
    session: Session,
    *,
    actor: Actor,
    from_entity_id: str,
    to_entity_id: str,
    on: date,
    event_id: str,
    now: datetime,
) -> list[AssetRehoming]:
    """Move every asset `from_entity_id` holds on `on` to `to_entity_id`, inside the caller's transaction.

    The caller (the merger) posts the entries that move the balances; this moves the register (module
    docstring) and audits each asset.

    Raises:
        AssetValidationError: an asset is refused (every refusal in `errors`); nothing is moved.
    """
    with atomic(session):
        ids = repository.asset_ids_of_entities_after(session, entity_ids=[from_entity_id], on=on)
        locked = repository.lock_assets(session, ids)
        check = rehoming_check(session, entity_ids=[from_entity_id], on=on)
        if check.refusals:
            raise AssetValidationError(
                "the assets of the absorbed company cannot pass to the survivor: "
                f"{check.refusals[0].message}",
                errors=[{"loc": ["asset", r.tag], "msg": r.message, "type": r.type} for r in check.refusals],
            )
        assets = {a.id: a for a in locked}
        facts = load_facts(session, [c.asset_id for c in check.candidates])
        out: list[AssetRehoming] = []
        for candidate in check.candidates:
            asset, item = assets[candidate.asset_id], facts[candidate.asset_id]
            book = item.book_on(on)
            assert book is not None
            convention = MonthConvention(book.convention)
            held = candidate.position
            units_used = sum(item.units_of(book).values(), Decimal(0))
            book.valid_to = on
            book.ending = "transfer"
            book.depreciation_until = start_date(convention, on)
            session.flush()
            new_book = AssetBook(
                asset_id=asset.id,
                entity_id=to_entity_id,
                valid_from=on,
                origin="transfer",
                transfer_id=None,
                cost_basis=book.cost_basis,
                residual_value=book.residual_value,
                useful_life_months=book.useful_life_months,
                method=book.method,
                convention=book.convention,
                units_total=book.units_total,
                schedule_start_on=book.schedule_start_on,
                depreciation_from=start_date(convention, on),
                opening_accumulated=held.accumulated_depreciation,
                opening_impairment=held.impairment,
                units_before=book.units_before + units_used,
                expense_account=book.expense_account,
                entry_id=None,
                created_at=now,
            )
            session.add(new_book)
            session.flush()
            rehoming = AssetRehoming(
                asset_id=asset.id,
                kind=MERGER,
                group_event_id=event_id,
                from_entity_id=from_entity_id,
                to_entity_id=to_entity_id,
                rehomed_on=on,
                from_book_id=book.id,
                to_book_id=new_book.id,
                cost=held.cost,
                accumulated_depreciation=held.accumulated_depreciation,
                impairment=held.impairment,
                carrying_amount=held.carrying_amount,
                created_at=now,
                created_by=actor.username,
            )
            session.add(rehoming)
            asset.holder_entity_id = to_entity_id
            asset.version += 1
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="asset.rehomed.merger",
                subject_type="fixed_asset",
                subject_id=asset.id,
                at=now,
                entity_id=from_entity_id,
                before={"holder_entity_id": from_entity_id, "book_id": book.id},
                after={
                    "holder_entity_id": to_entity_id,
                    "book_id": new_book.id,
                    "rehoming_id": rehoming.id,
                    "kind": MERGER,
                    "group_event_id": event_id,
                    "rehomed_on": on,
                    "cost": held.cost,
                    "accumulated_depreciation": held.accumulated_depreciation,
                    "impairment": held.impairment,
                    "carrying_amount": held.carrying_amount,
                },
            )
            out.append(rehoming)
        return out


def rehomings_of(session: Session, *, asset_id: str) -> list[AssetRehoming]:
    """The group events that moved the asset, oldest first."""
    return repository.rehomings_of(session, [asset_id])[asset_id]
