"""The group events the engine applies on top of the companies' books, as recorded by the services.

Amounts are `Decimal`, in the natural sign of the account they name (a rise in an asset or in a liability is
positive), in the functional currency stated on each record's docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from app.consolidation.domain.inputs import Share

NciMeasurement = Literal["proportionate", "fair_value"]
Combination = Literal["not_under_common_control", "under_common_control"]
BooksMethod = Literal["cost", "equity"]


@dataclass(frozen=True, slots=True)
class FairValueAdjustment:
    """An identifiable asset or liability remeasured to fair value at acquisition (IFRS 3.18; §2.8).

    `useful_life_months` (remaining life) makes the engine depreciate it straight-line from the acquisition
    date; without it the adjustment stays until a `FairValueMovement` realises it. The depreciation credits
    `contra_account` (default: accumulated depreciation for a fixed asset, accumulated amortisation for an
    intangible, the account itself otherwise) and debits `expense_account` (default: role `admin_expense`).
    """

    account: str
    amount: Decimal
    useful_life_months: int | None = None
    contra_account: str | None = None
    expense_account: str | None = None


@dataclass(frozen=True, slots=True)
class FairValueMovement:
    """Part of a fair-value adjustment realised otherwise than by depreciation (inventory sold, liability
    settled) on `on`. `pnl_account` takes the effect (default: cost of sales for inventory, else the
    `admin_expense` role)."""

    on: date
    account: str
    amount: Decimal
    pnl_account: str | None = None


@dataclass(frozen=True, slots=True)
class Impairment:
    """An impairment loss recognised on `on` (goodwill of a subsidiary, or an equity-accounted investment)."""

    on: date
    amount: Decimal


@dataclass(frozen=True)
class Acquisition:
    """A business combination: `acquirer` (the parent or a subsidiary) obtained control of `acquiree`.

    Amounts are in the acquiree's functional currency (goodwill of a foreign operation is worked in its
    currency, IAS 21.47). `share` is the acquirer's direct holding after the deal; the engine takes the NCI
    share from the scope (1 - interest share: direct and indirect NCI together). `equity_at_acquisition`
    holds the acquiree's book equity on `acquired_on` by account; income and expense accounts in it are
    the year-to-date results at that date (pre-acquisition results). When it has none and the acquisition
    falls inside the period, the engine time-apportions the acquiree's results by months (§2.7) and expects
    the equity figures to include the pre-acquisition profit. For a sub-subsidiary whose holder was
    acquired later, `acquired_on` and the equity are those of the date the group obtained control (§1.8).
    `previously_held_carrying_amount` (default: the fair value) is the book value of an interest held
    before control (step acquisition, IFRS 3.42): the difference to `previously_held_fair_value` is a gain.
    Under common control (CAS 20 同一控制) no goodwill or gain arises: the difference between the cost and
    the share of the book net assets goes to the acquirer's capital reserve (DOMAIN §3.3).
    """

    id: str
    acquirer: str
    acquiree: str
    acquired_on: date
    share: Share
    consideration: Decimal
    equity_at_acquisition: Mapping[str, Decimal]
    nci_measurement: NciMeasurement = "proportionate"
    nci_fair_value: Decimal | None = None
    previously_held_fair_value: Decimal = Decimal(0)
    previously_held_carrying_amount: Decimal | None = None
    fair_value_adjustments: tuple[FairValueAdjustment, ...] = ()
    deferred_tax_rate: Decimal = Decimal(0)
    fair_value_movements: tuple[FairValueMovement, ...] = ()
    goodwill_impairments: tuple[Impairment, ...] = ()
    investment_account: str | None = None
    combination: Combination = "not_under_common_control"


@dataclass(frozen=True, slots=True)
class AdjustmentLine:
    """One line of a group-level adjustment, debit or credit, in the entity's functional currency."""

    account: str
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    counterparty: str | None = None


