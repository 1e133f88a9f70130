"""Disposal and impairment of an asset: the months due up to its stop are posted first, dated the day it
leaves, so the asset leaves at its carrying amount on the schedule; then the disposal or impairment entry.

Each is one unit of work (`atomic`), with the lock order of `app.assets.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import SOURCE_DISPOSAL, SOURCE_IMPAIRMENT, ZERO, group_relation, held_asset, load_one
from app.assets.domain import accounting as acc
from app.assets.domain.periods import (
    MonthConvention,
    Period,
    start_date,
)
from app.assets.domain.workflow import (
    AssetStatus,
    Violation,
)
from app.assets.errors import (
    raise_violations,
)
from app.assets.models import (
    AssetDisposal,
    AssetImpairment,
    AssetStatusChange,
    FixedAsset,
)
from app.assets.posting import (
    asset_accounts,
    catch_up_leaving,
    month_closed,
    post_lines,
    posted_after,
    role_code,
)
from app.assets.views import asset_snapshot
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.entities import service as entities_service

# ----------------------------------------------------------------------------------- disposal, impairment


@dataclass(frozen=True)
class DisposalView:
    disposal: AssetDisposal
    asset: FixedAsset


def dispose_asset(
    session: Session,
    *,
    actor: Actor,
    asset_id: str,
    disposed_on: date,
    kind: acc.DisposalKind,
    proceeds: Decimal,
    now: datetime,
    costs: Decimal = ZERO,
    proceeds_account_code: str | None = None,
    counterparty_entity_id: str | None = None,
    reason: str | None = None,
) -> DisposalView:
    """Sell or scrap an asset outside the group: the months due are posted, then the disposal entry.

    Any unrealised profit from an earlier internal sale is released at once (the group realises it now).

    Raises:
        AssetNotFoundError; AssetDisposedError; TransferAlreadyOpenError (a transfer awaits a decision);
        AssetNotHeldBySenderError (a date before the holding began); PeriodClosedError;
        AssetDepreciatedAfterDateError; AssetValidationError (accounts, counterparty inside the group).
    """
    with atomic(session):
        asset = held_asset(session, actor=actor, asset_id=asset_id)
        facts = load_one(session, asset.id)
        book = facts.open_book()
        violations: list[Violation] = []
        if book is None or asset.disposed_on is not None:
            violations.append(Violation("asset_id", "the asset has been disposed of", "asset-disposed"))
        elif disposed_on <= book.valid_from:
            violations.append(
                Violation(
                    "disposed_on",
                    f"the holder holds the asset from {book.valid_from}",
                    "asset-not-held-by-sender",
                )
            )
        open_transfer = repository.open_transfer(session, asset.id)
        if open_transfer is not None:
            violations.append(
                Violation(
                    "asset_id",
                    "a transfer of this asset awaits a decision",
                    "transfer-already-open",
                    {"open_transfer_id": open_transfer.id},
                )
            )
        if book is not None and month_closed(session, actor=actor, entity_id=book.entity_id, day=disposed_on):
            violations.append(
                Violation(
                    "disposed_on",
                    f"{Period.of(disposed_on)} is closed",
                    "period-closed",
                    {"period": str(Period.of(disposed_on)), "entity_id": book.entity_id},
                )
            )
        if book is not None and disposed_on > book.valid_from:
            late = posted_after(session, book=book, convention=facts.convention, day=disposed_on)
            if late is not None:
                violations.append(
                    Violation(
                        "disposed_on",
                        f"depreciation is already booked for {late}",
                        "asset-depreciated-after-date",
                        {"period": late},
                    )
                )
        account = proceeds_account_code or role_code(session, "cash")
        if repository.account_type(session, account) is None:
            violations.append(Violation("proceeds_account_code", f"no account {account}", "unknown_account"))
        if counterparty_entity_id is not None:
            party = entities_service.entities_by_id(session, entity_ids=[counterparty_entity_id]).get(
                counterparty_entity_id
            )
            if party is None:
                violations.append(Violation("counterparty_entity_id", "no such entity", "unknown_entity"))
            elif book is not None and party.kind == "company":
                inside, _ = group_relation(session, sender_id=book.entity_id, receiver=party, on=disposed_on)
                if inside:
                    violations.append(
                        Violation(
                            "counterparty_entity_id",
                            "a group company: request a transfer instead",
                            "counterparty_in_group",
                        )
                    )
        raise_violations(violations, detail=f"asset {asset.tag} cannot be disposed of")
        assert book is not None
        accounts = asset_accounts(session)
        held = catch_up_leaving(
            session,
            actor=actor,
            facts=facts,
            book=book,
            leaving_on=disposed_on,
            accounts=accounts,
            source_ref=asset.id,
            now=now,
        )
        group = facts.group_position_leaving(disposed_on)
        result = acc.disposal_accounting(
            kind=kind,
            holding=acc.Holding(
                cost=held.cost,
                accumulated_depreciation=held.accumulated_depreciation,
                impairment=held.impairment,
            ),
            proceeds=proceeds,
            costs=costs,
            proceeds_account=account,
            costs_account=role_code(session, "cash"),
            counterparty_entity_id=counterparty_entity_id,
            accounts=accounts,
        )
        before = asset_snapshot(asset)
        entry_id = post_lines(
            session,
            actor=actor,
            entity_id=book.entity_id,
            entry_date=disposed_on,
            description=f"{kind.value.capitalize()} of {asset.tag} {asset.name} outside the group",
            lines=result.lines,
            source=SOURCE_DISPOSAL,
            source_ref=asset.id,
            now=now,
        )
        book.valid_to = disposed_on
        book.ending = "disposal"
        book.depreciation_until = start_date(MonthConvention(book.convention), disposed_on)
        asset.status = AssetStatus.DISPOSED.value
        asset.disposed_on = disposed_on
        asset.version += 1
        session.add(
            AssetStatusChange(
                asset_id=asset.id,
                status=AssetStatus.DISPOSED.value,
                effective_on=disposed_on,
                reason=reason,
                changed_at=now,
                changed_by=actor.username,
            )
        )
        earlier = repository.open_unrealized(session, asset.id)
        if earlier is not None:
            earlier.ended_on = disposed_on
            earlier.end_reason = "sold_outside"
        disposal = AssetDisposal(
            asset_id=asset.id,
            book_id=book.id,
            entity_id=book.entity_id,
            disposed_on=disposed_on,
            kind=kind.value,
            proceeds=proceeds,
            costs=costs,
            counterparty_entity_id=counterparty_entity_id,
            carrying_amount=result.carrying_amount,
            gain=result.gain,
            group_carrying_amount=group.carrying_amount,
            reason=reason,
            entry_id=entry_id,
            created_at=now,
            created_by=actor.username,
        )
        session.add(disposal)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.disposed",
            subject_type="asset",
            subject_id=asset.id,
            at=now,
            entity_id=book.entity_id,
            before=before,
            after={**asset_snapshot(asset), "proceeds": proceeds, "gain": result.gain, "entry_id": entry_id},
        )
        return DisposalView(disposal=disposal, asset=asset)


def impair_asset(
    session: Session,
    *,
    actor: Actor,
    asset_id: str,
    impaired_on: date,
    amount: Decimal,
    reason: str,
    now: datetime,
) -> AssetImpairment:
    """Recognise an impairment loss (Dr 6701 / Cr 1603); depreciation is rebased from the next month.

    Raises:
        AssetNotFoundError; AssetDisposedError; AssetNotHeldBySenderError (a date outside the holding);
        AssetValidationError (more than the carrying amount); AssetDepreciatedAfterDateError;
        PeriodClosedError.
    """
    with atomic(session):
        asset = held_asset(session, actor=actor, asset_id=asset_id)
        facts = load_one(session, asset.id)
        book = facts.open_book()
        violations: list[Violation] = []
        if book is None:
            violations.append(Violation("asset_id", "the asset has been disposed of", "asset-disposed"))
        elif impaired_on < book.valid_from:
            violations.append(
                Violation(
                    "impaired_on",
                    f"the holder holds the asset from {book.valid_from}",
                    "asset-not-held-by-sender",
                )
            )
        else:
            carrying = facts.position_of(book, impaired_on).carrying_amount
            if amount > carrying:
                violations.append(
                    Violation(
                        "amount",
                        f"more than the carrying amount {carrying}",
                        "impairment_above_carrying_amount",
                        {"carrying_amount": carrying},
                    )
                )
            effective = Period.of(impaired_on).plus(1)
            late = sorted(
                p
                for p in repository.posted_periods(session, [book.id])[book.id]
                if Period.parse(p) >= effective
            )
            if late:
                violations.append(
                    Violation(
                        "impaired_on",
                        f"depreciation is already booked for {late[0]}",
                        "asset-depreciated-after-date",
                        {"period": late[0]},
                    )
                )
        raise_violations(violations, detail=f"asset {asset.tag} cannot be impaired")
        assert book is not None
        entry_id = post_lines(
            session,
            actor=actor,
            entity_id=book.entity_id,
            entry_date=impaired_on,
            description=f"Impairment of {asset.tag} {asset.name}",
            lines=acc.impairment_lines(accounts=asset_accounts(session), amount=amount),
            source=SOURCE_IMPAIRMENT,
            source_ref=asset.id,
            now=now,
        )
        row = AssetImpairment(
            asset_id=asset.id,
            book_id=book.id,
            entity_id=book.entity_id,
            impaired_on=impaired_on,
            amount=amount,
            reason=reason,
            entry_id=entry_id,
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        asset.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.impaired",
            subject_type="asset",
            subject_id=asset.id,
            at=now,
            entity_id=book.entity_id,
            after={"impaired_on": impaired_on, "amount": amount, "reason": reason, "entry_id": entry_id},
        )
        return row
