"""Goodwill (IFRS 3.32; DOMAIN §3.1, §1.8): its computation, impairment and translation.

    goodwill = group consideration + NCI at acquisition + previously held interest at FV - net assets at FV

The group consideration is the acquirer's interest share x its cost: when the acquirer is itself a partly
owned subsidiary, the rest of its cost belongs to its own NCI (the indirect holding adjustment, Kaplan/CIMA).
NCI at acquisition is its fair value (full goodwill) or its share of the net assets (partial goodwill); a
negative result is a bargain purchase gain, recognised in profit (IFRS 3.34; CAS 营业外收入). Impairment is
shared with the NCI in its profit share only under the fair-value method (Kaplan FR); the goodwill of a
foreign operation is its asset, kept in its currency and translated at the closing rate (IAS 21.47).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.errors import ConsolidationInputError, Violation
from app.consolidation.domain.events import Acquisition, Combination, NciMeasurement
from app.consolidation.domain.inputs import Share
from app.consolidation.domain.journal import (
    AVERAGE,
    CLOSING,
    Draft,
    Journal,
    historical,
    journal,
    year_average,
)
from app.consolidation.domain.numbers import ZERO, exact, to_decimal
from app.consolidation.domain.periods import fiscal_year_end
from app.consolidation.domain.results import GoodwillComputation


@dataclass(frozen=True, slots=True)
class GoodwillExact:
    """`GoodwillComputation` in exact arithmetic, in the acquiree's currency."""

    goodwill: Fraction
    bargain_purchase_gain: Fraction
    nci_at_acquisition: Fraction
    net_assets: Fraction
    nci_share: Fraction
    group_consideration: Fraction
    indirect_holding_adjustment: Fraction
    goodwill_attributable_to_nci: Fraction
    capital_reserve_debit: Fraction = ZERO

    def result(self) -> GoodwillComputation:
        return GoodwillComputation(
            goodwill=to_decimal(self.goodwill),
            bargain_purchase_gain=to_decimal(self.bargain_purchase_gain),
            nci_at_acquisition=to_decimal(self.nci_at_acquisition),
            net_assets=to_decimal(self.net_assets),
            nci_share=to_decimal(self.nci_share),
            group_consideration=to_decimal(self.group_consideration),
            indirect_holding_adjustment=to_decimal(self.indirect_holding_adjustment),
            goodwill_attributable_to_nci=to_decimal(self.goodwill_attributable_to_nci),
            goodwill_attributable_to_parent=to_decimal(self.goodwill - self.goodwill_attributable_to_nci),
            capital_reserve_adjustment=to_decimal(-self.capital_reserve_debit),
        )


def goodwill_exact(
    *,
    consideration: Fraction,
    net_assets: Fraction,
    nci_share: Fraction,
    nci_measurement: NciMeasurement,
    nci_fair_value: Fraction | None,
    previously_held_fair_value: Fraction,
    acquirer_interest: Fraction,
    common_control: bool = False,
) -> GoodwillExact:
    """The computation of the module docstring; `nci_fair_value` is required for the fair-value method.
    Under `common_control` the NCI is its share of the (book) net assets and the difference goes to the
    capital reserve (CAS 20 Art. 6: C-16b 910 - 1,050 = -140)."""
    cost = consideration + previously_held_fair_value
    group_consideration = acquirer_interest * cost
    if common_control:
        nci = nci_share * net_assets
        return GoodwillExact(
            goodwill=ZERO,
            bargain_purchase_gain=ZERO,
            nci_at_acquisition=nci,
            net_assets=net_assets,
            nci_share=nci_share,
            group_consideration=group_consideration,
            indirect_holding_adjustment=cost - group_consideration,
            goodwill_attributable_to_nci=ZERO,
            capital_reserve_debit=group_consideration + nci - net_assets,
        )
    if nci_measurement == "fair_value":
        if nci_fair_value is None:
            raise ConsolidationInputError(
                [Violation("nci-fair-value-missing", "the fair-value NCI method needs the NCI's fair value")]
            )
        nci = nci_fair_value
    else:
        nci = nci_share * net_assets
    raw = group_consideration + nci - net_assets
    goodwill = max(raw, ZERO)
    nci_part = nci - nci_share * net_assets if nci_measurement == "fair_value" and raw > 0 else ZERO
    return GoodwillExact(
        goodwill=goodwill,
        bargain_purchase_gain=max(-raw, ZERO),
        nci_at_acquisition=nci,
        net_assets=net_assets,
        nci_share=nci_share,
        group_consideration=group_consideration,
        indirect_holding_adjustment=cost - group_consideration,
        goodwill_attributable_to_nci=nci_part,
    )


