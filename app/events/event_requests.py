"""What a caller asks of the events feature: the requests of each kind of event, and the answer.

Amounts are `Decimal` as they come from the API; the planning turns them into exact fractions for the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from app.events.domain import NewEntity
from app.events.models import GroupEvent


@dataclass(frozen=True)
class Terms:
    """Figures of the consolidated treatment; None = derived (see `ConsolidationTerms`)."""

    parent_id: str | None = None
    standard: Literal["cas", "ifrs"] = "cas"
    net_assets: Decimal | None = None
    goodwill: Decimal | None = None
    nci_carrying_amount: Decimal | None = None
    nci_measurement: Literal["proportionate", "fair_value"] = "proportionate"
    nci_fair_value: Decimal | None = None
    cta: Decimal | None = None
    combination: Literal["not_under_common_control", "under_common_control"] | None = None
    fair_value_net_assets: Decimal | None = None
    previously_held_fair_value: Decimal | None = None
    retained_interest_fair_value: Decimal | None = None
    seller_carrying_amount: Decimal | None = None
    registered_capital: Decimal | None = None


@dataclass(frozen=True)
class ShareTransferRequest:
    """A transfer (kind share_transfer) or a disposal by a group company (kind disposal)."""

    kind: Literal["share_transfer", "disposal"]
    investee_id: str
    seller_id: str | None
    buyer_id: str | None
    on: date
    share: Decimal | None
    capital_amount: Decimal | None
    consideration: Decimal | None
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True)
class CapitalChangeRequest:
    kind: Literal["capital_increase", "capital_reduction"]
    investee_id: str
    on: date
    movements: tuple[tuple[str, Decimal, Decimal], ...]
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True)
class FixedAssetGiven:
    cost: Decimal
    accumulated_depreciation: Decimal = Decimal(0)
    impairment: Decimal = Decimal(0)
    fair_value: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class CommonControlRequest:
    acquirer_id: str
    acquiree_id: str
    seller_id: str | None
    on: date
    share: Decimal | None
    capital_amount: Decimal | None
    cash: Decimal | None = None
    fixed_assets: tuple[FixedAssetGiven, ...] = ()
    shares_par_value: Decimal | None = None
    net_assets_in_controller_statements: Decimal | None = None
    goodwill_in_controller_statements: Decimal | None = None
    direct_costs: Decimal | None = None
    share_issue_costs: Decimal | None = None
    acquirer_registered_capital: Decimal | None = None
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True)
class MergerRequest:
    kind: Literal["absorption", "new_establishment"]
    survivor_id: str | None
    absorbed_ids: tuple[str, ...]
    on: date
    exchange_ratios: Mapping[str, Decimal] = field(default_factory=dict)
    registered_capitals: Mapping[str, Decimal] = field(default_factory=dict)
    new_entity: NewEntity | None = None
    parent_id: str | None = None


EventRequest = ShareTransferRequest | CapitalChangeRequest | CommonControlRequest | MergerRequest


@dataclass(frozen=True)
class EventResult:
    """The plan document answered, and the stored event when committed."""

    document: dict[str, Any]
    event: GroupEvent | None = None
