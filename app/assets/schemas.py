"""Assets and depreciation runs on the wire, and the field types the asset schemas share (`transfer_schemas`,
`report_schemas`). Money travels as decimal strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.wire import DecimalStr, MoneyStr

CategoryName = Literal[
    "land_use_right",
    "building",
    "machinery",
    "production_line",
    "tooling",
    "vehicle",
    "it_equipment",
    "office_equipment",
    "other",
]
MethodName = Literal[
    "straight_line", "double_declining_balance", "sum_of_years_digits", "units_of_production"
]
ConventionName = Literal["next_month", "full_month_first", "available_date"]
StatusName = Literal["in_use", "idle", "held_for_sale", "disposed"]
SettableStatus = Literal["in_use", "idle", "held_for_sale"]
#: Dates and months the asset rules accept: the clock needs the month after any date, and the reports the day
#: before any period, so both stay well inside what a `date` can hold.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
BusinessDate = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
PeriodText = Annotated[str, Field(pattern=r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$", examples=["2026-01"])]
EntityId = Annotated[str, Field(min_length=1, max_length=36)]
AccountCode = Annotated[str, Field(min_length=1, max_length=20)]

Amount = Annotated[MoneyStr, Field(ge=0, max_digits=18, decimal_places=2)]
PositiveAmount = Annotated[MoneyStr, Field(gt=0, max_digits=18, decimal_places=2)]
Units = Annotated[DecimalStr, Field(ge=0, max_digits=18, decimal_places=4)]
PositiveUnits = Annotated[DecimalStr, Field(gt=0, max_digits=18, decimal_places=4)]


# ------------------------------------------------------------------------------------------------ assets


class AssetCreate(BaseModel):
    """An acquisition (posted), or with `opening_balance_on` an asset the books already hold (registered)."""

    model_config = ConfigDict(extra="forbid")
    entity_id: EntityId
    tag: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    category: CategoryName
    location: str | None = Field(default=None, max_length=200)
    acquired_on: BusinessDate
    cost: PositiveAmount
    residual_value: Amount = Decimal(0)
    useful_life_months: int = Field(ge=1, le=1200)
    method: MethodName
    convention: ConventionName = Field(
        default="next_month",
        description="next_month: the Chinese rule (start the month after the asset is added, stop the month "
        "after it leaves); full_month_first; available_date (pro rata by days)",
    )
    units_total: PositiveUnits | None = Field(
        default=None, description="units of production: units of the life"
    )
    expense_account_code: AccountCode | None = Field(
        default=None, description="where depreciation is charged; default 6602 (role admin_expense)"
    )
    status: Literal["in_use", "idle"] = "in_use"
    accumulated_depreciation: Amount | None = Field(
        default=None, description="registration: accumulated depreciation on opening_balance_on"
    )
    opening_balance_on: BusinessDate | None = Field(
        default=None, description="registration: the date of the opening balance; nothing is posted"
    )
    units_used: Units | None = Field(default=None, description="registration: units used by the opening date")
    credit_account_code: AccountCode | None = Field(
        default=None, description="acquisition: the account credited; default the bank (role cash)"
    )
    counterparty_entity_id: EntityId | None = None


class AssetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: SettableStatus | None = None
    effective_on: BusinessDate | None = Field(
        default=None, description="when the status changes; default today"
    )
    reason: str | None = Field(default=None, max_length=500)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    location: str | None = Field(default=None, max_length=200)


class BookRead(BaseModel):
    """One company's book of the asset (its history across companies is the list of books)."""

    id: str
    entity_id: str
    valid_from: date
    valid_to: date | None
    origin: Literal["acquisition", "registration", "transfer"]
    ending: Literal["transfer", "disposal"] | None
    transfer_id: str | None
    cost: MoneyStr
    residual_value: MoneyStr
    useful_life_months: int
    method: MethodName
    convention: ConventionName
    units_total: DecimalStr | None
    depreciation_from: date
    depreciation_until: date | None
    opening_accumulated_depreciation: MoneyStr
    opening_impairment: MoneyStr
    accumulated_depreciation: MoneyStr
    impairment: MoneyStr
    carrying_amount: MoneyStr


class AssetRead(BaseModel):
    """The card (the group's original terms) and, as of `as_of`, holder, status and the holder's figures."""

    id: str
    tag: str
    name: str
    category: CategoryName
    location: str | None
    acquired_on: date
    cost: MoneyStr
    residual_value: MoneyStr
    useful_life_months: int
    method: MethodName
    convention: ConventionName
    units_total: DecimalStr | None
    expense_account_code: str
    current_holder_entity_id: str
    current_status: StatusName
    disposed_on: date | None
    as_of: date
    holder_entity_id: str | None
    status: StatusName | None
    book_cost: MoneyStr | None
    accumulated_depreciation: MoneyStr | None
    impairment: MoneyStr | None
    carrying_amount: MoneyStr | None
    history: list[BookRead]
    version: int


class DisposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposed_on: BusinessDate
    kind: Literal["sale", "scrap"] = "sale"
    proceeds: Amount = Decimal(0)
    costs: Amount = Decimal(0)
    proceeds_account_code: AccountCode | None = Field(
        default=None, description="default the bank (role cash)"
    )
    counterparty_entity_id: EntityId | None = Field(default=None, description="the outside buyer")
    reason: str | None = Field(default=None, max_length=2000)


class DisposalRead(BaseModel):
    id: str
    asset_id: str
    entity_id: str
    disposed_on: date
    kind: Literal["sale", "scrap"]
    proceeds: MoneyStr
    costs: MoneyStr
    carrying_amount: MoneyStr
    gain: MoneyStr
    group_carrying_amount: MoneyStr
    group_gain: MoneyStr
    counterparty_entity_id: str | None
    entry_id: str
    reason: str | None


class ImpairmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    impaired_on: BusinessDate
    amount: PositiveAmount
    reason: str = Field(min_length=1, max_length=2000)


class ImpairmentRead(BaseModel):
    id: str
    asset_id: str
    entity_id: str
    impaired_on: date
    amount: MoneyStr
    reason: str
    entry_id: str


# ------------------------------------------------------------------------------------------ depreciation


class UnitsEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_id: str = Field(min_length=1, max_length=36)
    units: Units


class DepreciationRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: EntityId | None = Field(default=None, description="default: every company the caller may see")
    period: PeriodText
    units: list[UnitsEntry] = Field(
        default_factory=list, max_length=10_000, description="units of production assets: the month's units"
    )


class RunRead(BaseModel):
    id: str
    entity_id: str
    period: str
    entry_id: str | None
    total: MoneyStr
    asset_count: int
    created: bool = Field(description="false when the month had already been run: nothing was posted")


class SkippedRead(BaseModel):
    entity_id: str
    reason: str


class DepreciationRunsRead(BaseModel):
    period: str
    runs: list[RunRead]
    skipped: list[SkippedRead]


# The unrealised profit of a transfer: here, not in transfer_schemas, because its OpenAPI name carries this
# module's path (consolidation has a model of the same name).
class UnrealizedProfitRead(BaseModel):
    """The unrealised profit record of an executed transfer, for consolidation."""

    id: str
    transfer_id: str
    asset_id: str
    seller_entity_id: str
    buyer_entity_id: str
    transfer_on: date
    gain: MoneyStr
    unrealized_at_transfer: MoneyStr
    group_cost: MoneyStr
    group_accumulated_depreciation: MoneyStr
    group_impairment: MoneyStr
    remaining_life_months: int
    ended_on: date | None
    end_reason: Literal["sold_outside", "transferred"] | None
