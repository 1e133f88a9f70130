"""The asset reports on the wire: register, roll-forward, idle assets and unrealised profits. Money travels
as decimal strings."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.assets.schemas import CategoryName, StatusName, UnrealizedProfitRead
from app.core.wire import DecimalStr, MoneyStr


class RegisterLineRead(BaseModel):
    asset_id: str
    tag: str
    name: str
    category: CategoryName
    location: str | None
    entity_id: str
    status: StatusName | None
    cost: MoneyStr
    accumulated_depreciation: MoneyStr
    impairment: MoneyStr
    carrying_amount: MoneyStr


class RegisterTotals(BaseModel):
    cost: MoneyStr
    accumulated_depreciation: MoneyStr
    impairment: MoneyStr
    carrying_amount: MoneyStr


class AssetRegisterRead(BaseModel):
    as_of: date
    entity_id: str | None
    lines: list[RegisterLineRead]
    totals: RegisterTotals


class RollForwardRead(BaseModel):
    opening: MoneyStr
    additions: MoneyStr
    transfers_in: MoneyStr
    transfers_out: MoneyStr
    disposals: MoneyStr
    depreciation: MoneyStr
    impairment: MoneyStr
    closing: MoneyStr


class EntityRollForwardRead(RollForwardRead):
    entity_id: str


class AssetRollForwardRead(BaseModel):
    """Carrying amounts. Companies in their own books; the group in its view (original cost and schedule, no
    internal transfers): present only when no `entity_id` is asked for."""

    from_: date = Field(alias="from")
    to: date
    entities: list[EntityRollForwardRead]
    total: RollForwardRead
    group: RollForwardRead | None

    model_config = ConfigDict(populate_by_name=True)


class IdleEntityRead(BaseModel):
    entity_id: str
    idle_carrying_amount: MoneyStr
    total_carrying_amount: MoneyStr
    idle_share: DecimalStr = Field(description="idle / total carrying amount, a fraction (0.25 = 25%)")
    assets: list[RegisterLineRead]


class IdleAssetsRead(BaseModel):
    as_of: date
    entities: list[IdleEntityRead]


class UnrealizedLineRead(BaseModel):
    record: UnrealizedProfitRead
    unrealized_at_start: MoneyStr
    arising: MoneyStr
    released: MoneyStr
    unrealized: MoneyStr


class UnrealizedProfitsRead(BaseModel):
    from_: date = Field(alias="from")
    as_of: date
    items: list[UnrealizedLineRead]

    model_config = ConfigDict(populate_by_name=True)
