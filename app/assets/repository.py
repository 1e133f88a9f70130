"""Every query of the asset register. Returns models; never commits.

Locks are taken in one order by every use case: asset rows (by id), then the transfer row, then whatever the
books and the audit trail lock while posting.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import ScalarSelect, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.assets.models import (
    AssetBook,
    AssetDisposal,
    AssetImpairment,
    AssetRehoming,
    AssetStatusChange,
    AssetTransfer,
    AssetUsage,
    DepreciationPosting,
    DepreciationRun,
    FixedAsset,
    TransferApproval,
    UnrealizedAssetProfit,
)
from app.ledger import repository as ledger_repository

# ------------------------------------------------------------------------------------------------ assets


def get_asset(session: Session, asset_id: str, *, for_update: bool = False) -> FixedAsset | None:
    query = select(FixedAsset).where(FixedAsset.id == asset_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=for_update)).scalar_one_or_none()


def lock_assets(session: Session, asset_ids: Collection[str]) -> list[FixedAsset]:
    """Lock asset rows in id order (the order every use case takes them in)."""
    if not asset_ids:
        return []
    query = (
        select(FixedAsset)
        .where(FixedAsset.id.in_(sorted(set(asset_ids))))
        .order_by(FixedAsset.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.execute(query).scalars())


def asset_by_tag(session: Session, tag: str) -> FixedAsset | None:
    return session.execute(select(FixedAsset).where(FixedAsset.tag == tag)).scalar_one_or_none()


def assets_by_id(session: Session, asset_ids: Collection[str]) -> dict[str, FixedAsset]:
    if not asset_ids:
        return {}
    rows = session.execute(select(FixedAsset).where(FixedAsset.id.in_(sorted(set(asset_ids))))).scalars()
    return {a.id: a for a in rows}


def _status_on(as_of: date) -> ScalarSelect[str]:
    return (
        select(AssetStatusChange.status)
        .where(AssetStatusChange.asset_id == FixedAsset.id, AssetStatusChange.effective_on <= as_of)
        .order_by(AssetStatusChange.effective_on.desc(), AssetStatusChange.changed_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def list_assets(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    entity_id: str | None,
    status: str | None,
    category: str | None,
    as_of: date | None,
    visible: frozenset[str] | None,
) -> Sequence[FixedAsset]:
    """Assets in id order. With `as_of`, the holder and the status are those of that date."""
    query = select(FixedAsset).order_by(FixedAsset.id).limit(limit)
    if after_id is not None:
        query = query.where(FixedAsset.id > after_id)
    if category is not None:
        query = query.where(FixedAsset.category == category)
    if as_of is None:
        if entity_id is not None:
            query = query.where(FixedAsset.holder_entity_id == entity_id)
        if status is not None:
            query = query.where(FixedAsset.status == status)
        if visible is not None:
            query = query.where(FixedAsset.holder_entity_id.in_(sorted(visible)))
        return session.execute(query).scalars().all()
    held = [
        AssetBook.asset_id == FixedAsset.id,
        AssetBook.valid_from <= as_of,
        or_(AssetBook.valid_to.is_(None), AssetBook.valid_to > as_of),
    ]
    if entity_id is not None:
        held.append(AssetBook.entity_id == entity_id)
    if visible is not None:
        held.append(AssetBook.entity_id.in_(sorted(visible)))
    query = query.where(exists().where(and_(*held)))
    if status is not None:
        query = query.where(_status_on(as_of) == status)
    return session.execute(query).scalars().all()


# ------------------------------------------------------------------------------------------------- books


def books_of(session: Session, asset_ids: Collection[str]) -> dict[str, list[AssetBook]]:
    """Every book of the assets, oldest first."""
    out: dict[str, list[AssetBook]] = {a: [] for a in asset_ids}
    if not asset_ids:
        return out
    rows = session.execute(
        select(AssetBook)
        .where(AssetBook.asset_id.in_(sorted(set(asset_ids))))
        .order_by(AssetBook.asset_id, AssetBook.valid_from, AssetBook.created_at)
    ).scalars()
    for row in rows:
        out[row.asset_id].append(row)
    return out


def open_book(session: Session, asset_id: str) -> AssetBook | None:
    return session.execute(
        select(AssetBook).where(AssetBook.asset_id == asset_id, AssetBook.valid_to.is_(None))
    ).scalar_one_or_none()


def asset_ids_held(
    session: Session, *, start: date, end: date, entity_ids: Collection[str] | None
) -> list[str]:
    """Assets with a book overlapping [start, end] (inclusive), optionally in some entities."""
    query = select(AssetBook.asset_id).where(
        AssetBook.valid_from <= end, or_(AssetBook.valid_to.is_(None), AssetBook.valid_to >= start)
    )
    if entity_ids is not None:
        query = query.where(AssetBook.entity_id.in_(sorted(set(entity_ids))))
    return sorted(set(session.execute(query).scalars()))


def entities_with_books(session: Session, *, until: date) -> list[str]:
    rows = session.execute(select(AssetBook.entity_id).where(AssetBook.valid_from <= until).distinct())
    return sorted(rows.scalars())


def books_of_entity(session: Session, *, entity_id: str, until: date) -> list[AssetBook]:
    return list(
        session.execute(
            select(AssetBook)
            .where(AssetBook.entity_id == entity_id, AssetBook.valid_from <= until)
            .order_by(AssetBook.asset_id, AssetBook.valid_from)
        ).scalars()
    )


# ------------------------------------------------------------------------------- facts kept beside books


def status_changes(session: Session, asset_ids: Collection[str]) -> dict[str, list[AssetStatusChange]]:
    out: dict[str, list[AssetStatusChange]] = {a: [] for a in asset_ids}
    if not asset_ids:
        return out
    rows = session.execute(
        select(AssetStatusChange)
        .where(AssetStatusChange.asset_id.in_(sorted(set(asset_ids))))
        .order_by(AssetStatusChange.effective_on, AssetStatusChange.changed_at)
    ).scalars()
    for row in rows:
        out[row.asset_id].append(row)
    return out


def impairments(session: Session, asset_ids: Collection[str]) -> dict[str, list[AssetImpairment]]:
    out: dict[str, list[AssetImpairment]] = {a: [] for a in asset_ids}
    if not asset_ids:
        return out
    rows = session.execute(
        select(AssetImpairment)
        .where(AssetImpairment.asset_id.in_(sorted(set(asset_ids))))
        .order_by(AssetImpairment.impaired_on, AssetImpairment.created_at)
    ).scalars()
    for row in rows:
        out[row.asset_id].append(row)
    return out


def usage(session: Session, asset_ids: Collection[str]) -> dict[str, list[AssetUsage]]:
    out: dict[str, list[AssetUsage]] = {a: [] for a in asset_ids}
    if not asset_ids:
        return out
    rows = session.execute(
        select(AssetUsage).where(AssetUsage.asset_id.in_(sorted(set(asset_ids)))).order_by(AssetUsage.period)
    ).scalars()
    for row in rows:
        out[row.asset_id].append(row)
    return out


def posted_periods(session: Session, book_ids: Collection[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {b: set() for b in book_ids}
    if not book_ids:
        return out
    rows = session.execute(
        select(DepreciationPosting.book_id, DepreciationPosting.period).where(
            DepreciationPosting.book_id.in_(sorted(set(book_ids)))
        )
    )
    for book_id, period in rows:
        out[book_id].add(period)
    return out


def postings_of_asset(session: Session, asset_id: str) -> list[DepreciationPosting]:
    return list(
        session.execute(
            select(DepreciationPosting)
            .where(DepreciationPosting.asset_id == asset_id)
            .order_by(DepreciationPosting.period)
        ).scalars()
    )


def disposal_of(session: Session, asset_id: str) -> AssetDisposal | None:
    return session.execute(
        select(AssetDisposal).where(AssetDisposal.asset_id == asset_id)
    ).scalar_one_or_none()


# ---------------------------------------------------------------------------------------------------- runs


def get_run(session: Session, *, entity_id: str, period: str) -> DepreciationRun | None:
    return session.execute(
        select(DepreciationRun).where(
            DepreciationRun.entity_id == entity_id, DepreciationRun.period == period
        )
    ).scalar_one_or_none()


# ----------------------------------------------------------------------------------------------- transfers


def get_transfer(session: Session, transfer_id: str, *, for_update: bool = False) -> AssetTransfer | None:
    query = select(AssetTransfer).where(AssetTransfer.id == transfer_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=for_update)).scalar_one_or_none()


def open_transfer(session: Session, asset_id: str) -> AssetTransfer | None:
    return session.execute(
        select(AssetTransfer).where(AssetTransfer.asset_id == asset_id, AssetTransfer.status == "submitted")
    ).scalar_one_or_none()


def list_transfers(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    asset_id: str | None,
    status: str | None,
    entity_id: str | None,
    visible: frozenset[str] | None,
) -> Sequence[AssetTransfer]:
    query = select(AssetTransfer).order_by(AssetTransfer.id).limit(limit)
    if after_id is not None:
        query = query.where(AssetTransfer.id > after_id)
    if asset_id is not None:
        query = query.where(AssetTransfer.asset_id == asset_id)
    if status is not None:
        query = query.where(AssetTransfer.status == status)
    if entity_id is not None:
        query = query.where(
            or_(AssetTransfer.from_entity_id == entity_id, AssetTransfer.to_entity_id == entity_id)
        )
    if visible is not None:
        ids = sorted(visible)
        query = query.where(AssetTransfer.from_entity_id.in_(ids), AssetTransfer.to_entity_id.in_(ids))
    return session.execute(query).scalars().all()


def approvals_of(session: Session, transfer_ids: Collection[str]) -> dict[str, list[TransferApproval]]:
    out: dict[str, list[TransferApproval]] = {t: [] for t in transfer_ids}
    if not transfer_ids:
        return out
    rows = session.execute(
        select(TransferApproval)
        .where(TransferApproval.transfer_id.in_(sorted(set(transfer_ids))))
        .order_by(TransferApproval.approved_at, TransferApproval.id)
    ).scalars()
    for row in rows:
        out[row.transfer_id].append(row)
    return out


def count_executed(session: Session, asset_id: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(AssetTransfer)
            .where(AssetTransfer.asset_id == asset_id, AssetTransfer.status == "executed")
        ).scalar_one()
    )


# ------------------------------------------------------------------------------------ unrealised profits


def open_unrealized(session: Session, asset_id: str) -> UnrealizedAssetProfit | None:
    return session.execute(
        select(UnrealizedAssetProfit).where(
            UnrealizedAssetProfit.asset_id == asset_id, UnrealizedAssetProfit.ended_on.is_(None)
        )
    ).scalar_one_or_none()


def unrealized_for_transfers(
    session: Session, transfer_ids: Collection[str]
) -> dict[str, UnrealizedAssetProfit]:
    if not transfer_ids:
        return {}
    rows = session.execute(
        select(UnrealizedAssetProfit).where(UnrealizedAssetProfit.transfer_id.in_(sorted(set(transfer_ids))))
    ).scalars()
    return {r.transfer_id: r for r in rows}


def unrealized_alive(session: Session, *, start: date, as_of: date) -> list[UnrealizedAssetProfit]:
    """Records that existed at some point of [start, as_of]."""
    return list(
        session.execute(
            select(UnrealizedAssetProfit)
            .where(
                UnrealizedAssetProfit.transfer_on <= as_of,
                or_(UnrealizedAssetProfit.ended_on.is_(None), UnrealizedAssetProfit.ended_on >= start),
            )
            .order_by(UnrealizedAssetProfit.transfer_on, UnrealizedAssetProfit.id)
        ).scalars()
    )


# ---------------------------------------------------------------------------------------- the group chart


def account_codes_with_role(session: Session, role: str) -> list[str]:
    """The chart's accounts carrying a role (the books offer no service for this lookup yet)."""
    return sorted(a.code for a in ledger_repository.accounts_with_role(session, role=role))


def account_type(session: Session, code: str) -> str | None:
    account = ledger_repository.get_account(session, code=code)
    return None if account is None else account.type


# ------------------------------------------------------------------------------------------- re-homing


def asset_ids_of_entities_after(session: Session, *, entity_ids: Collection[str], on: date) -> list[str]:
    """Assets with a book in one of the entities that is still running on `on` (or starts later)."""
    if not entity_ids:
        return []
    query = select(AssetBook.asset_id).where(
        AssetBook.entity_id.in_(sorted(set(entity_ids))),
        or_(AssetBook.valid_to.is_(None), AssetBook.valid_to > on),
    )
    return sorted(set(session.execute(query).scalars()))


def rehomings_of(session: Session, asset_ids: Collection[str]) -> dict[str, list[AssetRehoming]]:
    out: dict[str, list[AssetRehoming]] = {a: [] for a in asset_ids}
    if not asset_ids:
        return out
    rows = session.execute(
        select(AssetRehoming)
        .where(AssetRehoming.asset_id.in_(sorted(set(asset_ids))))
        .order_by(AssetRehoming.asset_id, AssetRehoming.rehomed_on, AssetRehoming.id)
    ).scalars()
    for row in rows:
        out[row.asset_id].append(row)
    return out
