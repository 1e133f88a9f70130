"""Group events on the wire. Money, shares and ratios are decimal strings; never floats.

Inputs bound every string, list and number. Required business facts (the consideration, the exchange
ratio...) are optional in the schema on purpose: the rules report every missing or wrong fact at once, as
one 422 with `errors[]`, instead of stopping at the first schema error.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.wire import DecimalStr, MoneyStr

ID_MAX = 36
IdStr = Annotated[str, Field(min_length=1, max_length=ID_MAX)]
Amount = Annotated[MoneyStr, Field(ge=0, le=10**13)]
SignedAmount = Annotated[MoneyStr, Field(ge=-(10**13), le=10**13)]
ShareIn = Annotated[DecimalStr, Field(ge=0, le=1, max_digits=13, decimal_places=12)]
RatioIn = Annotated[DecimalStr, Field(gt=0, le=10**9, max_digits=22, decimal_places=12)]


class TermsIn(BaseModel):
    """Figures of the consolidated treatment; each defaults as described."""

    model_config = ConfigDict(extra="forbid")
    parent_id: IdStr | None = Field(
        default=None,
        description="the group parent whose consolidated view classifies the event (default: the "
        "ultimate parent of the buyer / subscriber / acquirer)",
    )
    standard: Literal["cas", "ifrs"] = Field(
        default="cas",
        description="cas: equity transactions on net assets continuously measured; "
        "ifrs: a purchase of NCI on its carrying amount",
    )
    net_assets: SignedAmount | None = Field(
        default=None,
        description="the investee's net assets continuously measured from acquisition, before the event "
        "(default: its books on the date)",
    )
    goodwill: Amount | None = Field(
        default=None, description="goodwill carried for the investee (default: its recorded acquisition)"
    )
    nci_carrying_amount: SignedAmount | None = None
    nci_measurement: Literal["proportionate", "fair_value"] = "proportionate"
    nci_fair_value: Amount | None = None
    cta: SignedAmount | None = Field(
        default=None, description="the investee's cumulative translation reserve"
    )
    combination: Literal["not_under_common_control", "under_common_control"] | None = Field(
        default=None,
        description="default: under common control when the buyer's controlling party controls "
        "the investee before and after",
    )
    fair_value_net_assets: SignedAmount | None = None
    previously_held_fair_value: Amount | None = None
    retained_interest_fair_value: Amount | None = None
    seller_carrying_amount: Amount | None = None
    registered_capital: Amount | None = Field(
        default=None, description="the investee's registered capital (default: implied by its stakes)"
    )


class ShareTransferCreate(TermsIn):
    investee_id: IdStr
    seller_id: IdStr | None = Field(default=None, description="null: unrecorded outside shareholders")
    buyer_id: IdStr | None = Field(default=None, description="null: unrecorded outside buyers")
    transfer_on: date
    share: ShareIn | None = Field(default=None, description="the share of the investee transferred")
    capital_amount: Amount | None = Field(default=None, description="or the registered capital transferred")
    consideration: Amount | None = Field(default=None, description="cash; 0 for a free transfer")


class DisposalCreate(TermsIn):
    holder_id: IdStr
    investee_id: IdStr
    buyer_id: IdStr | None = Field(default=None, description="null: outside buyers")
    disposed_on: date
    share: ShareIn | None = None
    capital_amount: Amount | None = None
    consideration: Amount | None = None


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holder_id: IdStr
    capital_amount: Amount = Field(description="registered capital subscribed")
    contribution: Amount = Field(description="paid in; the excess over the capital is share premium")


class CapitalIncreaseCreate(TermsIn):
    investee_id: IdStr
    increased_on: date
    subscriptions: list[SubscriptionIn] = Field(max_length=200)


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holder_id: IdStr
    capital_amount: Amount = Field(description="registered capital withdrawn")
    refund: Amount = Field(description="repaid to the holder")


class CapitalReductionCreate(TermsIn):
    investee_id: IdStr
    reduced_on: date
    withdrawals: list[WithdrawalIn] = Field(max_length=200)


class FixedAssetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cost: Amount
    accumulated_depreciation: Amount = Decimal(0)
    impairment: Amount = Decimal(0)
    fair_value: Amount | None = None
    description: str = Field(default="", max_length=200)


class CombinationConsiderationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cash: Amount | None = None
    fixed_assets: list[FixedAssetIn] = Field(default_factory=list, max_length=100)
    shares_par_value: Amount | None = Field(default=None, description="par value of the shares issued")


class CommonControlCombinationCreate(TermsIn):
    acquirer_id: IdStr
    acquiree_id: IdStr
    seller_id: IdStr | None = None
    combined_on: date
    share: ShareIn | None = None
    capital_amount: Amount | None = None
    consideration: CombinationConsiderationIn | None = None
    net_assets_in_controller_statements: SignedAmount | None = Field(
        default=None,
        description="the acquiree's net assets as carried in the ultimate controlling party's consolidated "
        "statements (default: its books)",
    )
    goodwill_in_controller_statements: Amount | None = None
    direct_costs: Amount | None = None
    share_issue_costs: Amount | None = None
    acquirer_registered_capital: Amount | None = None


class EntityAmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: IdStr
    value: RatioIn


class NewEntityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    functional_currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    uscc: str | None = Field(default=None, max_length=18)
    country: str | None = Field(default=None, max_length=2)
    segment: str | None = Field(default=None, max_length=50)


class MergerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["absorption", "new_establishment"]
    survivor_id: IdStr | None = Field(default=None, description="absorption: the surviving company")
    absorbed_ids: list[IdStr] = Field(max_length=50, description="the companies that cease")
    merged_on: date
    exchange_ratios: list[EntityAmountIn] = Field(
        default_factory=list,
        max_length=50,
        description="per absorbed company: registered capital of the survivor per unit of its own",
    )
    registered_capitals: list[EntityAmountIn] = Field(default_factory=list, max_length=60)
    new_entity: NewEntityIn | None = None
    parent_id: IdStr | None = None


# ---------------------------------------------------------------------------------------------- answers


class HoldingRead(BaseModel):
    holder_id: str
    investee_id: str
    share: DecimalStr
    voting_share: DecimalStr
    capital_amount: DecimalStr | None


class MethodRead(BaseModel):
    entity_id: str
    method_before: str | None
    method_after: str | None
    control_before: DecimalStr
    control_after: DecimalStr
    interest_before: DecimalStr
    interest_after: DecimalStr
    classification: str


class StakeChangeRead(BaseModel):
    holder_id: str
    investee_id: str
    before: HoldingRead | None
    after: HoldingRead | None


class NewEntityRead(BaseModel):
    code: str
    name: str
    name_en: str | None
    functional_currency: str
    uscc: str | None
    country: str | None
    segment: str | None


class EntityChangeRead(BaseModel):
    kind: Literal["merged", "created"]
    entity_id: str
    on: date
    into_id: str | None
    new_entity: NewEntityRead | None


class EntryLineRead(BaseModel):
    account_code: str
    debit: DecimalStr
    credit: DecimalStr
    counterparty_entity_id: str | None


class EntryRead(BaseModel):
    entity_id: str
    entry_date: date
    layer: Literal["books", "consolidated"]
    description: str
    lines: list[EntryLineRead]


class AssetRehomingRead(BaseModel):
    asset_id: str
    tag: str
    from_entity_id: str
    to_entity_id: str
    on: date


class ViolationRead(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class EventPlanRead(BaseModel):
    """The full effect of an event: a preview answers it, a commit answers what it executed."""

    id: str | None = Field(default=None, description="the stored event (null for a preview)")
    status: Literal["preview", "committed"]
    kind: str
    effective_on: date
    group_parent_id: str | None
    classification: str | None
    ok: bool
    holdings_before: list[HoldingRead]
    holdings_after: list[HoldingRead]
    methods: list[MethodRead]
    stake_changes: list[StakeChangeRead]
    entity_changes: list[EntityChangeRead]
    entries: list[EntryRead]
    asset_rehomings: list[AssetRehomingRead]
    figures: dict[str, DecimalStr]
    treatment: dict[str, str]
    notes: list[str]
    violations: list[ViolationRead]
    created_entity_id: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None


def plan_read(
    document: dict[str, Any],
    *,
    status: Literal["preview", "committed"],
    event_id: str | None = None,
    created_entity_id: str | None = None,
    created_at: datetime | None = None,
    created_by: str | None = None,
) -> EventPlanRead:
    return EventPlanRead.model_validate(
        {
            **document,
            "id": event_id,
            "status": status,
            "created_entity_id": created_entity_id,
            "created_at": created_at,
            "created_by": created_by,
        }
    )
