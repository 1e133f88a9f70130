"""Foreign currency translation to the presentation currency (IAS 21.39-48, CAS 19; DOMAIN §6).

- A company's books: assets and liabilities at the closing rate, income and expenses at the period's average
  rate, equity at the historical amounts the service supplies (`EntityBooks.equity_at_historical`); the
  difference is the company's translation reserve (CTA), which its NCI shares (IAS 21.41).
- A consolidation journal: each line at its `RateRef`; the difference goes to the reserve of the journal's
  `cta_entity`. Goodwill and fair-value adjustments of a foreign operation are its assets, so they sit at the
  closing rate (IAS 21.47) and their retranslation lands in the reserve (Allen White 6.6, case C-15c).
- Allen White 6.5 keeps capital at its historical rate through yearly "historical adjustments":
  `historical_adjustment` computes them (case C-15b).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.errors import MissingExchangeRateError, Violation
from app.consolidation.domain.inputs import EntityBooks, FxRate
from app.consolidation.domain.journal import AVERAGE, CLOSING, Journal, Posted, RateRef
from app.consolidation.domain.numbers import ZERO, exact, to_decimal, total
from app.consolidation.domain.periods import ONE_DAY, add_months
from app.consolidation.domain.results import TranslationWorking

BalanceMap = dict[tuple[str, str | None], Fraction]


@dataclass
class Rates:
    """Rate lookups for one reporting date; a missing rate is recorded (`check` reports them all)."""

    fx_rates: Sequence[FxRate]
    presentation: str
    as_of: date
    period_start: date
    missing: set[tuple[str, str, date]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._table: dict[tuple[str, str, date], Fraction] = {
            (r.currency, r.kind, r.on): exact(r.rate) for r in self.fx_rates
        }

    def rate(self, currency: str, ref: RateRef) -> Fraction:
        """Presentation units per unit of `currency` for a line translated at `ref`."""
        if currency == self.presentation:
            return Fraction(1)
        if ref.kind == "closing":
            return self._lookup(currency, "closing", self.as_of)
        if ref.kind == "average":
            return self._lookup(currency, "average", self.as_of)
        assert ref.on is not None
        if ref.kind == "year_average":
            return self._lookup(currency, "average", ref.on)
        found = self._table.get((currency, "historical", ref.on))
        return found if found is not None else self._lookup(currency, "closing", ref.on)

    def _lookup(self, currency: str, kind: str, on: date) -> Fraction:
        found = self._table.get((currency, kind, on))
        if found is None:
            self.missing.add((currency, kind, on))
            return Fraction(1)
        return found

    def at_opening(self) -> Rates:
        """The same table seen from the period start: the previous period's closing and average rates."""
        return Rates(
            self.fx_rates,
            self.presentation,
            self.period_start - ONE_DAY,
            add_months(self.period_start, -12),
            self.missing,
        )

    def check(self) -> None:
        """Raise MissingExchangeRateError listing every rate that was needed and not supplied."""
        if self.missing:
            raise MissingExchangeRateError(
                [
                    Violation("missing-rate", f"no {kind} rate for {currency} on {on.isoformat()}", currency)
                    for currency, kind, on in sorted(self.missing)
                ]
            )


@dataclass(frozen=True)
class TranslatedBooks:
    """A company's books in the presentation currency, debit-positive, and its translation working."""

    balances: BalanceMap
    oci: Fraction
    working: TranslationWorking | None
    exchange_difference: Fraction


