"""Business combinations, group adjustments and unrealised profit on the wire (API.md "Events that change the
group", "Consolidation"). Decimals travel as JSON strings; amounts are in the natural sign of their account
(a rise in an asset or in a liability is positive) and in the functional currency of the company concerned.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.money import MONEY_QUANTUM
from app.core.wire import MoneyStr, RateStr, ShareStr

ID_MAX = 36
EntityId = Annotated[str, Field(min_length=1, max_length=ID_MAX)]
AccountCode = Annotated[str, Field(min_length=1, max_length=20)]
Combination = Literal["not_under_common_control", "under_common_control"]
NciMeasurement = Literal["proportionate", "fair_value"]
PositiveMoney = Annotated[MoneyStr, Field(gt=0)]
NonNegativeMoney = Annotated[MoneyStr, Field(ge=0)]
TaxRate = Annotated[ShareStr, Field(lt=1)]
Markup = Annotated[RateStr, Field(le=1000)]


def _four_places(value: Decimal) -> Decimal:
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> Decimal:
    """A stored fraction without the column's trailing zeros ("0.800000000000" -> "0.8")."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


#: Outputs: money always with its 4 places, shares and rates as plain as they were entered, however they
#: were read (from the request just stored, or from the database).
MoneyOut = Annotated[MoneyStr, AfterValidator(_four_places)]
ShareOut = Annotated[ShareStr, AfterValidator(_plain)]
RateOut = Annotated[RateStr, AfterValidator(_plain)]


class EquityLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_code: AccountCode
    amount: MoneyStr


class FairValueAdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_code: AccountCode = Field(description="an asset or liability account")
    amount: MoneyStr = Field(description="fair value less book value, natural sign of the account")
    useful_life_months: int | None = Field(
        default=None, ge=1, le=1200, description="remaining life: the adjustment depreciates straight-line"
    )
    contra_account_code: AccountCode | None = Field(
        default=None, description="where the depreciation goes (default: accumulated depreciation)"
    )
    expense_account_code: AccountCode | None = Field(
        default=None, description="the expense of the depreciation (default: administrative expenses)"
    )


class AcquisitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acquirer_id: EntityId
    acquiree_id: EntityId
    acquired_on: date
    share: ShareStr = Field(description="the acquirer's holding after the deal, (0, 1]")
    voting_share: ShareStr | None = Field(default=None, description="votes after the deal; defaults to share")
    consideration: NonNegativeMoney = Field(description="fair value of what was given, acquiree's currency")
    combination: Combination = "not_under_common_control"
    nci_measurement: NciMeasurement = "proportionate"
    nci_fair_value: NonNegativeMoney | None = None
    previously_held_fair_value: NonNegativeMoney | None = Field(
        default=None, description="step acquisition: the interest held before, at fair value (IFRS 3.42)"
    )
    previously_held_carrying_amount: NonNegativeMoney | None = Field(
        default=None, description="its carrying amount (default: the fair value, no remeasurement gain)"
    )
    equity_at_acquisition: list[EquityLine] | None = Field(
        default=None,
        max_length=500,
        description="the acquiree's equity by account on the date (income and expenses year to date); "
        "defaults to its books on acquired_on",
    )
    fair_value_adjustments: list[FairValueAdjustmentIn] = Field(default_factory=list, max_length=500)
    deferred_tax_rate: TaxRate | None = Field(
        default=None, description="deferred tax on the fair-value adjustments (IAS 12)"
    )


class EquityLineRead(BaseModel):
    account_code: str
    amount: MoneyOut


class FairValueAdjustmentRead(BaseModel):
    account_code: str
    amount: MoneyOut
    useful_life_months: int | None
    contra_account_code: str | None
    expense_account_code: str | None


class FairValueMovementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: date
    account_code: AccountCode = Field(description="the adjusted account the movement realises")
    amount: MoneyStr = Field(description="the part realised, natural sign of the account")
    pnl_account_code: AccountCode | None = Field(
        default=None, description="where it goes (default: cost of sales for inventory, else admin expenses)"
    )