def compute_goodwill(
    *,
    consideration: Decimal,
    net_assets: Decimal,
    share: Share,
    nci_measurement: NciMeasurement = "proportionate",
    nci_fair_value: Decimal | None = None,
    previously_held_fair_value: Decimal = Decimal(0),
    acquirer_interest: Share = Decimal(1),
    nci_share: Share | None = None,
    combination: Combination = "not_under_common_control",
) -> GoodwillComputation:
    """Goodwill or bargain purchase gain and NCI at acquisition for one business combination.

    `share` is the acquirer's direct holding after the deal, `acquirer_interest` the parent's interest in the
    acquirer (1 for the parent itself); the NCI share defaults to 1 - acquirer_interest x share. C-01a:
    78,000 + 17,000 - 85,000 = 10,000 (proportionate), 78,000 + 19,000 - 85,000 = 12,000 (fair value).
    Raises ConsolidationInputError for a share outside (0, 1] or a fair-value method without the fair value.
    """
    problems: list[Violation] = []
    for name, value in (("share", share), ("acquirer_interest", acquirer_interest)):
        if not 0 < exact(value) <= 1:
            problems.append(Violation("share-out-of-range", f"{name} must be in (0, 1], got {value}", name))
    if problems:
        raise ConsolidationInputError(problems)
    nci = exact(nci_share) if nci_share is not None else 1 - exact(acquirer_interest) * exact(share)
    return goodwill_exact(
        consideration=exact(consideration),
        net_assets=exact(net_assets),
        nci_share=nci,
        nci_measurement=nci_measurement,
        nci_fair_value=exact(nci_fair_value) if nci_fair_value is not None else None,
        previously_held_fair_value=exact(previously_held_fair_value),
        acquirer_interest=exact(acquirer_interest),
        common_control=combination == "under_common_control",
    ).result()


def goodwill_owner(acquisition: Acquisition) -> str | None:
    """Whose NCI shares in goodwill changes: the acquiree's under full goodwill, else nobody's."""
    return acquisition.acquiree if acquisition.nci_measurement == "fair_value" else None


def impairment_journal(
    *, chart: Chart, acquisition: Acquisition, currency: str, as_of: date, period_start: date
) -> Journal | None:
    """Impairments to `as_of`: the period's in the P&L, earlier ones in retained earnings; Cr allowance."""
    entity, owner = acquisition.acquiree, goodwill_owner(acquisition)
    allowance = (
        chart.role("goodwill_impairment") if chart.has_role("goodwill_impairment") else chart.role("goodwill")
    )
    lines: list[Draft] = []
    for imp in acquisition.goodwill_impairments:
        if imp.on > as_of:
            continue
        amount = exact(imp.amount)
        if imp.on >= period_start:
            lines.append(Draft(chart.role("asset_impairment_loss"), amount, entity, owner, AVERAGE))
        else:
            year_end = fiscal_year_end(day=imp.on, period_start=period_start, as_of=as_of)
            lines.append(
                Draft(
                    chart.role("retained_earnings"),
                    amount,
                    entity,
                    owner,
                    year_average(year_end),
                    carried_forward=True,
                )
            )
        lines.append(Draft(allowance, -amount, entity, owner, CLOSING))
    return journal(
        reason="goodwill_impairment",
        source=acquisition.id,
        layer="ELIM",
        currency=currency,
        lines=lines,
        cta_entity=entity,
        cta_nci_entity=owner,
    )


def goodwill_translation_journal(
    *, chart: Chart, acquisition: Acquisition, currency: str, goodwill: Fraction
) -> Journal | None:
    """Goodwill booked at the acquisition rate, retranslated at the closing rate; difference to CTA."""
    entity, owner = acquisition.acquiree, goodwill_owner(acquisition)
    account = chart.role("goodwill")
    lines = (
        Draft(account, goodwill, entity, owner, CLOSING),
        Draft(account, -goodwill, entity, owner, historical(acquisition.acquired_on)),
    )
    return journal(
        reason="goodwill_translation",
        source=acquisition.id,
        layer="ELIM",
        currency=currency,
        lines=lines,
        cta_entity=entity,
        cta_nci_entity=owner,
    )
