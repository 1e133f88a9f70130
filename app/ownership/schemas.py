"""Stakes, method overrides and ownership figures on the wire. Shares are decimal strings (fractions 0..1)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.core.wire import DecimalStr, MoneyStr

Method = Literal["parent", "subsidiary", "associate", "joint_venture", "investment"]
OverrideMethod = Literal["subsidiary", "associate", "joint_venture", "investment"]
ID_MAX = 36

# The range rules (0 < share <= 1, amounts >= 0) are checked by the service together with every other stake
# rule, so one answer lists all violations; the schema bounds the digits. Decimals travel as JSON strings.
ShareIn = Annotated[DecimalStr, Field(max_digits=13, decimal_places=12)]


class StakeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holder_id: str = Field(min_length=1, max_length=ID_MAX)
    investee_id: str = Field(min_length=1, max_length=ID_MAX)
    share: ShareIn = Field(description="capital share, a fraction in (0, 1]")
    voting_share: ShareIn | None = Field(
        default=None, description="voting share in (0, 1]; defaults to share"
    )
    valid_from: date
    valid_to: date | None = Field(default=None, description="exclusive; null = open")
    capital_subscribed: MoneyStr | None = Field(
        default=None, description="subscribed registered capital (认缴)"
    )
    capital_paid: MoneyStr | None = Field(default=None, description="paid-in capital (实缴)")
    capital_amount: MoneyStr | None = Field(default=None, description="alias of capital_subscribed")

    @field_validator("capital_amount")
    @classmethod
    def _alias_agrees(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        subscribed = info.data.get("capital_subscribed")
        if value is not None and subscribed is not None and value != subscribed:
            raise ValueError("is an alias of capital_subscribed and differs from it; send one of them")
        return value

    @property
    def subscribed(self) -> Decimal | None:
        return self.capital_subscribed if self.capital_subscribed is not None else self.capital_amount


class StakeEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    valid_to: date = Field(description="the first day the holding no longer exists")


class StakeRead(BaseModel):
    id: str
    holder_id: str
    investee_id: str
    share: DecimalStr
    voting_share: DecimalStr
    valid_from: date
    valid_to: date | None
    capital_subscribed: DecimalStr | None
    capital_paid: DecimalStr | None
    source: str | None
    created_at: datetime


class StakeCreated(StakeRead):
    superseded: StakeRead | None = Field(
        default=None, description="the same holder's open stake that this one replaced (ended on valid_from)"
    )


class MethodOverrideCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    parent_id: str = Field(min_length=1, max_length=ID_MAX)
    entity_id: str = Field(min_length=1, max_length=ID_MAX)
    method: OverrideMethod
    reason: str = Field(min_length=1, max_length=2000)
    valid_from: date
    valid_to: date | None = None


class MethodOverrideEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    valid_to: date


class MethodOverrideRead(BaseModel):
    id: str
    parent_id: str
    entity_id: str
    method: OverrideMethod
    reason: str
    approved_by: str
    valid_from: date
    valid_to: date | None
    created_at: datetime


class MethodOverrideCreated(MethodOverrideRead):
    superseded: MethodOverrideRead | None = None


class EntityOwnershipRead(BaseModel):
    entity_id: str
    code: str
    name: str
    control_share: DecimalStr = Field(description="votes held by the parent and the entities it controls")
    interest_share: DecimalStr = Field(
        description="effective economic interest over every path, cycles included"
    )
    nci_share: DecimalStr
    nci_direct: DecimalStr
    nci_indirect: DecimalStr
    group_share: DecimalStr = Field(
        description="attributable to the parent's owners through the parent and subs"
    )
    group_holding: DecimalStr = Field(description="holdings of the parent and its subsidiaries (IAS 28.27)")
    method: Method
    computed_method: Method
    overridden: bool
    override_reason: str | None
    exact: bool = Field(description="false when the figures came from a numerical solve (cycles)")
    control_since: date | None = Field(description="first day of the current unbroken stretch of control")


class OwnershipRead(BaseModel):
    parent_id: str
    as_of: date
    ultimate_parent_id: str
    entities: list[EntityOwnershipRead]


class MethodPeriodRead(BaseModel):
    valid_from: date
    valid_to: date | None
    method: Method
    control_share: DecimalStr
    interest_share: DecimalStr


class EntityHistoryRead(BaseModel):
    entity_id: str
    code: str
    name: str
    periods: list[MethodPeriodRead]


class OwnershipHistoryRead(BaseModel):
    parent_id: str
    entities: list[EntityHistoryRead]


class OwnerShareRead(BaseModel):
    owner_id: str
    share: DecimalStr


class UltimateOwnershipRead(BaseModel):
    entity_id: str
    code: str
    name: str
    group_share: DecimalStr = Field(description="ultimately held by the group owner's own shareholders")
    outside_share: DecimalStr
    exact: bool
    by_owner: list[OwnerShareRead]


class UltimateOwnersRead(BaseModel):
    as_of: date
    group_owner_id: str
    companies: list[UltimateOwnershipRead]
