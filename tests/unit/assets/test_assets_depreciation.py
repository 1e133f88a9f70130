"""Depreciation schedules against hand-computed figures, for every method and month convention."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assets.domain.depreciation import (
    Book,
    BookTimeline,
    Impairment,
    Method,
    Schedule,
    Suspension,
    annual_amounts,
    book_charges,
    cents,
    position_on,
    schedule_violations,
    unposted_charges,
)
from app.assets.domain.periods import (
    MonthConvention,
    Period,
    position,
    start_position,
    stop_position,
)

D = Decimal


def _book(
    method: Method,
    cost: str,
    residual: str,
    life: int,
    *,
    acquired_on: date = date(2023, 12, 10),
    convention: MonthConvention = MonthConvention.NEXT_MONTH,
    units_total: str | None = None,
    **kwargs: object,
) -> Book:
    start = start_position(convention, acquired_on)
    schedule = Schedule(
        method=method,
        cost=D(cost),
        residual_value=D(residual),
        life_months=life,
        service_start=start,
        units_total=None if units_total is None else D(units_total),
    )
    return Book(schedule=schedule, start=start, **kwargs)  # type: ignore[arg-type]


def _by_year(
    book: Book, *, through: Period, units: dict[Period, Decimal] | None = None
) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for charge in book_charges(book, through=through, units=units):
        out[charge.period.year] = out.get(charge.period.year, D(0)) + charge.amount
    return out


def _total(book: Book, *, through: Period = Period(2099, 12)) -> Decimal:
    return sum((c.amount for c in book_charges(book, through=through)), D(0))


class TestRounding:
    def test_cents_rounds_half_up_away_from_zero(self) -> None:
        assert [cents(Fraction(x, 1000)) for x in (5, 4, 15, -5, -15)] == [
            D("0.01"),
            D("0.00"),
            D("0.02"),
            D("-0.01"),
            D("-0.02"),
        ]

    def test_running_rounding_keeps_every_total_exact(self) -> None:
        book = _book(Method.STRAIGHT_LINE, "1000", "0", 3)

        amounts = [c.amount for c in book_charges(book, through=Period(2024, 12))]

        assert amounts == [D("333.33"), D("333.34"), D("333.33")]

    def test_a_year_of_a_280_over_84_months_asset_is_exactly_40(self) -> None:
        book = _book(Method.STRAIGHT_LINE, "280", "0", 84)

        years = _by_year(book, through=Period(2031, 12))

        assert years[2024] == D("40.00")
        assert sum(years.values()) == D("280.00")
        assert len(years) == 7


class TestStraightLine:
    def test_hand_computed_schedule_with_the_chinese_month_rule(self) -> None:
        # 120,000 cost, 5% residual, 5 years: 22,800 a year, 1,900 a month. Acquired 15 March 2024, so the
        # first charge is April 2024 (当月增加当月不提) and the last March 2029.
        book = _book(Method.STRAIGHT_LINE, "120000", "6000", 60, acquired_on=date(2024, 3, 15))

        charges = book_charges(book, through=Period(2030, 12))

        assert charges[0].period == Period(2024, 4)
        assert charges[-1].period == Period(2029, 3)
        assert {c.amount for c in charges} == {D("1900.00")}
        assert _by_year(book, through=Period(2030, 12)) == {
            2024: D("17100.00"),
            2025: D("22800.00"),
            2026: D("22800.00"),
            2027: D("22800.00"),
            2028: D("22800.00"),
            2029: D("5700.00"),
        }
        assert charges[-1].accumulated == D("114000.00")


class TestDoubleDecliningBalance:
    def test_textbook_table_with_the_switch_in_the_last_two_years(self) -> None:
        # 50,000 cost, 2,000 residual, 5 years, rate 40% on the opening NBV (residual ignored):
        # 20,000; 12,000; 7,200; then (50,000 - 39,200 - 2,000) / 2 = 4,400 in each of the last two years.
        amounts = annual_amounts(
            method=Method.DOUBLE_DECLINING_BALANCE, cost=D(50000), residual_value=D(2000), life_months=60
        )

        assert amounts == [20000, 12000, 7200, 4400, 4400]

    def test_four_years_switch_is_not_the_declining_figure(self) -> None:
        # 100,000 / 4,000 / 4 years, rate 50%: 50,000, 25,000, then (25,000 - 4,000) / 2 = 10,500 twice.
        # Staying on the declining balance would have given 12,500 in year 3.
        book = _book(Method.DOUBLE_DECLINING_BALANCE, "100000", "4000", 48)

        years = _by_year(book, through=Period(2028, 12))

        assert years == {2024: D("50000.00"), 2025: D("25000.00"), 2026: D("10500.00"), 2027: D("10500.00")}

    def test_monthly_amounts_are_a_twelfth_of_the_year_rounded_on_the_running_total(self) -> None:
        book = _book(Method.DOUBLE_DECLINING_BALANCE, "10000", "400", 60)

        charges = book_charges(book, through=Period(2028, 12))

        assert [c.amount for c in charges[:3]] == [D("333.33"), D("333.34"), D("333.33")]
        assert [charges[i].accumulated for i in (11, 23, 35, 47, 59)] == [
            D("4000.00"),
            D("6400.00"),
            D("7840.00"),
            D("8720.00"),
            D("9600.00"),
        ]
        assert [c.amount for c in charges[48:51]] == [D("73.33"), D("73.34"), D("73.33")]

    def test_a_life_that_is_not_whole_years_ends_the_declining_phase_pro_rata(self) -> None:
        # 30 months: 6 months of declining balance at 80% a year (1,000 x 0.8 x 6/12 = 400), then 600 / 24.
        book = _book(Method.DOUBLE_DECLINING_BALANCE, "1000", "0", 30)

        charges = book_charges(book, through=Period(2030, 12))

        assert sum((c.amount for c in charges[:6]), D(0)) == D("400.00")
        assert {c.amount for c in charges[6:]} == {D("25.00")}
        assert len(charges) == 30

    def test_two_years_or_less_is_straight_line_throughout(self) -> None:
        book = _book(Method.DOUBLE_DECLINING_BALANCE, "2400", "0", 24)

        assert {c.amount for c in book_charges(book, through=Period(2030, 12))} == {D("100.00")}


class TestSumOfYearsDigits:
    def test_textbook_table(self) -> None:
        # 10,000 - 400 = 9,600 over 5 years, digits 15: 5/15, 4/15, 3/15, 2/15, 1/15.
        book = _book(Method.SUM_OF_YEARS_DIGITS, "10000", "400", 60)

        years = _by_year(book, through=Period(2029, 12))

        assert years == {
            2024: D("3200.00"),
            2025: D("2560.00"),
            2026: D("1920.00"),
            2027: D("1280.00"),
            2028: D("640.00"),
        }

    def test_a_short_last_year_weighs_by_the_years_left_and_its_length(self) -> None:
        # 18 months: year 1 has 1.5 years left (weight 1.5), year 2 has 0.5 left over half a year (0.25).
        amounts = annual_amounts(
            method=Method.SUM_OF_YEARS_DIGITS, cost=D(700), residual_value=D(0), life_months=18
        )

        assert amounts == [600, 100]


class TestUnitsOfProduction:
    def test_charge_follows_units_and_stops_at_the_total(self) -> None:
        # 100,000 over 30,000 units: 3.3333 a unit.
        book = _book(Method.UNITS_OF_PRODUCTION, "100000", "0", 120, units_total="30000")
        units = {
            Period(2024, 1): D(1000),
            Period(2024, 2): D(1000),
            Period(2024, 3): D(1000),
            Period(2024, 4): D(0),
            Period(2024, 5): D(26000),
            Period(2024, 6): D(1500),
        }

        charges = book_charges(book, through=Period(2024, 6), units=units)

        assert [c.amount for c in charges] == [
            D("3333.33"),
            D("3333.34"),
            D("3333.33"),
            D("0.00"),
            D("86666.67"),
            D("3333.33"),
        ]
        assert charges[-1].accumulated == D("100000.00")

    def test_a_month_without_units_charges_nothing(self) -> None:
        book = _book(Method.UNITS_OF_PRODUCTION, "1200", "200", 120, units_total="1000")

        charges = book_charges(book, through=Period(2024, 3), units={Period(2024, 2): D(10)})

        assert [c.amount for c in charges] == [D("0.00"), D("10.00"), D("0.00")]


class TestMonthConventions:
    def test_next_month_starts_after_the_month_added_and_charges_the_month_it_leaves(self) -> None:
        added, left = date(2024, 3, 31), date(2024, 6, 1)
        start = start_position(MonthConvention.NEXT_MONTH, added)
        book = _book(
            Method.STRAIGHT_LINE,
            "1200",
            "0",
            12,
            acquired_on=added,
            stop=stop_position(MonthConvention.NEXT_MONTH, left),
            ends_on=left,
        )

        charges = book_charges(book, through=Period(2025, 12))

        assert start == Period(2024, 4).index
        assert [str(c.period) for c in charges] == ["2024-04", "2024-05", "2024-06"]
        assert book.charge_date(Period(2024, 6)) == left

    def test_full_month_first_charges_the_month_added_but_not_the_month_it_leaves(self) -> None:
        convention = MonthConvention.FULL_MONTH_FIRST
        added, left = date(2024, 3, 31), date(2024, 6, 20)
        book = _book(
            Method.STRAIGHT_LINE,
            "1200",
            "0",
            12,
            acquired_on=added,
            convention=convention,
            stop=stop_position(convention, left),
            ends_on=left,
        )

        charges = book_charges(book, through=Period(2025, 12))

        assert [str(c.period) for c in charges] == ["2024-03", "2024-04", "2024-05"]
        assert book.charge_date(Period(2024, 5)) == date(2024, 5, 31)

    def test_available_date_prorates_the_first_and_last_months_by_days(self) -> None:
        # Available 16 March: 16 of 31 days; 1,200 over 12 months = 100 a month.
        book = _book(
            Method.STRAIGHT_LINE,
            "1200",
            "0",
            12,
            acquired_on=date(2024, 3, 16),
            convention=MonthConvention.AVAILABLE_DATE,
        )

        charges = book_charges(book, through=Period(2025, 12))

        assert position(date(2024, 3, 16)) == Period(2024, 3).index + Fraction(15, 31)
        assert charges[0].amount == D("51.61")
        assert charges[-1].period == Period(2025, 3)
        assert charges[-1].amount == D("48.39")
        assert charges[-1].accumulated == D("1200.00")


class TestBooks:
    def test_impairment_rebases_the_remaining_life_from_the_next_month(self) -> None:
        # 1,200 over 120 months (10 a month) from Jan 2024; impaired by 300 on 20 Dec 2024:
        # 1,200 - 120 - 300 = 780 left over 108 months.
        book = _book(
            Method.STRAIGHT_LINE,
            "1200",
            "0",
            120,
            impairments=(Impairment(on=date(2024, 12, 20), amount=D(300)),),
        )

        years = _by_year(book, through=Period(2033, 12))
        at_year_end = position_on(book, day=date(2024, 12, 31))

        assert years[2024] == D("120.00")
        assert years[2025] == D("86.67")
        assert sum(years.values()) == D("900.00")
        assert at_year_end.carrying_amount == D("780.00")

    def test_an_opening_balance_off_the_schedule_is_spread_over_the_remaining_life(self) -> None:
        # Registered with 500 accumulated at the end of 2023 (the schedule says 480): 700 over 72 months.
        schedule = Schedule(
            method=Method.STRAIGHT_LINE,
            cost=D(1200),
            residual_value=D(0),
            life_months=120,
            service_start=Fraction(Period(2020, 1).index),
        )
        book = Book(schedule=schedule, start=Fraction(Period(2024, 1).index), opening_accumulated=D(500))

        years = _by_year(book, through=Period(2030, 12))

        assert years[2024] == D("116.67")
        assert sum(years.values()) == D("700.00")
        assert max(years) == 2029

    def test_held_for_sale_stops_depreciation_and_catches_up_on_return(self) -> None:
        convention = MonthConvention.NEXT_MONTH
        suspension = Suspension(
            start=stop_position(convention, date(2024, 6, 10)),
            stop=start_position(convention, date(2024, 9, 5)),
        )
        book = _book(Method.STRAIGHT_LINE, "1200", "0", 120, suspensions=(suspension,))

        charges = {str(c.period): c.amount for c in book_charges(book, through=Period(2024, 11))}

        assert charges["2024-06"] == D("10.00")
        assert [charges[m] for m in ("2024-07", "2024-08", "2024-09")] == [D("0.00")] * 3
        assert charges["2024-10"] == D("40.00")
        assert charges["2024-11"] == D("10.00")

    def test_figures_on_a_date_count_charges_booked_by_then(self) -> None:
        book = _book(Method.STRAIGHT_LINE, "1200", "0", 120)
        timeline = BookTimeline(book, through=Period(2024, 12))

        assert timeline.position_on(date(2024, 3, 30)).accumulated_depreciation == D("20.00")
        assert timeline.position_on(date(2024, 3, 31)).accumulated_depreciation == D("30.00")
        assert timeline.charged_between(date(2024, 2, 1), date(2024, 6, 30)) == D("50.00")
        with pytest.raises(ValueError, match="runs to"):
            timeline.position_on(date(2025, 1, 1))

    def test_unposted_charges_are_the_catch_up_of_a_run(self) -> None:
        book = _book(Method.STRAIGHT_LINE, "1200", "0", 120)

        missing = unposted_charges(book, through=Period(2024, 4), posted=[Period(2024, 1), Period(2024, 3)])

        assert [(str(c.period), c.amount) for c in missing] == [
            ("2024-02", D("10.00")),
            ("2024-04", D("10.00")),
        ]


class TestScheduleViolations:
    def test_every_problem_at_once(self) -> None:
        found = schedule_violations(
            method=Method.UNITS_OF_PRODUCTION,
            cost=D(0),
            residual_value=D(-1),
            life_months=0,
            units_total=None,
        )

        assert [v[2] for v in found] == [
            "cost_not_positive",
            "residual_negative",
            "life_out_of_range",
            "units_required",
        ]

    def test_residual_above_cost_and_units_on_a_time_method(self) -> None:
        found = schedule_violations(
            method=Method.STRAIGHT_LINE, cost=D(10), residual_value=D(11), life_months=12, units_total=D(5)
        )

        assert [v[2] for v in found] == ["residual_above_cost", "units_not_used"]


_METHODS = st.sampled_from(
    [Method.STRAIGHT_LINE, Method.DOUBLE_DECLINING_BALANCE, Method.SUM_OF_YEARS_DIGITS]
)
_CONVENTIONS = st.sampled_from(list(MonthConvention))


@settings(max_examples=40, deadline=None)
@given(
    method=_METHODS,
    convention=_CONVENTIONS,
    cost_cents=st.integers(min_value=100, max_value=10**9),
    residual_share=st.integers(min_value=0, max_value=30),
    life=st.integers(min_value=1, max_value=180),
    added_day=st.integers(min_value=0, max_value=700),
    transfer_after=st.integers(min_value=1, max_value=4000),
)
def test_a_transfer_at_carrying_amount_splits_the_schedule_without_gap_or_overlap(
    method: Method,
    convention: MonthConvention,
    cost_cents: int,
    residual_share: int,
    life: int,
    added_day: int,
    transfer_after: int,
) -> None:
    cost = D(cost_cents).scaleb(-2)
    residual = (cost * residual_share / 100).quantize(D("0.01"))
    added = date.fromordinal(date(2020, 1, 1).toordinal() + added_day)
    moved = date.fromordinal(added.toordinal() + transfer_after)
    whole = _book(method, str(cost), str(residual), life, acquired_on=added, convention=convention)
    stop = stop_position(convention, moved)
    sender = Book(schedule=whole.schedule, start=whole.start, stop=stop, ends_on=moved)
    held = position_on(sender, day=moved)
    receiver = Book(
        schedule=whole.schedule,
        start=start_position(convention, moved),
        opening_accumulated=held.accumulated_depreciation,
    )

    sender_charges = book_charges(sender, through=Period(2040, 12))
    receiver_charges = book_charges(receiver, through=Period(2040, 12))

    assert all(c.amount >= 0 for c in sender_charges + receiver_charges)
    assert held.accumulated_depreciation == (sender_charges[-1].accumulated if sender_charges else D(0))
    total = sum((c.amount for c in sender_charges + receiver_charges), D(0))
    assert total == cost - residual
    if convention is not MonthConvention.AVAILABLE_DATE:
        whole_by_month = {
            c.period: c.amount for c in book_charges(whole, through=Period(2040, 12)) if c.amount
        }
        split = {c.period: c.amount for c in sender_charges + receiver_charges if c.amount}
        assert split == whole_by_month
