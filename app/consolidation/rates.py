"""Exchange rates for a run, looked up through the ledger's FX service.

The engine looks rates up by exact (currency, kind, date); the ledger answers by its own rules (a closing
or historical rate on or before the date, an average for exactly the period's end date, either direction of
the pair). So the run asks the ledger for every rate the engine may need and hands the answers over keyed by
the date the engine will ask for. A rate the ledger cannot give is simply not handed over: if the engine
does need it, it reports every such rate at once (`consolidation-missing-rate`).

The rate of a transaction date (`spot`) is a historical rate recorded for that very day, else the closing
rate on or before it: the ledger's own "historical on or before" would silently reuse an older
transaction's rate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.consolidation import domain as cd
from app.ledger import fx_service
from app.ledger.errors import FxRateMissingError


class RateBook:
    """Rates to the presentation currency (units of it per unit of the currency), remembered once found."""

    def __init__(self, session: Session, presentation: str) -> None:
        self._session = session
        self.presentation = presentation
        self._found: dict[tuple[str, str, date], Decimal | None] = {}
        self.missing: set[tuple[str, str, date]] = set()

    def _ledger(self, currency: str, kind: str, on: date, *, exact: bool = False) -> Decimal | None:
        try:
            resolved = fx_service.lookup_rate(
                self._session, currency=currency, quote_currency=self.presentation, kind=kind, on=on
            )
        except FxRateMissingError:
            return None
        if exact and resolved.rate_on != on:
            return None
        return resolved.rate

    def _remember(self, currency: str, kind: str, on: date, rate: Decimal | None) -> Decimal | None:
        self._found[(currency, kind, on)] = rate
        return rate

    def closing(self, currency: str, on: date) -> Decimal | None:
        if currency == self.presentation:
            return Decimal(1)
        key = (currency, "closing", on)
        if key not in self._found:
            self._remember(currency, "closing", on, self._ledger(currency, "closing", on))
        return self._found[key]

    def average(self, currency: str, on: date) -> Decimal | None:
        """The average rate of the (fiscal) period that ends on `on`."""
        if currency == self.presentation:
            return Decimal(1)
        key = (currency, "average", on)
        if key not in self._found:
            self._remember(currency, "average", on, self._ledger(currency, "average", on))
        return self._found[key]

    def spot(self, currency: str, on: date) -> Decimal | None:
        """The rate of a transaction on `on` (module docstring); stored for the engine as its historical."""
        if currency == self.presentation:
            return Decimal(1)
        key = (currency, "historical", on)
        if key not in self._found:
            rate = self._ledger(currency, "historical", on, exact=True)
            self._remember(
                currency, "historical", on, rate if rate is not None else self.closing(currency, on)
            )
        return self._found[key]

    def require(self, rate: Decimal | None, currency: str, kind: str, on: date) -> Decimal:
        """`rate`, or 1 with (currency, kind, on) recorded as missing (every missing rate is reported)."""
        if rate is None:
            self.missing.add((currency, kind, on))
            return Decimal(1)
        return rate

    def for_engine(self) -> list[cd.FxRate]:
        """Every rate found, keyed as the engine asks for it, in a stable order."""
        return [
            cd.FxRate(currency=c, kind=k, on=on, rate=rate)  # type: ignore[arg-type]
            for (c, k, on), rate in sorted(self._found.items())
            if rate is not None
        ]

    def missing_violations(self) -> list[cd.Violation]:
        return [
            cd.Violation("missing-rate", f"no {kind} rate for {currency} on {on.isoformat()}", currency)
            for currency, kind, on in sorted(self.missing)
        ]