@dataclass(frozen=True)
class GroupAdjustment:
    """A consolidation-level journal booked in `entity` (items in transit, policy alignment; §2.3).

    It applies to the run whose reporting date is `as_of`; with `carry_forward` also to later runs, its
    income and expense lines then going to retained earnings once `as_of` is before the period (DOMAIN §0).
    Lines translate like the entity's books: assets and liabilities at the closing rate, income, expenses
    and equity (a movement of the period) at the average rate. The entity's NCI shares in it.
    """

    id: str
    as_of: date
    entity: str
    description: str
    lines: tuple[AdjustmentLine, ...]
    carry_forward: bool = False


@dataclass(frozen=True, slots=True)
class UnrealizedProfit:
    """Intra-group goods still held by `buyer` on `as_of` (§2.4): exactly one of `markup_on_cost`,
    `margin_on_sales` or `unrealized_profit` states the profit in `inventory_at_transfer_price`.

    Amounts in the buyer's functional currency. A record dated the day before the period start is the
    opening position, released through cost of sales in the period. Either party may be an associate (the
    equity method then eliminates the investor's share, §5.3). `deferred_tax_rate` books IAS 12 deferred tax
    on the elimination (the buyer's rate, §2.4 [IMPL]).
    """

    id: str
    as_of: date
    seller: str
    buyer: str
    inventory_at_transfer_price: Decimal = Decimal(0)
    markup_on_cost: Decimal | None = None
    margin_on_sales: Decimal | None = None
    unrealized_profit: Decimal | None = None
    deferred_tax_rate: Decimal = Decimal(0)
    inventory_account: str | None = None


@dataclass(frozen=True, slots=True)
class AssetTransferProfit:
    """A fixed asset sold from `seller` to `buyer` at a `gain` on `transfer_on` (§2.5; Allen White 8.3).

    The gain (buyer's functional currency) is eliminated and released straight-line over
    `remaining_life_months` as the buyer's extra depreciation runs; the rest is released when the asset leaves
    the group on `disposed_on`. `released_before_period` / `released_in_period` replace the straight-line
    figures when the asset register computed them (another method or month convention).
    """

    id: str
    seller: str
    buyer: str
    transfer_on: date
    gain: Decimal
    remaining_life_months: int
    disposed_on: date | None = None
    released_before_period: Decimal | None = None
    released_in_period: Decimal | None = None
    asset_account: str | None = None
    depreciation_account: str | None = None
    expense_account: str | None = None
    gain_account: str | None = None


@dataclass(frozen=True)
class Associate:
    """An associate or joint venture `investee` held by `investor` (a group company), equity method (§5).

    `share` is the group's holding (IAS 28.27: the parent's and its subsidiaries' holdings, a partly owned
    subsidiary's in full; associates' holdings ignored). Amounts in the investor's functional currency:
    - `cost`: what the investor paid. Its books carry the investment at cost when `books_method` is
      "cost"; with "equity" they already apply the equity method (CAS individual statements) and the
      engine only reports the carrying amount;
    - `profit_for_period`: the investee's profit for the whole period; when acquired inside the period the
      part before `acquired_on` is `profit_before_acquisition`, or time-apportioned by months when None;
    - `post_acquisition_change_before_period`: the investee's change in net assets (profits, OCI, less
      dividends) from acquisition to the period start;
    - `net_assets_at_acquisition` (fair value): when the share of it exceeds the cost, the excess is
      income and raises the investment (IAS 28.32(b); CAS 2 Art. 11);
    - fair-value adjustments of the investee's assets at acquisition and their realisations adjust its
      profit (§5.2), net of `deferred_tax_rate`; `impairments` of the whole investment (IAS 28.40-43).
    """

    id: str
    investor: str
    investee: str
    share: Share
    acquired_on: date
    cost: Decimal
    profit_for_period: Decimal = Decimal(0)
    profit_before_acquisition: Decimal | None = None
    post_acquisition_change_before_period: Decimal = Decimal(0)
    oci_for_period: Decimal = Decimal(0)
    dividends_for_period: Decimal = Decimal(0)
    net_assets_at_acquisition: Decimal | None = None
    fair_value_adjustments: tuple[FairValueAdjustment, ...] = ()
    fair_value_movements: tuple[FairValueMovement, ...] = ()
    deferred_tax_rate: Decimal = Decimal(0)
    impairments: tuple[Impairment, ...] = ()
    books_method: BooksMethod = "cost"
    investment_account: str | None = None
