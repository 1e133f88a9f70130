"""Foreign currency translation: C-15b and C-15c (Allen White 6.5, 6.6).

Rates in the cases are quoted as foreign units per presentation unit (B$ 0.71 per A$); the engine multiplies,
so the tests pass their reciprocals.
"""

from datetime import date
from decimal import Decimal

import pytest

from app.consolidation.domain import (
    Acquisition,
    FairValueAdjustment,
    FxRate,
    consolidate,
    historical_adjustment,
    translate_at_historical,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    ACCUMULATED_DEPRECIATION,
    ADMIN_EXPENSE,
    CASH,
    CTA,
    INVESTMENT_IN_SUBSIDIARIES,
    PPE,
    RETAINED_EARNINGS,
    SHARE_CAPITAL,
    D,
    books,
    parent_entry,
    subsidiary,
)


def per(quote: str) -> Decimal:
    """Presentation units per foreign unit from a 'foreign per presentation' quote."""
    return Decimal(1) / D(quote)


class TestC15b:
    closing = ("1.5", "1.7", "1.8", "1.4")

    def test_capital_at_historical_and_at_closing(self):
        at_historical = [
            translate_at_historical(movements=[(D(100), D("1.6"))]),
            translate_at_historical(movements=[(D(100), D("1.6")), (D(20), D("1.55"))]),
        ]

        at_closing = [D(c) * D(k) for c, k in zip([100, 100, 100, 120], self.closing, strict=True)]

        assert at_historical == [160, 191]
        assert at_closing == [150, 170, 180, 168]

    def test_yearly_historical_adjustments(self):
        previous = ["1.6", *self.closing[:3]]

        adjustments = [
            historical_adjustment(
                opening_amount=D(100),
                previous_rate=D(p),
                closing_rate=D(c),
                increases=[(D(20), D("1.55"))] if year == 3 else [],
            )
            for year, (p, c) in enumerate(zip(previous, self.closing, strict=True))
        ]

        assert [a.on_opening_amount for a in adjustments] == [10, -20, -10, 40]
        assert adjustments[3].on_increases == (3,)
        assert [sum(a.total for a in adjustments[: i + 1]) for i in range(4)] == [10, -10, -20, 23]

    @pytest.mark.parametrize(
        ("year", "capital", "historical", "reserve"), [(1, 100, 160, -10), (4, 120, 191, -23)]
    )
    def test_the_engine_books_the_capital_difference_in_the_translation_reserve(
        self, year, capital, historical, reserve
    ):
        parent = books(
            "P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): historical, SHARE_CAPITAL: historical}, currency="EUR"
        )
        foreign = books(
            "S",
            {CASH: capital, SHARE_CAPITAL: capital},
            currency="CUR",
            equity_at_historical={SHARE_CAPITAL: historical},
        )
        rate = self.closing[year - 1]

        result = consolidate(
            parent="P",
            as_of=date(2000 + year, 12, 31),
            period_start=date(2000 + year, 1, 1),
            presentation_currency="EUR",
            accounts=ACCOUNTS,
            books=[parent, foreign],
            scope=[parent_entry("P"), subsidiary("S", "1")],
            acquisitions=[
                Acquisition("A", "P", "S", date(2001, 1, 1), D(1), D(capital), {SHARE_CAPITAL: D(capital)})
            ],
            fx_rates=[
                FxRate("CUR", "closing", date(2000 + year, 12, 31), D(rate)),
                FxRate("CUR", "average", date(2000 + year, 12, 31), D(rate)),
                FxRate("CUR", "historical", date(2001, 1, 1), D(historical) / D(capital)),
            ],
        )

        assert result.translations[0].translation_reserve == reserve
        assert result.line(CASH) == D(capital) * D(rate)


class TestC15c:
    """An extra depreciation of 100 CUR a year on a fair-value uplift of a foreign subsidiary (life 10 years,
    acquired at the start of year 1). Filler: the subsidiary's books (cash 1,000 = capital), its price (2,000
    CUR: no goodwill) and an acquisition-date rate of 1.6, which no published figure depends on."""

    rates = (
        FxRate("CUR", "historical", date(2001, 1, 1), D("1.6")),
        FxRate("CUR", "closing", date(2001, 12, 31), D("1.5")),
        FxRate("CUR", "average", date(2001, 12, 31), D("1.4")),
        FxRate("CUR", "closing", date(2002, 12, 31), D("1.2")),
        FxRate("CUR", "average", date(2002, 12, 31), D("1.3")),
    )

    def _run(self, year: int):
        parent = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 3200, SHARE_CAPITAL: 3200}, currency="EUR")
        foreign = books(
            "S", {CASH: 1000, SHARE_CAPITAL: 1000}, currency="CUR", equity_at_historical={SHARE_CAPITAL: 1600}
        )
        acquisition = Acquisition(
            "A",
            "P",
            "S",
            date(2001, 1, 1),
            D(1),
            D(2000),
            {SHARE_CAPITAL: D(1000)},
            fair_value_adjustments=(FairValueAdjustment(PPE, D(1000), 120),),
        )
        return consolidate(
            parent="P",
            as_of=date(2000 + year, 12, 31),
            period_start=date(2000 + year, 1, 1),
            presentation_currency="EUR",
            accounts=ACCOUNTS,
            books=[parent, foreign],
            scope=[parent_entry("P"), subsidiary("S", "1")],
            acquisitions=[acquisition],
            fx_rates=self.rates,
        )

    @staticmethod
    def _depreciation(result) -> dict[str, Decimal]:
        lines: dict[str, Decimal] = {}
        for e in result.eliminations:
            if e.reason == "fair_value_depreciation":
                lines[e.account] = lines.get(e.account, Decimal(0)) + e.debit - e.credit
        return lines

    def test_year1(self):
        result = self._run(1)

        assert self._depreciation(result) == {ADMIN_EXPENSE: 140, ACCUMULATED_DEPRECIATION: -150, CTA: 10}
        assert result.figures.goodwill == 0
        assert result.consolidated

    def test_year2(self):
        lines = self._depreciation(self._run(2))

        assert lines == {ADMIN_EXPENSE: 130, RETAINED_EARNINGS: 140, ACCUMULATED_DEPRECIATION: -240, CTA: -30}
