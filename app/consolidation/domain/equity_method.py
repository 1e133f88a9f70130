"""Equity method for associates and joint ventures (IAS 28; CAS 2; DOMAIN §5), booked in the investor.

    carrying amount = cost (+ the excess of the share of net assets over cost, IAS 28.32(b))
                    + share x the investee's post-acquisition change before the period
                    + share x adjusted profit of the period + share x OCI - dividends - impairment
    adjusted profit = post-acquisition profit (time-apportioned by months in the year of acquisition)
                    + fair-value effects (depreciation of uplifts, uplifted inventory sold; after tax)
                    - unrealised profit on trade with the group still held + last period's, now realised

(Kaplan: Pear/Apple 800,000 x 9/12 x 30% = 180, less impairment 80, less 30% x URP 150 = 45: 55; CAS
chinaacc: 1,000 - 60 - 80 = 860, 30% = 258.) The share of profit and the impairment are one P&L line (Kaplan
presentation). The investment absorbs downstream URP; upstream URP reduces the group's inventory (§5.3).
Dividends received leave the investor's income and reduce the investment. Every line shares with the
investor's NCI when the investor is a partly owned subsidiary (IAS 28.27, §1.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.events import Associate, UnrealizedProfit
from app.consolidation.domain.fair_value import profit_effects
from app.consolidation.domain.journal import AVERAGE, CLOSING, Draft, Journal, journal, year_average
from app.consolidation.domain.numbers import ZERO, exact, to_decimal
from app.consolidation.domain.periods import ONE_DAY, months_between
from app.consolidation.domain.results import AssociateWorking
from app.consolidation.domain.unrealized import urp_exact


@dataclass(frozen=True)
class AssociateSetting:
    """One associate and what its journal depends on."""

    associate: Associate
    currency: str
    members: frozenset[str]
    records: Sequence[UnrealizedProfit]


def _post_acquisition_profit(a: Associate, as_of: date, period_start: date) -> Fraction:
    profit = exact(a.profit_for_period)
    if a.acquired_on <= period_start:
        return profit
    if a.profit_before_acquisition is not None:
        return profit - exact(a.profit_before_acquisition)
    return (
        profit
        * months_between(a.acquired_on, as_of + ONE_DAY)
        / months_between(period_start, as_of + ONE_DAY)
    )


def _dec(x: Fraction) -> Decimal:
    return to_decimal(x)


def associate_journal(
    setting: AssociateSetting, chart: Chart, *, as_of: date, period_start: date
) -> tuple[Journal | None, AssociateWorking]:
    """The equity-method journal (None when the books already apply the method) and the W6 working."""
    a, h, z = setting.associate, setting.associate.investor, setting.associate.investee
    share, tax = exact(a.share), exact(a.deferred_tax_rate)
    investment = a.investment_account or chart.role("investment_in_associates")
    retained, line_account = chart.role("retained_earnings"), chart.role("share_of_profit_of_associates")
    opening_ref = year_average(period_start - ONE_DAY)
    acquired_before = a.acquired_on < period_start
    post = _post_acquisition_profit(a, as_of, period_start)
    fv_now, fv_before = profit_effects(
        chart=chart,
        adjustments=a.fair_value_adjustments,
        movements=a.fair_value_movements,
        tax_rate=tax,
        start=a.acquired_on,
        as_of=as_of,
        period_start=period_start,
    )
    lines: list[Draft] = []
    if acquired_before:
        prior = share * (exact(a.post_acquisition_change_before_period) + fv_before)
        lines += [
            Draft(investment, prior, h, h, CLOSING),
            Draft(retained, -prior, h, h, opening_ref, carried_forward=True),
        ]
    gain = ZERO
    if a.net_assets_at_acquisition is not None:
        gain = max(share * exact(a.net_assets_at_acquisition) - exact(a.cost), ZERO)
        credit = Draft(chart.role("non_operating_income"), -gain, h, h, AVERAGE)
        if acquired_before:
            credit = Draft(retained, -gain, h, h, opening_ref, carried_forward=True)
        lines += [Draft(investment, gain, h, h, CLOSING), credit]
    reported = share * (post + fv_now)
    lines += [Draft(investment, reported, h, h, CLOSING), Draft(line_account, -reported, h, h, AVERAGE)]
    urp_now = urp_then = ZERO
    for r in setting.records:
        if z not in (r.seller, r.buyer) or (r.buyer if r.seller == z else r.seller) not in setting.members:
            continue
        amount = share * urp_exact(r)
        if r.as_of == as_of:
            urp_now += urp_exact(r)
            if r.seller == z:
                reduced = Draft(r.inventory_account or chart.role("inventory"), -amount, r.buyer, h, CLOSING)
            else:
                reduced = Draft(investment, -amount, h, h, CLOSING)
            lines += [Draft(line_account, amount, h, h, AVERAGE), reduced]
        elif r.as_of == period_start - ONE_DAY:
            urp_then += urp_exact(r)
            lines += [
                Draft(retained, amount, h, h, opening_ref, carried_forward=True),
                Draft(line_account, -amount, h, h, AVERAGE),
            ]
    if a.oci_for_period:
        oci = share * exact(a.oci_for_period)
        lines += [
            Draft(investment, oci, h, h, CLOSING),
            Draft(chart.role("other_comprehensive_income"), -oci, h, h, AVERAGE),
        ]
    dividends = share * exact(a.dividends_for_period)
    if dividends:
        lines += [
            Draft(chart.role("investment_income"), dividends, h, h, AVERAGE, z),
            Draft(investment, -dividends, h, h, CLOSING),
        ]
    impaired_now = ZERO
    for imp in a.impairments:
        if imp.on > as_of:
            continue
        amount = exact(imp.amount)
        if imp.on >= period_start:
            impaired_now += amount
            lines.append(Draft(line_account, amount, h, h, AVERAGE))
        else:
            lines.append(Draft(retained, amount, h, h, opening_ref, carried_forward=True))
        lines.append(Draft(investment, -amount, h, h, CLOSING))
    adjusted = post + fv_now - urp_now + urp_then
    carrying = exact(a.cost) + sum(
        (d.amount for d in lines if d.account == investment and d.entity == h), ZERO
    )
    working = AssociateWorking(
        id=a.id,
        investor=h,
        investee=z,
        share=_dec(share),
        cost=a.cost,
        post_acquisition_profit=_dec(post),
        fair_value_effect=_dec(fv_now),
        unrealized_profit_effect=_dec(urp_then - urp_now),
        adjusted_profit=_dec(adjusted),
        share_of_reported_profit=_dec(share * post),
        share_of_unrealized_profit=_dec(share * (urp_then - urp_now)),
        impairment_for_period=_dec(impaired_now),
        share_of_profit=_dec(share * adjusted - impaired_now),
        share_of_oci=_dec(share * exact(a.oci_for_period)),
        dividends_received=_dec(dividends),
        gain_on_acquisition=_dec(gain),
        carrying_amount=_dec(carrying),
    )
    if a.books_method == "equity":
        return None, working
    entry = journal(
        reason="equity_method",
        source=a.id,
        layer="ADJ",
        currency=setting.currency,
        lines=lines,
        cta_entity=h,
        cta_nci_entity=h,
    )
    return entry, working
