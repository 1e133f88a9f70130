"""Fair-value adjustments at acquisition and their realisation afterwards (IFRS 3.18; DOMAIN §2.8, §7.3).

At acquisition: Dr the asset (Cr the liability) by the adjustment, deferred tax at the acquisition's rate
(Allen White 8.13: 40%), the net to capital reserve (资本公积) of the acquiree, which the investment
elimination then removes with the rest of the pre-acquisition equity. Afterwards the adjustment is used up
by depreciation over its remaining life (time-apportioned in the year of acquisition: Pedantic 2,000 / 5 x
6/12 = 200) and by movements (inventory sold): the period's part in the P&L, earlier years' parts in retained
earnings at those years' rates. Every line shares with the acquiree's NCI. The same schedules give the
adjusted profit of an associate (§5.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.events import FairValueAdjustment, FairValueMovement
from app.consolidation.domain.inputs import AccountInfo
from app.consolidation.domain.journal import Draft, Journal, historical, journal, year_average
from app.consolidation.domain.numbers import ZERO, exact, to_decimal
from app.consolidation.domain.periods import ONE_DAY, fiscal_year_end, straight_line


def adjustment_sign(chart: Chart, account: str) -> int:
    """+1 when the adjustment raises net assets per unit (an asset), -1 for a liability."""
    return 1 if chart.type_of(account) == "asset" else -1


def equity_total(*, chart: Chart, equity: Mapping[str, Decimal]) -> Fraction:
    """Book equity from equity-at-acquisition figures: equity and income add, expenses subtract."""
    return sum((exact(v) * (-1 if chart.type_of(a) == "expense" else 1) for a, v in equity.items()), ZERO)


def net_fair_value_uplift(
    *, chart: Chart, adjustments: Sequence[FairValueAdjustment], tax_rate: Fraction
) -> Fraction:
    """The adjustments' effect on net assets, after deferred tax."""
    return sum((adjustment_sign(chart, a.account) * exact(a.amount) for a in adjustments), ZERO) * (
        1 - tax_rate
    )


def fair_value_net_assets(
    *,
    equity_at_acquisition: Mapping[str, Decimal],
    fair_value_adjustments: Sequence[FairValueAdjustment],
    deferred_tax_rate: Decimal,
    accounts: Sequence[AccountInfo],
) -> Decimal:
    """Identifiable net assets at fair value: book equity plus the adjustments net of deferred tax.

    C-21a: 500 + 300 + 60 + 500 x (1 - 40%) = 1,160; C-21b: 800 - 100 x (1 - 30%) = 730.
    """
    chart = Chart(accounts)
    book = equity_total(chart=chart, equity=equity_at_acquisition)
    uplift = net_fair_value_uplift(
        chart=chart, adjustments=fair_value_adjustments, tax_rate=exact(deferred_tax_rate)
    )
    return to_decimal(book + uplift)


@dataclass(frozen=True, slots=True)
class Realisation:
    """Part of an adjustment used up (its natural sign) in the period (`current`) or an earlier year."""

    amount: Fraction
    current: bool
    year_end: date
    reduces: str
    pnl_account: str
    kind: str


def _contra(chart: Chart, adjustment: FairValueAdjustment) -> str:
    if adjustment.contra_account:
        return adjustment.contra_account
    role = chart.role_of(adjustment.account)
    if role == "fixed_asset":
        return chart.role("accumulated_depreciation")
    if role == "intangible":
        return chart.role("accumulated_amortisation")
    return adjustment.account


def realisations(
    *,
    chart: Chart,
    adjustment: FairValueAdjustment,
    movements: Sequence[FairValueMovement],
    start: date,
    as_of: date,
    period_start: date,
) -> list[Realisation]:
    """Depreciation since `start` and the movements of this adjustment's account, up to `as_of`."""
    result: list[Realisation] = []
    if adjustment.useful_life_months:
        expense = adjustment.expense_account or chart.role("admin_expense")
        contra = _contra(chart, adjustment)
        schedule = straight_line(
            amount=exact(adjustment.amount),
            life_months=adjustment.useful_life_months,
            start=start,
            stop=as_of + ONE_DAY,
            period_start=period_start,
            as_of=as_of,
        )
        result += [
            Realisation(a, s.current, s.year_end, contra, expense, "depreciation") for s, a in schedule
        ]
    for m in movements:
        if m.account != adjustment.account or m.on > as_of or m.on < start:
            continue
        default = "cost_of_sales" if chart.role_of(m.account) == "inventory" else "admin_expense"
        pnl = m.pnl_account or chart.role(default)
        year_end = fiscal_year_end(day=m.on, period_start=period_start, as_of=as_of)
        result.append(
            Realisation(exact(m.amount), m.on >= period_start, year_end, m.account, pnl, "movement")
        )
    return result


