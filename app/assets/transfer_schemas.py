"""Transfers of assets between group companies on the wire: the request, approvals and rejections, and the
transfer with its unrealised profit. Money travels as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.assets.schemas import Amount, BusinessDate, EntityId, PositiveAmount, UnrealizedProfitRead
from app.core.wire import MoneyStr

TransferKindName = Literal["sale", "free_transfer", "capital_contribution"]
TransferStatusName = Literal["submitted", "executed", "rejected"]


class TransferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_id: str = Field(min_length=1, max_length=36)
    to_entity_id: EntityId
    from_entity_id: EntityId | None = Field(default=None, description="default: the holder on transfer_on")
    kind: TransferKindName
    price: PositiveAmount | None = Field(
        default=None,
        description="sale: the price (required); capital_contribution: the registered capital subscribed "
        "(default the carrying amount); free_transfer: none",
    )
    transfer_on: BusinessDate
    reason: str = Field(min_length=1, max_length=2000)
    receiver_useful_life_months: int | None = Field(
        default=None, ge=1, le=1200, description="sale: the buyer's life (default the remaining life)"
    )
    receiver_residual_value: Amount | None = Field(
        default=None, description="sale: the buyer's residual value"
    )


class ApprovalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str | None = Field(default=None, max_length=500)


class RejectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ApprovalRead(BaseModel):
    approver_id: str
    approver: str
    approved_at: datetime
    comment: str | None


class TransferRead(BaseModel):
    id: str
    asset_id: str
    from_entity_id: str
    to_entity_id: str
    kind: TransferKindName
    price: MoneyStr | None
    transfer_on: date
    reason: str
    status: TransferStatusName
    approvals_required: int
    approvals: list[ApprovalRead]
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None
    rejected_by: str | None
    rejection_reason: str | None
    carrying_amount: MoneyStr | None
    gain: MoneyStr | None
    group_cost: MoneyStr | None
    group_accumulated_depreciation: MoneyStr | None
    seller_entry_id: str | None
    buyer_entry_id: str | None
    unrealized_profit: UnrealizedProfitRead | None
    version: int
