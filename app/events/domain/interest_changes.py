"""The consolidated accounting of a change in the group's interest in a company (DOMAIN §3.1, §4).

Equity transaction (control before and after; IFRS 10.23/B96, CAS 33 Arts. 47/49, §4.2 dilution).
Nothing goes to profit, goodwill does not move; the NCI is adjusted and the rest goes to the parent's equity
(capital reserve, then surplus reserve and retained earnings under CAS). With `i` the group parent's interest
in the company, NA its net assets continuously measured from acquisition (持续计算的净资产, goodwill
excluded) and `paid` the net cash the group's companies pay (to outsiders for shares, or into the company
as capital; cash received counts negative), split between the parent's owners (Σ interest(h) x paid_h)
and the NCI of the paying companies (Σ (1 - interest(h)) x paid_h):

    Δ parent equity = i_after x NA_after - i_before x NA_before - parent's part of paid
    Δ NCI           = (1 - i_after) x NA_after - (1 - i_before) x NA_before - NCI's part of paid

which gives C-19c (0.05 x 220 - 15 = -4), C-19b (4,400 - 0.2 x 18,900 = 620), C-20c under IFRS (500 - 370 =
130) and the dilution of C-19e (0.56 x 2,450 - 0.48 x 1,950 - 0.8 x 500 = 36). Under IFRS a purchase of NCI is
measured on the NCI's carrying amount at the date instead (RBE: 755 x 20/30 = 503, 503 - 540 = -37), and a
sale under the fair-value NCI method on net assets plus goodwill (§4.1, the documented choice).

Loss of control (IFRS 10.25/B98-B99, CAS 33 Art. 50): the net assets, goodwill and NCI leave at their
carrying amounts, the consideration and the retained interest (at fair value) come in, the parent's part
of the translation reserve is recycled, and the difference is the gain:

    gain = consideration + FV retained + NCI - (NA + goodwill) + i_before x CTA      (C-20b: -0.8)

Step acquisition (IFRS 3.41-42, CAS 33.48): the interest held before control is remeasured to fair value at
the date control is gained, the difference is a gain in profit (投资收益), and the fair value enters goodwill.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from fractions import Fraction
from typing import Literal

from app.consolidation.domain import compute_goodwill
from app.events.domain.model import frac

Standard = Literal["cas", "ifrs"]
NciMeasurement = Literal["proportionate", "fair_value"]
_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class EquityTransaction:
    """Credit-positive changes of the parent's equity and of the NCI, and what they were measured on."""

    parent_equity_change: Fraction
    nci_change: Fraction
    basis: str
    nci_before: Fraction


def equity_transaction(
    *,
    standard: Standard,
    interest_before: Fraction,
    interest_after: Fraction,
    net_assets_before: Fraction,
    net_assets_after: Fraction,
    parent_paid: Fraction,
    nci_paid: Fraction,
    nci_carrying_amount: Fraction | None = None,
    nci_measurement: NciMeasurement = "proportionate",
    goodwill: Fraction = _ZERO,
) -> EquityTransaction:
    """The equity transaction of the module docstring.

    `nci_carrying_amount` (IFRS) is the NCI at the transaction date (opening + its share of comprehensive
    income to date - its dividends); None = its share of the net assets (plus goodwill under the fair-value
    method). The IFRS carrying-amount basis applies to a purchase with no new capital (NA unchanged).
    """
    total_change = net_assets_after - net_assets_before - parent_paid - nci_paid
    nci_before = (
        nci_carrying_amount
        if nci_carrying_amount is not None
        else (1 - interest_before) * net_assets_before
        + (goodwill * (1 - interest_before) if nci_measurement == "fair_value" else _ZERO)
    )
    purchase = interest_after > interest_before and net_assets_after == net_assets_before
    sale = interest_after < interest_before and net_assets_after == net_assets_before
    if standard == "ifrs" and purchase and interest_before < 1:
        nci_change = -nci_before * (interest_after - interest_before) / (1 - interest_before)
        basis = "nci_carrying_amount"
    elif standard == "ifrs" and sale and nci_measurement == "fair_value":
        nci_change = (interest_before - interest_after) * (net_assets_before + goodwill)
        basis = "net_assets_and_goodwill"
    else:
        nci_change = (
            (1 - interest_after) * net_assets_after - (1 - interest_before) * net_assets_before - nci_paid
        )
        basis = "net_assets_continuously_measured"
    return EquityTransaction(
        parent_equity_change=total_change - nci_change,
        nci_change=nci_change,
        basis=basis,
        nci_before=nci_before,
    )


