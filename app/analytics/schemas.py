"""Analytics on the wire. Money and ratios are decimal strings (never floats); a ratio without a value
(its denominator is zero) is null. Every formula is in the field descriptions and in docs/ANALYTICS.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.analytics.domain.indicators import BY_NAME
from app.core.wire import DecimalStr, MoneyStr
from app.events.schemas import (
    CapitalIncreaseCreate,
    CapitalReductionCreate,
    CommonControlCombinationCreate,
    DisposalCreate,
    EventPlanRead,
    MergerCreate,
    ShareTransferCreate,
    ViolationRead,
)

LevelName = Literal["company", "segment", "group"]
IndicatorName = Literal[
    "total_assets",
    "revenue",
    "net_profit",
    "equity",
    "net_margin",
    "gross_margin",
    "return_on_assets",
    "retention_ratio",
    "internally_generated_funds",
    "self_financing_ratio",
    "fixed_asset_turnover",
    "idle_asset_share",
    "hhi",
    "cr4",
    "equivalent_makers",
]
GranularityName = Literal["month", "quarter", "year"]
CurrencyStr = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="presentation currency")]
Ratio = Annotated[DecimalStr | None, Field()]


def _formula(name: str) -> str:
    indicator = BY_NAME[name]
    return f"{indicator.label} ({indicator.label_zh}): {indicator.formula}"


class PeriodRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from", description="first day (inclusive)")
    to: date = Field(description="last day (inclusive)")


class FiguresRead(BaseModel):
    """Money figures in the presentation currency: balances at the period end (`*_opening`: the day before
    it starts), flows of the period. Segment and group figures are sums of their companies' figures
    (aggregated, not consolidated)."""

    total_assets_opening: MoneyStr = Field(description="total assets the day before the period starts")
    total_assets: MoneyStr = Field(description=_formula("total_assets"))
    total_liabilities: MoneyStr = Field(
        description="sum of the liability accounts' balances at the period end"
    )
    equity: MoneyStr = Field(description=_formula("equity"))
    fixed_assets_net_opening: MoneyStr = Field(
        description="net fixed assets the day before the period starts"
    )
    fixed_assets_net: MoneyStr = Field(
        description="fixed assets (1601) less accumulated depreciation (1602) and impairment (1603), "
        "at the period end"
    )
    revenue: MoneyStr = Field(description=_formula("revenue"))
    cost_of_sales: MoneyStr = Field(
        description="debits less credits of the cost-of-sales accounts (6401, 6402)"
    )
    net_profit: MoneyStr = Field(description=_formula("net_profit"))
    dividends_declared: MoneyStr = Field(
        description="credits to dividends payable (2232) in the period, asset transfers and group events "
        "left out"
    )
    depreciation: MoneyStr = Field(
        description="credits to accumulated depreciation (1602) in the period, asset transfers and group "
        "events left out"
    )
    capex: MoneyStr = Field(
        description="investment in fixed assets: debits to 1601 and 1604 less credits to 1604 (construction "
        "completed) in the period, asset transfers and group events left out"
    )
    internally_generated_funds: MoneyStr = Field(description=_formula("internally_generated_funds"))
    register_carrying_amount: MoneyStr = Field(
        description="carrying amount of the assets in the fixed-asset register at the period end"
    )
    idle_carrying_amount: MoneyStr = Field(description="carrying amount of the register's idle assets")


class RatiosRead(BaseModel):
    """Ratios rounded half-up to 6 places; null when the denominator is zero (or not positive, where said)."""

    net_margin: Ratio = Field(description=_formula("net_margin"))
    gross_margin: Ratio = Field(description=_formula("gross_margin"))
    return_on_assets: Ratio = Field(description=_formula("return_on_assets"))
    retention_ratio: Ratio = Field(description=_formula("retention_ratio"))
    self_financing_ratio: Ratio = Field(description=_formula("self_financing_ratio"))
    fixed_asset_turnover: Ratio = Field(description=_formula("fixed_asset_turnover"))
    idle_asset_share: Ratio = Field(description=_formula("idle_asset_share"))


class CompanyRead(BaseModel):
    entity_id: str
    code: str
    name: str
    name_en: str | None
    segment: str | None


class IndicatorRowRead(BaseModel):
    level: LevelName
    key: str = Field(description="the entity id, the segment (`(none)` for companies without one) or `group`")
    label: str
    segment: str | None
    company: CompanyRead | None = Field(description="the company (company level only)")
    companies: int = Field(description="number of companies summed")
    figures: FiguresRead
    indicators: RatiosRead


class IndicatorsRead(BaseModel):
    period: PeriodRead
    currency: str
    level: LevelName
    items: list[IndicatorRowRead]


class MakerShareRead(BaseModel):
    company: CompanyRead
    revenue: MoneyStr
    share: DecimalStr | None = Field(
        description="revenue / the segment's revenue (negative revenue counts as 0)"
    )


class SegmentConcentrationRead(BaseModel):
    segment: str
    total_revenue: MoneyStr
    makers: int = Field(description="companies of the segment with positive revenue")
    hhi: DecimalStr | None = Field(description="sum of squared shares in percent, 0 to 10,000; 2 places")
    cr4: DecimalStr | None = Field(description="sum of the four largest shares; 6 places")
    equivalent_makers: DecimalStr | None = Field(description="10,000 / HHI: equal makers giving that HHI")
    shares: list[MakerShareRead] = Field(description="largest first")


class ConcentrationRead(BaseModel):
    period: PeriodRead
    currency: str
    basis: Literal["revenue"] = "revenue"
    segments: list[SegmentConcentrationRead]


class TrendPointRead(BaseModel):
    period: PeriodRead
    value: DecimalStr | None
    change: DecimalStr | None = Field(description="value less the previous period's")
    growth: DecimalStr | None = Field(description="change / |previous value|; 6 places")


class TrendSeriesRead(BaseModel):
    key: str
    label: str
    company: CompanyRead | None
    points: list[TrendPointRead]


class TrendsRead(BaseModel):
    indicator: IndicatorName
    level: LevelName
    granularity: GranularityName
    currency: str
    periods: list[PeriodRead]
    series: list[TrendSeriesRead]


class ReasonRead(BaseModel):
    criterion: Literal[
        "overlap", "small_assets", "small_revenue", "loss", "low_return", "low_retention",
        "weak_self_financing", "idle_assets",
    ]  # fmt: skip
    points: int
    detail: str
    value: DecimalStr | None
    benchmark: DecimalStr | None


class CandidateRead(BaseModel):
    company: CompanyRead
    score: int = Field(description="sum of the reasons' points")
    reasons: list[ReasonRead]
    suggested_survivor: CompanyRead = Field(description="the segment's largest maker by revenue")
    figures: FiguresRead
    indicators: RatiosRead
    segment_share: DecimalStr | None
    combined_share: DecimalStr | None = Field(
        description="the survivor's share after absorbing the candidate"
    )
    hhi_before: DecimalStr | None
    hhi_after: DecimalStr | None


class BenchmarksRead(BaseModel):
    makers: int = Field(description="companies with a segment and positive revenue in the period")
    median_total_assets: DecimalStr | None
    median_revenue: DecimalStr | None
    median_return_on_assets: DecimalStr | None
    retention_floor: DecimalStr
    self_financing_floor: DecimalStr


class CandidatesRead(BaseModel):
    as_of: date
    period: PeriodRead = Field(description="the twelve months ending on as_of")
    currency: str
    benchmarks: BenchmarksRead
    candidates: list[CandidateRead]


# ------------------------------------------------------------------------------------------------ planner


class PlannedMerger(MergerCreate):
    type: Literal["merger"]


class PlannedCapitalIncrease(CapitalIncreaseCreate):
    type: Literal["capital_increase"]


class PlannedCapitalReduction(CapitalReductionCreate):
    type: Literal["capital_reduction"]


class PlannedShareTransfer(ShareTransferCreate):
    type: Literal["share_transfer"]


class PlannedDisposal(DisposalCreate):
    type: Literal["disposal"]


class PlannedCommonControlCombination(CommonControlCombinationCreate):
    type: Literal["common_control_combination"]


class PlannedAssetTransfer(BaseModel):
    """Move a registered asset to another group company (as `POST /asset-transfers` would, once approved)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["asset_transfer"]
    asset_id: str = Field(min_length=1, max_length=36)
    to_entity_id: str = Field(min_length=1, max_length=36)
    kind: Literal["sale", "free_transfer", "capital_contribution"]
    transfer_on: date
    price: Annotated[MoneyStr, Field(gt=0, le=10**13)] | None = Field(
        default=None, description="sale: the price; capital contribution: the registered capital subscribed"
    )


