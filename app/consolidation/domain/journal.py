"""Consolidation journals while the engine builds them: exact, debit-positive, in one currency.

A generator writes a `Journal` in the currency its amounts are known in (the acquiree's for goodwill, the
buyer's for unrealised profit...). Each `Draft` line names the rate that translates it (`RateRef`): by
default the closing rate for assets and liabilities and the period's average for income and expenses; equity
lines name theirs (historical, or the average of the earlier year whose result they restate). Translation
(`translation.translate_journal`) turns the journal into `Posted` lines of the presentation currency and books
the difference, if any, to the translation reserve.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal

from app.consolidation.domain.numbers import total
from app.consolidation.domain.results import Layer

RefKind = Literal["closing", "average", "historical", "year_average"]


@dataclass(frozen=True, slots=True)
class RateRef:
    """Which rate translates a line: `historical` on a transaction date, `year_average` of the fiscal year
    ending `on`; `closing` and `average` of the run's own date and period."""

    kind: RefKind
    on: date | None = None


CLOSING = RateRef("closing")
AVERAGE = RateRef("average")


def historical(on: date) -> RateRef:
    return RateRef("historical", on)


def year_average(year_end: date) -> RateRef:
    return RateRef("year_average", year_end)


@dataclass(frozen=True, slots=True)
class Draft:
    """One line before translation. `nci_entity`: the subsidiary whose NCI shares in it (None: nobody's)."""

    account: str
    amount: Fraction
    entity: str
    nci_entity: str | None = None
    rate: RateRef | None = None
    counterparty: str | None = None
    carried_forward: bool = False


@dataclass(frozen=True)
class Journal:
    """A balanced set of drafts. A translation difference goes to `cta_entity` (NCI of `cta_nci_entity`)."""

    reason: str
    source: str | None
    layer: Layer
    currency: str
    lines: tuple[Draft, ...]
    cta_entity: str | None = None
    cta_nci_entity: str | None = None

    def __post_init__(self) -> None:
        imbalance = total(line.amount for line in self.lines)
        if imbalance != 0:
            raise ValueError(f"journal {self.reason}/{self.source} does not balance by {imbalance}")


def journal(
    *,
    reason: str,
    source: str | None,
    layer: Layer,
    currency: str,
    lines: Iterable[Draft],
    cta_entity: str | None = None,
    cta_nci_entity: str | None = None,
) -> Journal | None:
    """A `Journal` of the non-zero lines, or None when nothing is left."""
    kept = tuple(line for line in lines if line.amount.numerator)  # (an int test: no Fraction comparison)
    if not kept:
        return None
    return Journal(reason, source, layer, currency, kept, cta_entity, cta_nci_entity)


@dataclass(frozen=True, slots=True)
class Posted:
    """A journal line in the presentation currency, exact; `translation` marks a translation difference."""

    journal: str
    reason: str
    source: str | None
    layer: Layer
    account: str
    entity: str
    amount: Fraction
    nci_entity: str | None
    counterparty: str | None = None
    carried_forward: bool = False
    translation: bool = False