@dataclass(frozen=True, slots=True)
class LossOfControl:
    net_assets_derecognised: Fraction
    goodwill_derecognised: Fraction
    nci_derecognised: Fraction
    consideration: Fraction
    retained_interest_fair_value: Fraction
    cta_recycled: Fraction
    gain: Fraction


def loss_of_control(
    *,
    interest_before: Fraction,
    net_assets: Fraction,
    goodwill: Fraction,
    consideration: Fraction,
    retained_interest_fair_value: Fraction,
    nci_carrying_amount: Fraction | None = None,
    cta: Fraction = _ZERO,
) -> LossOfControl:
    """The gain or loss on losing control (module docstring); NCI defaults to its share of net assets."""
    nci = nci_carrying_amount if nci_carrying_amount is not None else (1 - interest_before) * net_assets
    recycled = interest_before * cta
    gain = consideration + retained_interest_fair_value + nci - (net_assets + goodwill) + recycled
    return LossOfControl(
        net_assets_derecognised=net_assets,
        goodwill_derecognised=goodwill,
        nci_derecognised=nci,
        consideration=consideration,
        retained_interest_fair_value=retained_interest_fair_value,
        cta_recycled=recycled,
        gain=gain,
    )


@dataclass(frozen=True, slots=True)
class ControlGained:
    """Goodwill working at the date control is gained, with the remeasured earlier interest."""

    goodwill: Fraction
    bargain_purchase_gain: Fraction
    nci_at_acquisition: Fraction
    net_assets: Fraction
    previously_held_fair_value: Fraction
    previously_held_carrying_amount: Fraction
    remeasurement_gain: Fraction


def control_gained(
    *,
    consideration: Fraction,
    share_after: Fraction,
    acquirer_interest: Fraction,
    fair_value_net_assets: Fraction,
    previously_held_fair_value: Fraction,
    previously_held_carrying_amount: Fraction,
    nci_measurement: NciMeasurement,
    nci_fair_value: Fraction | None,
    nci_share: Fraction | None = None,
) -> ControlGained:
    """IFRS 3.32 goodwill (the consolidation engine's computation) with the step-acquisition remeasurement."""
    result = compute_goodwill(
        consideration=_dec(consideration),
        net_assets=_dec(fair_value_net_assets),
        share=_dec(share_after),
        nci_measurement=nci_measurement,
        nci_fair_value=_dec(nci_fair_value) if nci_fair_value is not None else None,
        previously_held_fair_value=_dec(previously_held_fair_value),
        acquirer_interest=_dec(acquirer_interest),
        nci_share=_dec(nci_share) if nci_share is not None else None,
    )
    return ControlGained(
        goodwill=frac(result.goodwill),
        bargain_purchase_gain=frac(result.bargain_purchase_gain),
        nci_at_acquisition=frac(result.nci_at_acquisition),
        net_assets=fair_value_net_assets,
        previously_held_fair_value=previously_held_fair_value,
        previously_held_carrying_amount=previously_held_carrying_amount,
        remeasurement_gain=previously_held_fair_value - previously_held_carrying_amount,
    )


def _dec(value: Fraction) -> Decimal:
    """A fraction as the engine's Decimal input (40 significant digits; exact when it terminates early)."""
    with localcontext(Context(prec=40)):
        return Decimal(value.numerator) / Decimal(value.denominator)


def nci_at_date(
    *, opening: Fraction, share_of_comprehensive_income: Fraction, dividends: Fraction
) -> Fraction:
    """NCI carrying amount on a transaction date: opening + its share of TCI to date - its dividends (RBE:
    650 + 135 - 30 = 755)."""
    return opening + share_of_comprehensive_income - dividends
