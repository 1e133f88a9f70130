"""The read views of an asset: its books as of a date, and its snapshot for the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.assets.common import AssetFacts
from app.assets.domain.depreciation import (
    BookPosition,
)
from app.assets.models import (
    AssetBook,
    FixedAsset,
)
from app.core.context import Actor


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
