"""Checks of an acquisition and of its later events, every violation at once, each naming its field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.consolidation.books import GroupChart
from app.consolidation.models import Acquisition, FairValueAdjustment
from app.core.errors import violation

ZERO = Decimal(0)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class AdjustmentInput:
    """A fair-value adjustment as asked for (see `schemas.FairValueAdjustmentIn`)."""

    account_code: str
    amount: Decimal
    useful_life_months: int | None = None
    contra_account_code: str | None = None
    expense_account_code: str | None = None


@dataclass(frozen=True)
class AcquisitionInput:
    acquirer_id: str
    acquiree_id: str
    acquired_on: date
    share: Decimal
    voting_share: Decimal
    consideration: Decimal
    combination: str
    nci_measurement: str
    nci_fair_value: Decimal | None
    previously_held_fair_value: Decimal | None
    previously_held_carrying_amount: Decimal | None
    equity_at_acquisition: Sequence[tuple[str, Decimal]] | None
    fair_value_adjustments: Sequence[AdjustmentInput]
    deferred_tax_rate: Decimal | None


def _account(
    chart: GroupChart, code: str | None, kinds: frozenset[str], loc: Loc, out: list[dict[str, Any]]
) -> None:
    if code is None:
        return
    kind = chart.types.get(code)
    if kind is None:
        out.append(violation(loc, f"account {code} is not in the group chart", "unknown_account"))
    elif kind not in kinds:
        out.append(
            violation(
                loc, f"account {code} is {kind}, not {' or '.join(sorted(kinds))}", "wrong_account_type"
            )
        )


def acquisition_violations(request: AcquisitionInput, chart: GroupChart) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if request.acquirer_id == request.acquiree_id:
        out.append(violation(("body", "acquiree_id"), "an entity cannot acquire itself", "self_acquisition"))
    for name, value in (("share", request.share), ("voting_share", request.voting_share)):
        if not ZERO < value <= 1:
            out.append(violation(("body", name), "must be in (0, 1]", "share_out_of_range"))
    if request.nci_measurement == "fair_value" and request.nci_fair_value is None:
        out.append(violation(("body", "nci_fair_value"), "required with the fair-value method", "missing"))
    if request.nci_measurement != "fair_value" and request.nci_fair_value is not None:
        out.append(
            violation(("body", "nci_fair_value"), "only with nci_measurement fair_value", "not_allowed")
        )
    if request.previously_held_carrying_amount is not None and request.previously_held_fair_value is None:
        out.append(
            violation(("body", "previously_held_fair_value"), "required with its carrying amount", "missing")
        )
    if request.combination == "under_common_control":
        if request.fair_value_adjustments:
            out.append(
                violation(
                    ("body", "fair_value_adjustments"),
                    "a combination under common control keeps book values (CAS 20)",
                    "not_allowed",
                )
            )
        if request.nci_measurement != "proportionate":
            out.append(
                violation(
                    ("body", "nci_measurement"),
                    "common control: NCI at its share of book values",
                    "not_allowed",
                )
            )
    counts = Counter(code for code, _ in request.equity_at_acquisition or [])
    for i, (code, _) in enumerate(request.equity_at_acquisition or []):
        loc: Loc = ("body", "equity_at_acquisition", i, "account_code")
        _account(chart, code, frozenset({"equity", "income", "expense"}), loc, out)
        if counts[code] > 1:
            out.append(violation(loc, f"account {code} is listed more than once", "duplicate"))
    for i, adj in enumerate(request.fair_value_adjustments):
        base: Loc = ("body", "fair_value_adjustments", i)
        _account(chart, adj.account_code, frozenset({"asset", "liability"}), (*base, "account_code"), out)
        _account(
            chart,
            adj.contra_account_code,
            frozenset({"asset", "liability"}),
            (*base, "contra_account_code"),
            out,
        )
        _account(
            chart, adj.expense_account_code, frozenset({"expense"}), (*base, "expense_account_code"), out
        )
        if adj.amount == 0:
            out.append(violation((*base, "amount"), "a fair-value adjustment is not zero", "zero_amount"))
    return out


def movement_violations(
    *,
    acquisition: Acquisition,
    adjustments: Sequence[FairValueAdjustment],
    earlier: Decimal,
    on: date,
    account_code: str,
    amount: Decimal,
    pnl_account_code: str | None,
    chart: GroupChart,
) -> list[dict[str, Any]]:
    """A movement realises part of an adjustment of its account: same sign, never more than is left."""
    out: list[dict[str, Any]] = []
    if on < acquisition.acquired_on:
        out.append(violation(("body", "on"), "before the acquisition date", "before_acquisition"))
    adjusted = sum((a.amount for a in adjustments if a.account_code == account_code), ZERO)
    if adjusted == 0:
        out.append(
            violation(
                ("body", "account_code"),
                f"the acquisition adjusted no account {account_code}",
                "not_adjusted",
            )
        )
    elif amount == 0 or (amount > 0) != (adjusted > 0) or abs(earlier + amount) > abs(adjusted):
        out.append(
            violation(
                ("body", "amount"),
                f"realises more than is left of the adjustment ({adjusted - earlier} left)",
                "exceeds_adjustment",
            )
        )
    _account(chart, pnl_account_code, frozenset({"income", "expense"}), ("body", "pnl_account_code"), out)
    return out


def impairment_violations(
    *, acquisition: Acquisition, earlier: Decimal, on: date, amount: Decimal
) -> list[dict[str, Any]]:
    """Goodwill of a combination cannot be impaired below nil; an associate's whole investment can be."""
    out: list[dict[str, Any]] = []
    if on < acquisition.acquired_on:
        out.append(violation(("body", "on"), "before the acquisition date", "before_acquisition"))
    combination = acquisition.voting_share > Decimal("0.5")
    if combination and earlier + amount > acquisition.goodwill:
        out.append(
            violation(
                ("body", "amount"),
                f"impairs more than the goodwill left ({acquisition.goodwill - earlier})",
                "exceeds_goodwill",
            )
        )
    return out