PlannedEventIn = Annotated[
    PlannedMerger
    | PlannedCapitalIncrease
    | PlannedCapitalReduction
    | PlannedShareTransfer
    | PlannedDisposal
    | PlannedCommonControlCombination
    | PlannedAssetTransfer,
    Field(discriminator="type"),
]


class PlanIn(BaseModel):
    """A restructuring to preview: events as the events feature takes them (plus `type`), asset transfers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: date = Field(alias="from", description="first day of the period the figures cover")
    to: date = Field(description="last day of the period")
    parent_id: str | None = Field(
        default=None, max_length=36, description="limit the figures to this parent and its subsidiaries"
    )
    currency: CurrencyStr = "CNY"
    events: list[PlannedEventIn] = Field(min_length=1, max_length=20)


class AssetTransferPreviewRead(BaseModel):
    asset_id: str
    tag: str
    name: str
    from_entity_id: str | None
    to_entity_id: str
    kind: str
    transfer_on: date
    price: MoneyStr | None
    carrying_amount: MoneyStr | None = Field(description="carrying amount on the transfer date")
    gain: MoneyStr | None
    catch_up_depreciation: MoneyStr = Field(description="depreciation the transfer would post first")
    idle: bool


class PlannedEventRead(BaseModel):
    index: int
    type: str
    ok: bool
    plan: EventPlanRead | None = Field(description="the events feature's preview (group events)")
    asset_transfer: AssetTransferPreviewRead | None
    violations: list[ViolationRead]
    notes: list[str]


class StateRead(BaseModel):
    """The period's figures in one state (before or after the plan)."""

    companies: list[IndicatorRowRead]
    segments: list[IndicatorRowRead]
    group: IndicatorRowRead
    concentration: list[SegmentConcentrationRead]


class PlanPreviewRead(BaseModel):
    period: PeriodRead
    currency: str
    parent_id: str | None
    ok: bool = Field(description="no planned event breaks a rule")
    events: list[PlannedEventRead]
    before: StateRead
    after: StateRead
