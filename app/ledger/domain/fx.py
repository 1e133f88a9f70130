"""Exchange rates: which stored rate answers "rate of this kind for these currencies on this date".

A rate says 1 unit of `currency` = `rate` units of `quote_currency`. Kinds and their lookup rule:

- `closing` (the rate at the close of a date: balance sheets) and `historical` (the spot rate of a
  transaction date: equity, non-monetary items): the rate recorded on the latest date on or before the date
  asked for, since markets publish no rate on holidays. The answer names the date it was recorded on
  (`rate_on`), so a stale rate is visible.
- `average` (income and expenses of a period): a rate for the period ending on the date asked for, recorded
  on exactly that date. An average of another period is a different number, so there is no fallback.

A pair stored the other way round answers with its inverse (1 / rate, 12 decimal places, half up). When both
directions are stored, the more recent date wins, and the directly stored rate on a tie. The same currency on
both sides is 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.core.money import RATIO_QUANTUM, round_half_up

KINDS = ("closing", "average", "historical")
EXACT_DATE_KINDS = frozenset({"average"})


@dataclass(frozen=True)
class StoredRate:
    currency: str
    quote_currency: str
    kind: str
    on: date
    rate: Decimal


@dataclass(frozen=True)
class ResolvedRate:
    currency: str
    quote_currency: str
    kind: str
    on: date
    rate_on: date
    rate: Decimal
    inverted: bool


def usable(rate: StoredRate, *, kind: str, on: date) -> bool:
    """Whether a stored rate may answer a lookup of `kind` on `on` (see module doc)."""
    if rate.kind != kind:
        return False
    return rate.on == on if kind in EXACT_DATE_KINDS else rate.on <= on


def resolve_rate(
    *, currency: str, quote_currency: str, kind: str, on: date, candidates: Sequence[StoredRate]
) -> ResolvedRate | None:
    """The answer from the stored `candidates` (either direction), or None when none is usable.

    Raises:
        ValueError: unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown rate kind {kind!r}")
    if currency == quote_currency:
        return ResolvedRate(currency, quote_currency, kind, on, on, Decimal(1), inverted=False)
    best: ResolvedRate | None = None
    for stored in candidates:
        if not usable(stored, kind=kind, on=on):
            continue
        if (stored.currency, stored.quote_currency) == (currency, quote_currency):
            found = ResolvedRate(currency, quote_currency, kind, on, stored.on, stored.rate, inverted=False)
        elif (stored.currency, stored.quote_currency) == (quote_currency, currency):
            inverse = round_half_up(Decimal(1) / stored.rate, RATIO_QUANTUM)
            found = ResolvedRate(currency, quote_currency, kind, on, stored.on, inverse, inverted=True)
        else:
            continue
        if best is None or (found.rate_on, not found.inverted) > (best.rate_on, not best.inverted):
            best = found
    return best
