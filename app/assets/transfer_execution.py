"""Executing an approved transfer, in the approval's transaction: depreciation caught up to the day the
asset leaves, both companies' entries by kind (sale, free transfer at book value, contribution as capital),
the asset moved to a new book of the receiver, and the unrealised profit recorded for consolidation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import SOURCE_TRANSFER, ZERO, AssetFacts
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    Method,
    schedule_violations,
)
from app.assets.domain.periods import (
    MonthConvention,
    start_date,
    stop_position,
)
from app.assets.domain.unrealized import remaining_life_months
from app.assets.domain.workflow import (
    TransferStatus,
    Violation,
)
from app.assets.errors import (
    AssetValidationError,
    problem_errors,
)
from app.assets.models import (
    AssetBook,
    AssetTransfer,
    FixedAsset,
    UnrealizedAssetProfit,
)
from app.assets.posting import asset_accounts, catch_up_leaving, post_lines
from app.core.context import Actor


def execute_transfer(
    session: Session,
    *,
    actor: Actor,
    asset: FixedAsset,
    transfer: AssetTransfer,
    facts: AssetFacts,
    relation: acc.Relation,
    now: datetime,
) -> None:
    """Carry out `transfer` of `asset` (module docstring); `relation` is how the two companies are held."""
    accounts = asset_accounts(session)
    kind = acc.TransferKind(transfer.kind)
    on = transfer.transfer_on
    book = facts.open_book()
    assert book is not None
    convention = MonthConvention(book.convention)
    held = catch_up_leaving(
        session,
        actor=actor,
        facts=facts,
        book=book,
        leaving_on=on,
        accounts=accounts,
        source_ref=transfer.id,
        now=now,
    )
    holding = acc.Holding(
        cost=held.cost, accumulated_depreciation=held.accumulated_depreciation, impairment=held.impairment
    )
    group = facts.group_position_leaving(on)
    result = acc.transfer_accounting(
        kind=kind,
        relation=relation,
        holding=holding,
        price=transfer.price,
        sender_id=transfer.from_entity_id,
        receiver_id=transfer.to_entity_id,
        accounts=accounts,
    )
    label = {
        "sale": "Sale",
        "free_transfer": "Free transfer",
        "capital_contribution": "Capital contribution",
    }[kind.value]
    transfer.seller_entry_id = post_lines(
        session,
        actor=actor,
        entity_id=transfer.from_entity_id,
        entry_date=on,
        description=f"{label} of {asset.tag} {asset.name} to a group company",
        lines=result.sender_lines,
        source=SOURCE_TRANSFER,
        source_ref=transfer.id,
        now=now,
    )
    transfer.buyer_entry_id = post_lines(
        session,
        actor=actor,
        entity_id=transfer.to_entity_id,
        entry_date=on,
        description=f"{label} of {asset.tag} {asset.name} from a group company",
        lines=result.receiver_lines,
        source=SOURCE_TRANSFER,
        source_ref=transfer.id,
        now=now,
    )
    book.valid_to = on
    book.ending = "transfer"
    book.depreciation_until = start_date(convention, on)
    session.flush()
    units_used = sum(facts.units_of(book).values(), ZERO)
    start_on = start_date(convention, on)
    if result.continues_schedule:
        new_book = AssetBook(
            asset_id=asset.id,
            entity_id=transfer.to_entity_id,
            valid_from=on,
            origin="transfer",
            transfer_id=transfer.id,
            cost_basis=book.cost_basis,
            residual_value=book.residual_value,
            useful_life_months=book.useful_life_months,
            method=book.method,
            convention=book.convention,
            units_total=book.units_total,
            schedule_start_on=book.schedule_start_on,
            depreciation_from=start_on,
            opening_accumulated=result.receiver_opening_accumulated,
            opening_impairment=result.receiver_opening_impairment,
            units_before=book.units_before + units_used,
            expense_account=book.expense_account,
            entry_id=transfer.buyer_entry_id,
            created_at=now,
        )
    else:
        schedule = facts.domain_book(book).schedule
        remaining = remaining_life_months(life_end=schedule.life_end, at=stop_position(convention, on))
        life = transfer.receiver_useful_life_months or remaining
        price = transfer.price or ZERO
        residual = transfer.receiver_residual_value
        if residual is None:
            residual = min(book.residual_value, price)
        problems = [
            Violation(f, m, t)
            for f, m, t in schedule_violations(
                method=Method(book.method),
                cost=price,
                residual_value=residual,
                life_months=life,
                units_total=None
                if book.units_total is None
                else book.units_total - book.units_before - units_used,
            )
        ]
        if problems:
            raise AssetValidationError(
                "the buyer schedule cannot be set up: give receiver_useful_life_months",
                errors=problem_errors(problems),
            )
        new_book = AssetBook(
            asset_id=asset.id,
            entity_id=transfer.to_entity_id,
            valid_from=on,
            origin="transfer",
            transfer_id=transfer.id,
            cost_basis=price,
            residual_value=residual,
            useful_life_months=life,
            method=book.method,
            convention=book.convention,
            units_total=None
            if book.units_total is None
            else book.units_total - book.units_before - units_used,
            schedule_start_on=start_on,
            depreciation_from=start_on,
            opening_accumulated=ZERO,
            opening_impairment=ZERO,
            units_before=ZERO,
            expense_account=book.expense_account,
            entry_id=transfer.buyer_entry_id,
            created_at=now,
        )
    session.add(new_book)
    session.flush()
    earlier = repository.open_unrealized(session, asset.id)
    if earlier is not None:
        earlier.ended_on = on
        earlier.end_reason = "transferred"
    receiver_ca = new_book.cost_basis - new_book.opening_accumulated - new_book.opening_impairment
    unrealized = receiver_ca - group.carrying_amount
    if unrealized != 0:
        session.add(
            UnrealizedAssetProfit(
                transfer_id=transfer.id,
                asset_id=asset.id,
                book_id=new_book.id,
                seller_entity_id=transfer.from_entity_id,
                buyer_entity_id=transfer.to_entity_id,
                transfer_on=on,
                gain=result.gain,
                unrealized_at_transfer=unrealized,
                group_cost=group.cost,
                group_accumulated_depreciation=group.accumulated_depreciation,
                group_impairment=group.impairment,
                remaining_life_months=remaining_life_months(
                    life_end=facts.group_book().schedule.life_end, at=stop_position(convention, on)
                ),
            )
        )
    asset.holder_entity_id = transfer.to_entity_id
    asset.version += 1
    transfer.status = TransferStatus.EXECUTED.value
    transfer.decided_at = now
    transfer.carrying_amount = result.carrying_amount
    transfer.gain = result.gain
    transfer.group_cost = group.cost
    transfer.group_accumulated_depreciation = group.accumulated_depreciation
    session.flush()