def _tax_account(chart: Chart, adjustment: FairValueAdjustment) -> str:
    raises_net_assets = adjustment_sign(chart, adjustment.account) * adjustment.amount > 0
    return chart.role("deferred_tax_liability" if raises_net_assets else "deferred_tax_asset")


def uplift_journal(
    *,
    chart: Chart,
    source: str,
    entity: str,
    currency: str,
    adjustments: Sequence[FairValueAdjustment],
    tax_rate: Fraction,
    acquired_on: date,
) -> Journal | None:
    """Dr asset / Cr liability, deferred tax, net to the acquiree's capital reserve at the acquisition rate"""
    lines: list[Draft] = []
    for adj in adjustments:
        net = adjustment_sign(chart, adj.account) * exact(adj.amount)
        lines.append(Draft(adj.account, net, entity, entity))
        if tax_rate:
            lines.append(Draft(_tax_account(chart, adj), -tax_rate * net, entity, entity))
        lines.append(
            Draft(
                chart.role("capital_reserve"), -(1 - tax_rate) * net, entity, entity, historical(acquired_on)
            )
        )
    return journal(
        reason="fair_value_adjustment",
        source=source,
        layer="ADJ",
        currency=currency,
        lines=lines,
        cta_entity=entity,
        cta_nci_entity=entity,
    )


def realisation_journals(
    *,
    chart: Chart,
    source: str,
    entity: str,
    currency: str,
    adjustments: Sequence[FairValueAdjustment],
    movements: Sequence[FairValueMovement],
    tax_rate: Fraction,
    start: date,
    as_of: date,
    period_start: date,
) -> list[Journal]:
    """One journal per adjustment and kind (depreciation, movement) so each carries its own translation."""
    journals: list[Journal] = []
    retained = chart.role("retained_earnings")
    for adj in adjustments:
        sign = adjustment_sign(chart, adj.account)
        found = realisations(
            chart=chart,
            adjustment=adj,
            movements=movements,
            start=start,
            as_of=as_of,
            period_start=period_start,
        )
        for kind in ("depreciation", "movement"):
            lines: list[Draft] = []
            for r in (x for x in found if x.kind == kind):
                lines.append(Draft(r.reduces, -sign * r.amount, entity, entity))
                if tax_rate:
                    lines.append(Draft(_tax_account(chart, adj), tax_rate * sign * r.amount, entity, entity))
                if r.current:
                    lines.append(Draft(r.pnl_account, sign * r.amount, entity, entity))
                    if tax_rate:
                        lines.append(
                            Draft(chart.role("income_tax"), -tax_rate * sign * r.amount, entity, entity)
                        )
                else:
                    amount = sign * r.amount * (1 - tax_rate)
                    lines.append(
                        Draft(
                            retained, amount, entity, entity, year_average(r.year_end), carried_forward=True
                        )
                    )
            entry = journal(
                reason=f"fair_value_{'depreciation' if kind == 'depreciation' else 'realisation'}",
                source=source,
                layer="ADJ",
                currency=currency,
                lines=lines,
                cta_entity=entity,
                cta_nci_entity=entity,
            )
            if entry is not None:
                journals.append(entry)
    return journals


def profit_effects(
    *,
    chart: Chart,
    adjustments: Sequence[FairValueAdjustment],
    movements: Sequence[FairValueMovement],
    tax_rate: Fraction,
    start: date,
    as_of: date,
    period_start: date,
) -> tuple[Fraction, Fraction]:
    """(this period's, earlier years') effect of the realisations on profit after tax (< 0 for assets)."""
    current = prior = ZERO
    for adj in adjustments:
        sign = adjustment_sign(chart, adj.account)
        for r in realisations(
            chart=chart,
            adjustment=adj,
            movements=movements,
            start=start,
            as_of=as_of,
            period_start=period_start,
        ):
            effect = -sign * r.amount * (1 - tax_rate)
            if r.current:
                current += effect
            else:
                prior += effect
    return current, prior
