"""What the asset routes share: the role dependencies, the as-of query, money shaping to the cent and the
unrealized-profit record (a transfer's and the report's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Query

from app.assets.models import UnrealizedAssetProfit
from app.assets.schemas import FIRST_DAY, LAST_DAY, UnrealizedProfitRead
from app.core.context import Actor
from app.core.money import round_half_up
from app.core.pagination import decode_cursor
from app.core.security import PREPARERS, READERS, Role
from app.users.auth import allow

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
Controller = Annotated[Actor, Depends(allow(Role.CONTROLLER))]
AsOfQuery = Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="default: today")]
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return round_half_up(value, CENT)


def cents_opt(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents(value)


def after_id(cursor: str | None) -> str | None:
    values = decode_cursor(cursor, arity=1)
    return None if values is None else str(values[0])


def unrealized_read(row: UnrealizedAssetProfit) -> UnrealizedProfitRead:
    return UnrealizedProfitRead(
        id=row.id,
        transfer_id=row.transfer_id,
        asset_id=row.asset_id,
        seller_entity_id=row.seller_entity_id,
        buyer_entity_id=row.buyer_entity_id,
        transfer_on=row.transfer_on,
        gain=cents(row.gain),
        unrealized_at_transfer=cents(row.unrealized_at_transfer),
        group_cost=cents(row.group_cost),
        group_accumulated_depreciation=cents(row.group_accumulated_depreciation),
        group_impairment=cents(row.group_impairment),
        remaining_life_months=row.remaining_life_months,
        ended_on=row.ended_on,
        end_reason=row.end_reason,
    )
