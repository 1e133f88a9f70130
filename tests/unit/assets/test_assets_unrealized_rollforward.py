"""C-09 (Allen White 8.3) in the group view: unrealised profit and its release; the roll-forward identity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.assets.domain.depreciation import Book, BookTimeline, Impairment, Method, Schedule, position_on
from app.assets.domain.periods import MonthConvention, Period, start_position, stop_position
from app.assets.domain.rollforward import Ending, Holding, Origin, RollForward, roll_forward, total
from app.assets.domain.unrealized import release_schedule, remaining_life_months, unrealized_on

D = Decimal
CONVENTION = MonthConvention.FULL_MONTH_FIRST  # C-09 works in whole years: transfer and sale on 1 January
BOUGHT, MOVED, SOLD = date(2021, 1, 1), date(2024, 1, 1), date(2026, 1, 1)
GROUP_SCHEDULE = Schedule(
    method=Method.STRAIGHT_LINE,
    cost=D(300),
    residual_value=D(0),
    life_months=120,
    service_start=start_position(CONVENTION, BOUGHT),
)
SELLER = Book(
    schedule=GROUP_SCHEDULE,
    start=GROUP_SCHEDULE.service_start,
    stop=stop_position(CONVENTION, MOVED),
    ends_on=MOVED,
)
BUYER_SCHEDULE = Schedule(
    method=Method.STRAIGHT_LINE,
    cost=D(280),
    residual_value=D(0),
    life_months=84,
    service_start=start_position(CONVENTION, MOVED),
)
BUYER = Book(
    schedule=BUYER_SCHEDULE,
    start=BUYER_SCHEDULE.service_start,
    stop=stop_position(CONVENTION, SOLD),
    ends_on=SOLD,
)
GROUP = Book(
    schedule=GROUP_SCHEDULE,
    start=GROUP_SCHEDULE.service_start,
    stop=stop_position(CONVENTION, SOLD),
    ends_on=SOLD,
)


class TestC09:
    def test_the_seller_carries_210_and_seven_years_of_life_remain(self) -> None:
        held = position_on(SELLER, day=MOVED)

        assert held.carrying_amount == D(210)
        assert remaining_life_months(life_end=GROUP_SCHEDULE.life_end, at=SELLER.stop or Fraction(0)) == 84

    def test_unrealised_profit_is_released_10_a_year_and_the_rest_on_the_outside_sale(self) -> None:
        months = release_schedule(
            holder=BUYER, group=GROUP, transfer_on=MOVED, through=Period(2026, 12), ends_on=SOLD
        )

        by_year: dict[int, Decimal] = {}
        for month in months:
            by_year[month.on.year] = by_year.get(month.on.year, D(0)) + month.released
        assert unrealized_on(holder=BUYER, group=GROUP, day=MOVED) == D(70)
        assert unrealized_on(holder=BUYER, group=GROUP, day=date(2024, 12, 31)) == D(60)
        assert by_year == {2024: D(10), 2025: D(10), 2026: D(50)}
        assert months[-1].unrealized == D(0)

    def test_group_view_gains_110_on_the_outside_sale_against_60_in_the_buyers_books(self) -> None:
        buyer_ca = position_on(BUYER, day=SOLD).carrying_amount
        group_ca = position_on(GROUP, day=SOLD).carrying_amount

        assert (buyer_ca, group_ca) == (D(200), D(150))
        assert (D(260) - buyer_ca, D(260) - group_ca) == (D(60), D(110))

    def test_statutory_and_group_depreciation_per_year(self) -> None:
        buyer = BookTimeline(BUYER, through=Period(2026, 12))
        group = BookTimeline(GROUP, through=Period(2026, 12))

        years = [(date(y, 1, 1), date(y, 12, 31)) for y in (2024, 2025)]

        assert [buyer.charged_between(a, b) for a, b in years] == [D(40), D(40)]
        assert [group.charged_between(a, b) for a, b in years] == [D(30), D(30)]


class TestRollForward:
    def test_seller_and_buyer_over_the_transfer_year(self) -> None:
        seller = Holding(
            timeline=BookTimeline(SELLER, through=Period(2024, 12)),
            valid_from=BOUGHT,
            valid_to=MOVED,
            origin=Origin.ACQUISITION,
            ending=Ending.TRANSFER,
        )
        buyer = Holding(
            timeline=BookTimeline(BUYER, through=Period(2026, 12)),
            valid_from=MOVED,
            valid_to=SOLD,
            origin=Origin.TRANSFER,
            ending=Ending.DISPOSAL,
        )

        rows = [
            roll_forward(holding=h, start=date(2023, 7, 1), end=date(2024, 12, 31)) for h in (seller, buyer)
        ]

        assert rows[0] == RollForward(opening=D(225), transfers_out=D(210), depreciation=D(15))
        assert rows[1] == RollForward(transfers_in=D(280), depreciation=D(40), closing=D(240))
        assert total(rows).difference == 0

    def test_disposal_and_impairment_in_the_period(self) -> None:
        book = Book(
            schedule=BUYER_SCHEDULE,
            start=BUYER_SCHEDULE.service_start,
            stop=stop_position(CONVENTION, SOLD),
            ends_on=SOLD,
            impairments=(Impairment(on=date(2025, 6, 30), amount=D(12)),),
        )
        holding = Holding(
            timeline=BookTimeline(book, through=Period(2026, 12)),
            valid_from=MOVED,
            valid_to=SOLD,
            origin=Origin.TRANSFER,
            ending=Ending.DISPOSAL,
        )

        row = roll_forward(holding=holding, start=date(2025, 1, 1), end=date(2026, 12, 31))

        assert row.opening == D(240)
        assert row.impairment == D(12)
        assert row.depreciation + row.disposals == D(228)
        assert row.closing == D(0)
        assert row.difference == 0

    def test_registration_counts_as_an_addition_net_of_its_opening_balance(self) -> None:
        book = Book(
            schedule=GROUP_SCHEDULE, start=Fraction(Period(2024, 1).index), opening_accumulated=D(100)
        )
        holding = Holding(
            timeline=BookTimeline(book, through=Period(2024, 12)),
            valid_from=date(2023, 12, 31),
            valid_to=None,
            origin=Origin.REGISTRATION,
            ending=None,
        )

        row = roll_forward(holding=holding, start=date(2023, 1, 1), end=date(2024, 12, 31))

        assert row.additions == D(200)
        assert row.closing == D(200) - row.depreciation
        assert row.difference == 0
