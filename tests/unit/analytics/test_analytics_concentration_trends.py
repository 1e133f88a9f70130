"""Concentration (shares, HHI, CR4), consecutive periods and changes, the merger-candidate screen."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analytics.domain.candidates import Maker, median, screen
from app.analytics.domain.concentration import concentration, hhi_of, merged_outputs
from app.analytics.domain.figures import Figures
from app.analytics.domain.trends import Period, periods, series

D = Decimal


class TestConcentration:
    def test_shares_hhi_cr4_of_a_hand_computed_segment(self) -> None:
        # shares 50%, 30%, 10%, 5%, 5%: HHI 2500 + 900 + 100 + 25 + 25 = 3550; CR4 0.95
        outputs = {"a": D(500), "b": D(300), "c": D(100), "d": D(50), "e": D(50)}

        found = concentration(outputs)

        assert found.shares == {
            "a": D("0.500000"),
            "b": D("0.300000"),
            "c": D("0.100000"),
            "d": D("0.050000"),
            "e": D("0.050000"),
        }
        assert found.hhi == D("3550.00")
        assert found.cr4 == D("0.950000")
        assert found.equivalent_makers == D("2.82")
        assert found.makers == 5
        assert found.total_output == D(1000)

    def test_a_segment_without_output_has_no_shares(self) -> None:
        found = concentration({"a": D(0), "b": D(-10)})

        assert found.hhi is None
        assert found.cr4 is None
        assert found.equivalent_makers is None
        assert found.shares == {"a": None, "b": None}

    def test_negative_output_counts_as_none(self) -> None:
        found = concentration({"a": D(100), "b": D(-40)})

        assert found.shares == {"a": D("1.000000"), "b": D("0.000000")}
        assert found.hhi == D("10000.00")

    def test_a_merger_in_the_segment_adds_the_outputs(self) -> None:
        outputs = {"a": D(500), "b": D(300), "c": D(200)}

        merged = merged_outputs(outputs, absorbed=["c"], into="b")

        assert merged == {"a": D(500), "b": D(500)}
        assert hhi_of(merged) == D("5000.00")

    @settings(max_examples=40, deadline=None)
    @given(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=10**6))
    def test_n_equal_makers_give_10000_over_n(self, n: int, output: int) -> None:
        found = concentration({str(i): D(output) for i in range(n)})

        assert found.hhi == (D(10000) / n).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert found.cr4 == (D(min(n, 4)) / n).quantize(D("0.000001"), rounding=ROUND_HALF_UP)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12))
    def test_hhi_lies_between_10000_over_n_and_10000(self, values: list[int]) -> None:
        found = concentration({str(i): D(v) for i, v in enumerate(values)})

        if sum(values) == 0:
            assert found.hhi is None
        else:
            assert found.hhi is not None
            assert D(10000) / len(values) - D("0.01") <= found.hhi <= D(10000)


class TestPeriods:
    def test_quarters_ending_in_a_quarter_in_progress(self) -> None:
        found = periods(granularity="quarter", count=3, end=date(2025, 8, 15))

        assert found == [
            Period(date(2025, 1, 1), date(2025, 3, 31)),
            Period(date(2025, 4, 1), date(2025, 6, 30)),
            Period(date(2025, 7, 1), date(2025, 8, 15)),
        ]

    def test_months_across_a_year_end(self) -> None:
        found = periods(granularity="month", count=3, end=date(2025, 2, 28))

        assert [(p.start, p.end) for p in found] == [
            (date(2024, 12, 1), date(2024, 12, 31)),
            (date(2025, 1, 1), date(2025, 1, 31)),
            (date(2025, 2, 1), date(2025, 2, 28)),
        ]

    def test_years(self) -> None:
        found = periods(granularity="year", count=2, end=date(2025, 12, 31))

        assert found == [
            Period(date(2024, 1, 1), date(2024, 12, 31)),
            Period(date(2025, 1, 1), date(2025, 12, 31)),
        ]

    def test_the_count_is_bounded(self) -> None:
        with pytest.raises(ValueError, match="count must be"):
            periods(granularity="month", count=0, end=date(2025, 1, 1))

    def test_changes_and_growth(self) -> None:
        spans = periods(granularity="quarter", count=4, end=date(2025, 12, 31))

        points = series(values=list(zip(spans, [D(100), D(150), None, D(50)], strict=True)))

        assert [p.change for p in points] == [None, D(50), None, None]
        assert [p.growth for p in points] == [None, D("0.500000"), None, None]


def _maker(code: str, segment: str | None, revenue: int, assets: int, profit: int, **more: int) -> Maker:
    figures = Figures(
        revenue=D(revenue),
        total_assets=D(assets),
        total_assets_opening=D(assets),
        net_profit=D(profit),
        **{k: D(v) for k, v in more.items()},
    )
    return Maker(code.lower(), code, f"{code}公司", segment, figures)


class TestCandidates:
    def test_median(self) -> None:
        assert median([D(3), D(1), D(2)]) == D(2)
        assert median([D(1), D(2)]) == D("1.500000")
        assert median([]) is None

    def test_the_weak_small_maker_of_a_shared_segment_ranks_first_with_its_reasons(self) -> None:
        makers = [
            _maker("BIG", "castings", 1000, 5000, 300),
            _maker("SMALL", "castings", 100, 400, -20, dividends_declared=10),
            _maker("MID", "castings", 500, 2000, 40, dividends_declared=30, register_carrying_amount=100,
                   idle_carrying_amount=40),
            _maker("ALONE", "lamps", 50, 100, -50),
            _maker("HOLD", "holding", 0, 9000, 10),
        ]  # fmt: skip

        marks, found = screen(makers)

        assert marks.makers == 4  # HOLD has no revenue
        assert marks.median_total_assets == D(1200)  # 100, 400, 2000, 5000
        assert [c.maker.code for c in found] == ["SMALL", "MID"]
        small = found[0]
        assert [r.criterion for r in small.reasons] == [
            "overlap",
            "small_assets",
            "small_revenue",
            "loss",
            "weak_self_financing",
        ]
        assert small.score == 5
        assert small.survivor.code == "BIG"
        assert small.segment_share == D("0.062500")
        assert small.combined_share == D("0.687500")
        # before: 62.5% 6.25% 31.25% -> 3906.25 + 39.0625 + 976.5625; after: 68.75% 31.25%
        assert small.hhi_before == D("4921.88")
        assert small.hhi_after == D("5703.13")
        mid = found[1]
        assert {r.criterion for r in mid.reasons} == {"overlap", "low_retention", "idle_assets"}
        assert mid.score == 2

    def test_no_candidate_without_a_peer_or_a_weakness(self) -> None:
        makers = [_maker("A", "x", 100, 100, 10), _maker("B", "y", 100, 100, 10)]

        _, found = screen(makers)

        assert found == []