def translate_books(*, books: EntityBooks, chart: Chart, rates: Rates) -> TranslatedBooks:
    """The books translated (module docstring); for the presentation currency only re-signed."""
    # One entry per (account, counterparty) already: re-signing needs no addition.
    local: BalanceMap = {}
    for key, amount in books.balances.items():
        value = exact(amount)
        local[key] = value if chart.sign(key[0]) > 0 else -value
    oci_local = sum((exact(v) for v in books.oci_for_period.values()), ZERO)
    if books.currency == rates.presentation:
        return TranslatedBooks(local, oci_local, None, ZERO)
    closing, average = rates.rate(books.currency, CLOSING), rates.rate(books.currency, AVERAGE)
    cta = chart.role("cta")
    translated: BalanceMap = {}
    for key, value in local.items():
        kind = chart.type_of(key[0])
        if kind in ("asset", "liability"):
            translated[key] = value * closing
        elif kind in ("income", "expense"):
            translated[key] = value * average
    for account, amount in (books.equity_at_historical or {}).items():
        translated[(account, None)] = translated.get((account, None), ZERO) - exact(amount)
    reserve_debit = -sum(translated.values(), ZERO)
    translated[(cta, None)] = translated.get((cta, None), ZERO) + reserve_debit
    net_assets = sum(
        (v for k, v in translated.items() if chart.type_of(k[0]) in ("asset", "liability")), ZERO
    )
    profit = -sum((v for k, v in local.items() if chart.is_pnl(k[0])), ZERO)
    income_at_average = (profit + oci_local) * average
    exchange = -reserve_debit - exact(books.opening_cta)
    working = TranslationWorking(
        entity=books.entity,
        currency=books.currency,
        closing_rate=to_decimal(closing),
        average_rate=to_decimal(average),
        closing_net_assets=to_decimal(net_assets),
        opening_net_assets=to_decimal(net_assets - income_at_average - exchange),
        comprehensive_income_at_average=to_decimal(income_at_average),
        exchange_difference=to_decimal(exchange),
        translation_reserve=to_decimal(-reserve_debit),
    )
    return TranslatedBooks(translated, oci_local * average, working, exchange)


def translate_journal(*, entry: Journal, journal_id: str, chart: Chart, rates: Rates) -> list[Posted]:
    """The journal's lines in the presentation currency, and a reserve line for any difference."""
    posted: list[Posted] = []
    foreign = entry.currency != rates.presentation
    for line in entry.lines:
        ref = line.rate
        if ref is None and foreign:
            kind = chart.type_of(line.account)
            if kind == "equity":
                raise ValueError(f"equity line {line.account} of {entry.reason} names no rate")
            ref = CLOSING if kind in ("asset", "liability") else AVERAGE
        amount = line.amount * rates.rate(entry.currency, ref) if ref is not None else line.amount
        posted.append(
            Posted(
                journal_id,
                entry.reason,
                entry.source,
                entry.layer,
                line.account,
                line.entity,
                amount,
                line.nci_entity,
                line.counterparty,
                line.carried_forward,
            )
        )
    residual = -total(p.amount for p in posted)
    if residual != 0:
        if entry.cta_entity is None:
            raise ValueError(f"journal {entry.reason}/{entry.source} needs a translation entity")
        posted.append(
            Posted(
                journal_id,
                entry.reason,
                entry.source,
                entry.layer,
                chart.role("cta"),
                entry.cta_entity,
                residual,
                entry.cta_nci_entity,
                translation=True,
            )
        )
    return posted


def translate_at_historical(*, movements: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """An equity item kept at historical rates: the sum of each movement (amount, rate) at its own rate."""
    return to_decimal(sum((exact(amount) * exact(rate) for amount, rate in movements), ZERO))


@dataclass(frozen=True, slots=True)
class HistoricalAdjustment:
    """One year's historical adjustment of an equity item (Allen White 6.5): the item at the closing rate plus
    the accumulated adjustments equals the item at historical rates."""

    on_opening_amount: Decimal
    on_increases: tuple[Decimal, ...]
    total: Decimal


def historical_adjustment(
    *,
    opening_amount: Decimal,
    previous_rate: Decimal,
    closing_rate: Decimal,
    increases: Sequence[tuple[Decimal, Decimal]] = (),
) -> HistoricalAdjustment:
    """opening x (previous closing rate - closing rate) + each increase x (its rate - closing rate).

    `previous_rate` is the historical rate in the first year. C-15b year 4: 100 x (1.8 - 1.4) = 40 and
    20 x (1.55 - 1.4) = 3.
    """
    on_opening = exact(opening_amount) * (exact(previous_rate) - exact(closing_rate))
    on_increases = tuple(exact(a) * (exact(r) - exact(closing_rate)) for a, r in increases)
    return HistoricalAdjustment(
        on_opening_amount=to_decimal(on_opening),
        on_increases=tuple(to_decimal(x) for x in on_increases),
        total=to_decimal(on_opening + sum(on_increases, ZERO)),
    )


def translation_reserve_movements(postings: Sequence[Posted]) -> Mapping[str | None, Fraction]:
    """Translation-difference amounts (credit-positive) by the subsidiary whose NCI shares them."""
    result: dict[str | None, Fraction] = {}
    for p in postings:
        if p.translation:
            result[p.nci_entity] = result.get(p.nci_entity, ZERO) - p.amount
    return result
