"""Investment elimination (IFRS 10 B86(b)) and everything an acquisition brings into the consolidation.

For subsidiary X acquired by holder h (the parent or a subsidiary):

    Dr X's equity at acquisition (incl. the fair-value reserve)    Dr goodwill
    Cr h's investment in X                                         Cr NCI at acquisition (booked in X)
    Dr NCI: indirect holding adjustment (booked in h)    Cr bargain purchase gain / remeasurement gain

all at the acquisition-date rate. X's results before control are removed from the group P&L: the income and
expense amounts inside the equity at acquisition when given, else X's year-to-date results time-apportioned
by months (§2.7: "profits accrue evenly"). The fair-value adjustments, goodwill impairment and translation
journals come from `fair_value` and `goodwill`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.events import Acquisition
from app.consolidation.domain.fair_value import (
    equity_total,
    net_fair_value_uplift,
    realisation_journals,
    uplift_journal,
)
from app.consolidation.domain.goodwill import (
    GoodwillExact,
    goodwill_exact,
    goodwill_translation_journal,
    impairment_journal,
)
from app.consolidation.domain.journal import AVERAGE, CLOSING, Draft, Journal, historical, journal
from app.consolidation.domain.numbers import ZERO, exact
from app.consolidation.domain.periods import ONE_DAY, months_between


@dataclass(frozen=True)
class AcquisitionSetting:
    """What the journals of one acquisition depend on besides the record itself."""

    acquisition: Acquisition
    acquiree_currency: str
    acquirer_currency: str
    presentation: str
    acquirer_interest: Fraction
    nci_share: Fraction
    acquiree_pnl: Mapping[tuple[str, str | None], Fraction]


def compute(setting: AcquisitionSetting, chart: Chart) -> GoodwillExact:
    acq = setting.acquisition
    tax = exact(acq.deferred_tax_rate)
    net_assets = equity_total(chart=chart, equity=acq.equity_at_acquisition) + net_fair_value_uplift(
        chart=chart, adjustments=acq.fair_value_adjustments, tax_rate=tax
    )
    return goodwill_exact(
        consideration=exact(acq.consideration),
        net_assets=net_assets,
        nci_share=setting.nci_share,
        nci_measurement=acq.nci_measurement,
        nci_fair_value=exact(acq.nci_fair_value) if acq.nci_fair_value is not None else None,
        previously_held_fair_value=exact(acq.previously_held_fair_value),
        acquirer_interest=setting.acquirer_interest,
        common_control=acq.combination == "under_common_control",
    )


def _pre_acquisition_results(
    setting: AcquisitionSetting, chart: Chart, as_of: date, period_start: date
) -> Journal | None:
    acq = setting.acquisition
    if acq.acquired_on <= period_start or any(chart.is_pnl(a) for a in acq.equity_at_acquisition):
        return None
    share = months_between(period_start, acq.acquired_on) / months_between(period_start, as_of + ONE_DAY)
    x = acq.acquiree
    lines = [Draft(a, -v * share, x, x, AVERAGE, cp) for (a, cp), v in setting.acquiree_pnl.items()]
    lines.append(Draft(chart.role("retained_earnings"), -sum((d.amount for d in lines), ZERO), x, x, AVERAGE))
    return journal(
        reason="pre_acquisition_results",
        source=acq.id,
        layer="ELIM",
        currency=setting.acquiree_currency,
        lines=lines,
        cta_entity=x,
        cta_nci_entity=x,
    )


def _elimination(
    setting: AcquisitionSetting, chart: Chart, gw: GoodwillExact, period_start: date
) -> Journal | None:
    acq = setting.acquisition
    x, h, on = acq.acquiree, acq.acquirer, historical(acq.acquired_on)
    in_period = acq.acquired_on >= period_start
    retained = chart.role("retained_earnings")
    lines: list[Draft] = []
    folded = ZERO
    for account, value in acq.equity_at_acquisition.items():
        amount = exact(value) * (-1 if chart.type_of(account) == "expense" else 1)
        if chart.type_of(account) == "equity":
            lines.append(Draft(account, amount, x, x, on))
        elif in_period:
            lines.append(Draft(account, amount, x, x, AVERAGE))
        else:
            folded += amount
    uplift = net_fair_value_uplift(
        chart=chart, adjustments=acq.fair_value_adjustments, tax_rate=exact(acq.deferred_tax_rate)
    )
    lines += [Draft(retained, folded, x, x, on), Draft(chart.role("capital_reserve"), uplift, x, x, on)]
    lines.append(Draft(chart.role("goodwill"), gw.goodwill, x, None, on))
    lines.append(Draft(chart.role("capital_reserve"), gw.capital_reserve_debit, h, h, on))
    held_fv = exact(acq.previously_held_fair_value)
    held_book = (
        exact(acq.previously_held_carrying_amount)
        if acq.previously_held_carrying_amount is not None
        else held_fv
    )
    investment = acq.investment_account or chart.role("investment_in_subsidiaries")
    lines.append(Draft(investment, -(exact(acq.consideration) + held_book), h, h, on, x))
    gain_account = chart.role("investment_income") if in_period else retained
    lines.append(Draft(gain_account, -(held_fv - held_book), h, h, on, carried_forward=not in_period))
    bargain_account = chart.role("non_operating_income") if in_period else retained
    lines.append(
        Draft(bargain_account, -gw.bargain_purchase_gain, h, None, on, carried_forward=not in_period)
    )
    nci = chart.role("nci")
    lines += [
        Draft(nci, -gw.nci_at_acquisition, x, None, on),
        Draft(nci, gw.indirect_holding_adjustment, h, None, on),
    ]
    return journal(
        reason="investment_elimination",
        source=acq.id,
        layer="ELIM",
        currency=setting.acquiree_currency,
        lines=lines,
        cta_entity=x,
        cta_nci_entity=x,
    )


def _investment_translation(setting: AcquisitionSetting, chart: Chart) -> Journal | None:
    """A foreign acquirer's books carry the investment at the closing rate; the elimination removed it at the
    acquisition rate, so the retranslation is reversed into the acquirer's translation reserve."""
    acq = setting.acquisition
    if (
        setting.acquirer_currency != setting.acquiree_currency
        or setting.acquiree_currency == setting.presentation
    ):
        return None
    held = acq.previously_held_carrying_amount
    cost = exact(acq.consideration) + exact(held if held is not None else acq.previously_held_fair_value)
    account, h = acq.investment_account or chart.role("investment_in_subsidiaries"), acq.acquirer
    lines = (
        Draft(account, -cost, h, h, CLOSING, acq.acquiree),
        Draft(account, cost, h, h, historical(acq.acquired_on), acq.acquiree),
    )
    return journal(
        reason="investment_translation",
        source=acq.id,
        layer="ELIM",
        currency=setting.acquiree_currency,
        lines=lines,
        cta_entity=h,
        cta_nci_entity=h,
    )


