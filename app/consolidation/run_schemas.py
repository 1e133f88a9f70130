"""Consolidation runs on the wire (API.md "Consolidation"). Statement amounts are in the natural sign of the
account type (assets, liabilities and equity positive; a contra account negative), money to 4 places."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.consolidation.schemas import AccountCode, EntityId, NonNegativeMoney
from app.core.wire import DecimalStr, MoneyStr, ShareStr

RunStatus = Literal["consolidated", "unreconciled"]


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parent_id: EntityId
    as_of: date
    currency: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", description="presentation currency (default: the parent's)"
    )
    period_start: date | None = Field(
        default=None,
        description="first day of the period (default: 1 January of as_of's year); at most a year",
    )
    intercompany_tolerance: NonNegativeMoney | None = Field(
        default=None, description="pairs differing by at most this are eliminated (default 0)"
    )
    difference_account_code: AccountCode | None = Field(
        default=None, description="where differences within the tolerance go (needed with a tolerance)"
    )


class ScopeLine(BaseModel):
    entity_id: str
    code: str
    name: str
    method: str
    interest_share: ShareStr
    control_share: ShareStr
    nci_share: ShareStr
    control_since: date | None


class StatementLineRead(BaseModel):
    account_code: str
    name: str
    type: str
    amount: MoneyStr


class FiguresRead(BaseModel):
    goodwill: MoneyStr
    non_controlling_interest: MoneyStr
    investment_in_associates: MoneyStr
    total_assets: MoneyStr
    total_liabilities: MoneyStr
    total_equity: MoneyStr
    equity_attributable_to_parent: MoneyStr
    retained_earnings: MoneyStr
    profit_for_period: MoneyStr
    profit_attributable_to_parent: MoneyStr
    profit_attributable_to_nci: MoneyStr


class ComprehensiveIncomeRead(BaseModel):
    profit_for_period: MoneyStr
    other_comprehensive_income: MoneyStr
    companies_oci: MoneyStr
    share_of_associates_oci: MoneyStr
    exchange_differences: MoneyStr
    total_comprehensive_income: MoneyStr
    attributable_to_parent: MoneyStr
    attributable_to_nci: MoneyStr


class EliminationRead(BaseModel):
    journal: str
    account_code: str
    entity_id: str
    debit: MoneyStr
    credit: MoneyStr
    reason: str = Field(
        description="investment_elimination, intragroup_balance, unrealized_profit_inventory, ..."
    )
    source: str | None = Field(description="the record behind the line (acquisition, adjustment, pair ...)")
    layer: Literal["ADJ", "ELIM"]
    nci_bearing: bool
    nci_entity_id: str | None
    counterparty_entity_id: str | None
    carried_forward: bool


class DifferenceRead(BaseModel):
    kind: str
    entity_id: str
    counterparty_entity_id: str
    entity_amount: MoneyStr
    counterparty_amount: MoneyStr
    difference: MoneyStr


class SubsidiaryRead(BaseModel):
    entity_id: str
    acquisition_id: str | None
    interest_share: ShareStr
    nci_share: ShareStr
    net_assets_at_acquisition: MoneyStr
    net_assets_at_reporting_date: MoneyStr
    post_acquisition: MoneyStr
    parent_share_of_post_acquisition: MoneyStr
    nci_at_acquisition: MoneyStr
    indirect_holding_adjustment: MoneyStr
    non_controlling_interest: MoneyStr
    profit_for_period: MoneyStr
    profit_attributable_to_nci: MoneyStr


class GoodwillComputationRead(BaseModel):
    goodwill: MoneyStr
    bargain_purchase_gain: MoneyStr
    nci_at_acquisition: MoneyStr
    net_assets: MoneyStr
    nci_share: ShareStr
    group_consideration: MoneyStr
    indirect_holding_adjustment: MoneyStr
    goodwill_attributable_to_nci: MoneyStr
    goodwill_attributable_to_parent: MoneyStr
    capital_reserve_adjustment: MoneyStr


class GoodwillRead(BaseModel):
    acquisition_id: str
    acquiree_id: str
    currency: str
    computation: GoodwillComputationRead
    impairment_to_date: MoneyStr
    at_acquisition: MoneyStr
    opening_carrying_amount: MoneyStr | None
    carrying_amount: MoneyStr
    exchange_difference_for_period: MoneyStr


class AssociateRead(BaseModel):
    id: str
    investor_id: str
    investee_id: str
    share: ShareStr
    cost: MoneyStr
    post_acquisition_profit: MoneyStr
    fair_value_effect: MoneyStr
    unrealized_profit_effect: MoneyStr
    adjusted_profit: MoneyStr
    share_of_reported_profit: MoneyStr
    share_of_unrealized_profit: MoneyStr
    impairment_for_period: MoneyStr
    share_of_profit: MoneyStr
    share_of_oci: MoneyStr
    dividends_received: MoneyStr
    gain_on_acquisition: MoneyStr
    carrying_amount: MoneyStr


class TranslationRead(BaseModel):
    entity_id: str
    currency: str
    closing_rate: DecimalStr
    average_rate: DecimalStr
    closing_net_assets: MoneyStr
    opening_net_assets: MoneyStr
    comprehensive_income_at_average: MoneyStr
    exchange_difference: MoneyStr
    translation_reserve: MoneyStr


class EntityProfitRead(BaseModel):
    entity_id: str
    profit: MoneyStr


class RunIdentity(BaseModel):
    """What a run's body has besides its sealed result document (the body is the two merged)."""

    id: str
    input_hash: str = Field(description="SHA-256 of the canonical inputs")
    result_hash: str = Field(description="SHA-256 of the canonical result (the body below without id/dates)")
    created_at: datetime
    created_by: str


class RunSummary(RunIdentity):
    parent_id: str
    as_of: date
    period_start: date
    currency: str
    status: RunStatus


class RunRead(RunSummary):
    consolidated: bool
    scope: list[ScopeLine]
    balance_sheet: list[StatementLineRead]
    income_statement: list[StatementLineRead]
    figures: FiguresRead
    comprehensive_income: ComprehensiveIncomeRead
    eliminations: list[EliminationRead]
    intercompany_differences: list[DifferenceRead]
    subsidiaries: list[SubsidiaryRead]
    goodwill: list[GoodwillRead]
    associates: list[AssociateRead]
    translations: list[TranslationRead]
    profit_by_entity: list[EntityProfitRead]