class FairValueMovementRead(BaseModel):
    id: str
    acquisition_id: str
    on: date
    account_code: str
    amount: MoneyOut
    pnl_account_code: str | None
    created_at: datetime
    created_by: str


class ImpairmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: date
    amount: PositiveMoney


class ImpairmentRead(BaseModel):
    id: str
    acquisition_id: str
    on: date
    amount: MoneyOut
    created_at: datetime
    created_by: str


class AcquisitionRead(BaseModel):
    id: str
    acquirer_id: str
    acquiree_id: str
    acquired_on: date
    share: ShareOut
    voting_share: ShareOut
    consideration: MoneyOut
    currency: str
    combination: Combination
    nci_measurement: NciMeasurement
    nci_fair_value: MoneyOut | None
    previously_held_fair_value: MoneyOut
    previously_held_carrying_amount: MoneyOut | None
    deferred_tax_rate: ShareOut
    equity_source: Literal["given", "books"]
    equity_at_acquisition: list[EquityLineRead]
    fair_value_adjustments: list[FairValueAdjustmentRead]
    fair_value_movements: list[FairValueMovementRead]
    goodwill_impairments: list[ImpairmentRead]
    net_assets: MoneyOut = Field(
        description="identifiable net assets at fair value (book for common control)"
    )
    goodwill: MoneyOut
    bargain_purchase_gain: MoneyOut
    capital_reserve_adjustment: MoneyOut = Field(
        description="common control: share of book net assets less cost"
    )
    nci_at_acquisition: MoneyOut
    goodwill_attributable_to_nci: MoneyOut
    acquirer_interest: ShareOut = Field(description="the group's interest in the acquirer on the date")
    stake_id: str | None = Field(description="the stake this acquisition recorded (null: already in force)")
    created_at: datetime
    created_by: str


class AdjustmentLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_code: AccountCode
    debit: NonNegativeMoney | None = None
    credit: NonNegativeMoney | None = None
    counterparty_entity_id: EntityId | None = None


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    as_of: date = Field(description="the reporting date of the runs it applies to")
    entity_id: EntityId = Field(description="the company it is booked in")
    description: str = Field(min_length=1, max_length=500)
    lines: list[AdjustmentLineIn] = Field(min_length=2, max_length=500)
    carry_forward: bool = Field(
        default=False,
        description="also applies to later runs (income and expenses then in retained earnings)",
    )


class AdjustmentLineRead(BaseModel):
    line_no: int
    account_code: str
    debit: MoneyOut
    credit: MoneyOut
    counterparty_entity_id: str | None


class AdjustmentRead(BaseModel):
    id: str
    as_of: date
    entity_id: str
    description: str
    carry_forward: bool
    lines: list[AdjustmentLineRead]
    created_at: datetime
    created_by: str


class UnrealizedProfitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date = Field(description="the reporting date the goods are still held on")
    seller_id: EntityId
    buyer_id: EntityId
    inventory_at_transfer_price: NonNegativeMoney = Field(description="goods still held, buyer's currency")
    markup_on_cost: Markup | None = None
    margin_on_sales: Annotated[ShareStr, Field(lt=1)] | None = None
    unrealized_profit: NonNegativeMoney | None = Field(
        default=None, description="the profit itself, if known"
    )
    deferred_tax_rate: TaxRate | None = Field(
        default=None, description="buyer's rate for IAS 12 deferred tax"
    )


class UnrealizedProfitRead(BaseModel):
    id: str
    as_of: date
    seller_id: str
    buyer_id: str
    inventory_at_transfer_price: MoneyOut
    markup_on_cost: RateOut | None
    margin_on_sales: ShareOut | None
    unrealized_profit: MoneyOut | None
    deferred_tax_rate: ShareOut
    amount: MoneyOut = Field(description="the unrealised profit eliminated")
    created_at: datetime
    created_by: str