def acquisition_journals(
    setting: AcquisitionSetting, chart: Chart, *, as_of: date, period_start: date, opening: bool = False
) -> tuple[list[Journal], GoodwillExact]:
    """Every journal of one acquisition at `as_of`. With `opening`, only those that live at the closing rate
    (fair value, goodwill, impairment, a foreign acquirer's investment), recomputed to find the translation
    reserve at the period start."""
    acq, currency = setting.acquisition, setting.acquiree_currency
    gw = compute(setting, chart)
    tax = exact(acq.deferred_tax_rate)
    found: list[Journal | None] = [
        uplift_journal(
            chart=chart,
            source=acq.id,
            entity=acq.acquiree,
            currency=currency,
            adjustments=acq.fair_value_adjustments,
            tax_rate=tax,
            acquired_on=acq.acquired_on,
        )
    ]
    found += realisation_journals(
        chart=chart,
        source=acq.id,
        entity=acq.acquiree,
        currency=currency,
        adjustments=acq.fair_value_adjustments,
        movements=acq.fair_value_movements,
        tax_rate=tax,
        start=acq.acquired_on,
        as_of=as_of,
        period_start=period_start,
    )
    if not opening:
        found += [
            _pre_acquisition_results(setting, chart, as_of, period_start),
            _elimination(setting, chart, gw, period_start),
        ]
    found.append(_investment_translation(setting, chart))
    if currency != setting.presentation and gw.goodwill:
        found.append(
            goodwill_translation_journal(
                chart=chart, acquisition=acq, currency=currency, goodwill=gw.goodwill
            )
        )
    found.append(
        impairment_journal(
            chart=chart, acquisition=acq, currency=currency, as_of=as_of, period_start=period_start
        )
    )
    return [j for j in found if j is not None], gw
