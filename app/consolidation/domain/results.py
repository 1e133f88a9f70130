"""What a consolidation run answers: statements, figures, the elimination journal and the workings.

Money is `Decimal`, unrounded (see `numbers.to_decimal`); the service quantises for presentation. Statement
amounts are in the natural sign of the account type (assets, liabilities and equity positive), so a line of
a contra account is negative. The workings follow the ACCA/Kaplan W1-W6 layout of DOMAIN §8.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from app.consolidation.domain.inputs import AccountType, ScopeEntry

Layer = Literal["ADJ", "ELIM"]


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One line of a consolidation journal (DOMAIN §0).

    `entity` is the company the line is booked in; `layer` ADJ (policy, fair-value, equity-method
    adjustments) or ELIM (eliminations and the NCI attribution); `nci_bearing` says whether an NCI shares in
    it and `nci_entity` whose NCI (the seller's for a release booked in the buyer); `carried_forward` marks a
    prior period's income or expense restated in reserves; `source` is the id of the record behind it.
    """

    journal: str
    account: str
    entity: str
    debit: Decimal
    credit: Decimal
    reason: str
    source: str | None
    layer: Layer
    nci_bearing: bool
    nci_entity: str | None
    counterparty: str | None = None
    carried_forward: bool = False


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One account of a consolidated statement, natural sign of its type."""

    account: str
    type: AccountType
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ConsolidatedFigures:
    """The headline figures (names as API.md "Consolidation")."""

    goodwill: Decimal
    non_controlling_interest: Decimal
    investment_in_associates: Decimal
    total_assets: Decimal
    total_liabilities: Decimal
    total_equity: Decimal
    equity_attributable_to_parent: Decimal
    retained_earnings: Decimal
    profit_for_period: Decimal
    profit_attributable_to_parent: Decimal
    profit_attributable_to_nci: Decimal


@dataclass(frozen=True, slots=True)
class ComprehensiveIncome:
    """Profit plus OCI: the companies' OCI, the share of associates' OCI and exchange differences."""

    profit_for_period: Decimal
    other_comprehensive_income: Decimal
    companies_oci: Decimal
    share_of_associates_oci: Decimal
    exchange_differences: Decimal
    total_comprehensive_income: Decimal
    attributable_to_parent: Decimal
    attributable_to_nci: Decimal


@dataclass(frozen=True, slots=True)
class IntercompanyDifference:
    """A pair whose sides do not net within the tolerance (`kind`: balance, revenue, income, investment).

    `entity_amount` and `counterparty_amount` are what each side shows, debit-positive (a receivable of 100
    is 100, the matching payable -100), so `difference` = their sum is what does not cancel.
    """

    kind: str
    entity: str
    counterparty: str
    entity_amount: Decimal
    counterparty_amount: Decimal
    difference: Decimal


@dataclass(frozen=True, slots=True)
class GoodwillComputation:
    """IFRS 3.32 for one acquisition, as the group sees it (W3).

    goodwill = group consideration + NCI at acquisition - net assets, where the group consideration is the
    acquirer's interest x (consideration + previously held interest at fair value); the rest of the
    acquirer's cost is the indirect holding adjustment (§1.8). A negative result is a bargain purchase gain.
    Under common control the result is neither: `capital_reserve_adjustment` (credit positive) takes it.
    """

    goodwill: Decimal
    bargain_purchase_gain: Decimal
    nci_at_acquisition: Decimal
    net_assets: Decimal
    nci_share: Decimal
    group_consideration: Decimal
    indirect_holding_adjustment: Decimal
    goodwill_attributable_to_nci: Decimal
    goodwill_attributable_to_parent: Decimal
    capital_reserve_adjustment: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class SubsidiaryWorking:
    """W2/W4 of one subsidiary, in the presentation currency.

    `post_acquisition` = the adjusted equity now less at acquisition (fair-value adjustments net of their
    depreciation, upstream unrealised profit, impairment under the fair-value NCI method included);
    `non_controlling_interest` = NCI at acquisition + NCI share x post-acquisition - the indirect holding
    adjustments this company makes as a holder of sub-subsidiaries (Kaplan W4).
    """

    entity: str
    acquisition: str | None
    interest_share: Decimal
    nci_share: Decimal
    net_assets_at_acquisition: Decimal
    net_assets_at_reporting_date: Decimal
    post_acquisition: Decimal
    parent_share_of_post_acquisition: Decimal
    nci_at_acquisition: Decimal
    indirect_holding_adjustment: Decimal
    non_controlling_interest: Decimal
    profit_for_period: Decimal
    profit_attributable_to_nci: Decimal


@dataclass(frozen=True, slots=True)
class GoodwillWorking:
    """W3 of one acquisition: goodwill in the acquiree's currency and translated (IAS 21.47)."""

    acquisition: str
    acquiree: str
    currency: str
    computation: GoodwillComputation
    impairment_to_date: Decimal
    at_acquisition: Decimal
    opening_carrying_amount: Decimal | None
    carrying_amount: Decimal
    exchange_difference_for_period: Decimal


@dataclass(frozen=True, slots=True)
class AssociateWorking:
    """W6: one equity-accounted investment (§5.2), investor's currency.

    `adjusted_profit` is the investee's post-acquisition profit of the period after fair-value effects and
    unrealised profit with the group (the CAS 调整后净利润); `share_of_profit` is the line in the group P&L,
    after `impairment_for_period`.
    """

    id: str
    investor: str
    investee: str
    share: Decimal
    cost: Decimal
    post_acquisition_profit: Decimal
    fair_value_effect: Decimal
    unrealized_profit_effect: Decimal
    adjusted_profit: Decimal
    share_of_reported_profit: Decimal
    share_of_unrealized_profit: Decimal
    impairment_for_period: Decimal
    share_of_profit: Decimal
    share_of_oci: Decimal
    dividends_received: Decimal
    gain_on_acquisition: Decimal
    carrying_amount: Decimal


@dataclass(frozen=True, slots=True)
class TranslationWorking:
    """A foreign company translated to the presentation currency (§6.2): the net-assets part of the CTA.

    exchange_difference = closing net assets at the closing rate - opening net assets at the opening rate -
    comprehensive income at the average rate (HMRC CFM26240).
    """

    entity: str
    currency: str
    closing_rate: Decimal
    average_rate: Decimal
    closing_net_assets: Decimal
    opening_net_assets: Decimal
    comprehensive_income_at_average: Decimal
    exchange_difference: Decimal
    translation_reserve: Decimal


@dataclass(frozen=True)
class ConsolidationResult:
    """Everything one run answers. `consolidated` is False when intercompany differences remain."""

    parent: str
    as_of: date
    period_start: date
    presentation_currency: str
    scope: tuple[ScopeEntry, ...]
    balance_sheet: tuple[StatementLine, ...]
    income_statement: tuple[StatementLine, ...]
    figures: ConsolidatedFigures
    comprehensive_income: ComprehensiveIncome
    eliminations: tuple[JournalLine, ...]
    intercompany_differences: tuple[IntercompanyDifference, ...]
    consolidated: bool
    subsidiaries: tuple[SubsidiaryWorking, ...]
    goodwill: tuple[GoodwillWorking, ...]
    associates: tuple[AssociateWorking, ...]
    translations: tuple[TranslationWorking, ...]
    profit_by_entity: Mapping[str, Decimal]

    def line(self, account: str) -> Decimal:
        """The balance-sheet or income-statement amount of `account` (0 when absent)."""
        for line in (*self.balance_sheet, *self.income_statement):
            if line.account == account:
                return line.amount
        return Decimal(0)
