"""Depreciation schedules (IAS 16 / CAS 4 Art. 17; DOMAIN Part 2 §7).

A `Schedule` is the shape of an asset's depreciation in one cost basis: method, cost, residual value,
useful life and where the life begins on the month clock (see `periods`). The four methods:

- straight-line (年限平均法): (C - R) / n a year;
- double-declining balance (双倍余额递减法): NBV at the start of each year x 2/n, residual ignored, and in the
  LAST TWO YEARS straight-line over (NBV - R) / 2, as Chinese practice requires;
- sum-of-years' digits (年数总和法): (C - R) x remaining years / (n(n+1)/2);
- units of production (工作量法): (C - R) x units / total units.
Annual amounts are spread evenly over the months of the year of life (月折旧额 = 年折旧额 / 12). A life
that is not a whole number of years ends with a short year: DDB charges it pro rata, SYD weighs it by the
years remaining at its start and its length, so whole-year lives give exactly the textbook figures.

A `Book` is one holder's record of the asset: the schedule it follows, where it starts and stops on the
clock, the accumulated depreciation and impairment it opened with, and the impairments and held-for-sale
periods during the holding. After an impairment the remaining carrying amount less residual value is
depreciated over the remaining life in the method's remaining proportions (a change in estimate, IAS 8 /
CAS 4 Art. 19, CAS 8 Art. 17); an opening balance that differs from the schedule is treated the same way.

Rounding: monthly charges are in cents, ROUND_HALF_UP, taken on the running total (each month posts the
rounded cumulative amount less what is already posted). Every month is a rounded cent amount, the
accumulated depreciation never drifts more than half a cent from the exact figure, and the last month
absorbs what is left, so the total equals cost - residual - impairment exactly. A year of a 280 / 84-month
straight-line asset is 40.00, not 12 x 3.33 = 39.96.

Held for sale (IFRS 5 / CAS 42): no depreciation while the asset is classified as held for sale; if it
returns to use, the first month back catches up what would have been charged in between.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from app.assets.domain.periods import Period

ZERO = Decimal(0)
CENT = Decimal("0.01")
MAX_LIFE_MONTHS = 1200


class Method(StrEnum):
    STRAIGHT_LINE = "straight_line"
    DOUBLE_DECLINING_BALANCE = "double_declining_balance"
    SUM_OF_YEARS_DIGITS = "sum_of_years_digits"
    UNITS_OF_PRODUCTION = "units_of_production"


TIME_METHODS = frozenset({Method.STRAIGHT_LINE, Method.DOUBLE_DECLINING_BALANCE, Method.SUM_OF_YEARS_DIGITS})


def cents(value: Fraction) -> Decimal:
    """An exact fraction rounded to cents, half away from zero (ROUND_HALF_UP)."""
    scaled = abs(value) * 100
    whole = math.floor(scaled + Fraction(1, 2))
    return Decimal(whole if value >= 0 else -whole).scaleb(-2)


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


# ------------------------------------------------------------------------------------------- life curves


def _straight_line(depreciable: Fraction, life: int) -> list[Fraction]:
    return [depreciable / life] * life


def _double_declining(cost: Fraction, residual: Fraction, life: int) -> list[Fraction]:
    straight_months = min(24, life)
    declining_months = life - straight_months
    rate = Fraction(24, life)  # 2 / n a year, n = life / 12 years
    amounts: list[Fraction] = []
    nbv = cost
    done = 0
    while done < declining_months:
        months = min(12, declining_months - done)
        year_amount = min(nbv * rate * months / 12, max(Fraction(0), nbv - residual))
        amounts += [year_amount / months] * months
        nbv -= year_amount
        done += months
    amounts += [(nbv - residual) / straight_months] * straight_months
    return amounts


def _sum_of_years(depreciable: Fraction, life: int) -> list[Fraction]:
    years = math.ceil(life / 12)
    weights: list[tuple[int, Fraction]] = []
    for year in range(years):
        months = min(12, life - 12 * year)
        remaining_years = Fraction(life - 12 * year, 12)
        weights.append((months, remaining_years * Fraction(months, 12)))
    total = sum((w for _, w in weights), Fraction(0))
    amounts: list[Fraction] = []
    for months, weight in weights:
        amounts += [depreciable * weight / total / months] * months
    return amounts


@lru_cache(maxsize=4096)
def _cumulative_curve(method: Method, cost: Decimal, residual: Decimal, life: int) -> tuple[Fraction, ...]:
    """Exact accumulated depreciation after 0..life months of a time method (length life + 1)."""
    c, r = _fraction(cost), _fraction(residual)
    if method is Method.STRAIGHT_LINE:
        amounts = _straight_line(c - r, life)
    elif method is Method.DOUBLE_DECLINING_BALANCE:
        amounts = _double_declining(c, r, life)
    elif method is Method.SUM_OF_YEARS_DIGITS:
        amounts = _sum_of_years(c - r, life)
    else:
        raise ValueError(f"{method} is not a time-based method")
    cumulative = [Fraction(0)]
    for amount in amounts:
        cumulative.append(cumulative[-1] + amount)
    return tuple(cumulative)


def life_month_amounts(
    *, method: Method, cost: Decimal, residual_value: Decimal, life_months: int
) -> list[Fraction]:
    """The exact charge of each month of life (unrounded) for a time-based method."""
    curve = _cumulative_curve(method, cost, residual_value, life_months)
    return [curve[i + 1] - curve[i] for i in range(life_months)]


def annual_amounts(
    *, method: Method, cost: Decimal, residual_value: Decimal, life_months: int
) -> list[Fraction]:
    """The exact charge of each year of life (the last may be short): the textbook table."""
    curve = _cumulative_curve(method, cost, residual_value, life_months)
    return [curve[min(i + 12, life_months)] - curve[i] for i in range(0, life_months, 12)]


# ------------------------------------------------------------------------------------------ schedules


@dataclass(frozen=True, slots=True)
class Schedule:
    """The shape of depreciation in one cost basis. `service_start` is where month 1 of the life begins."""

    method: Method
    cost: Decimal
    residual_value: Decimal
    life_months: int
    service_start: Fraction
    units_total: Decimal | None = None

    @property
    def depreciable(self) -> Fraction:
        return _fraction(self.cost) - _fraction(self.residual_value)

    @property
    def life_end(self) -> Fraction:
        return self.service_start + self.life_months

    def theoretical(self, clock: Fraction) -> Fraction:
        """Exact accumulated depreciation at a clock reading: months of life (time methods) or units used."""
        if self.method is Method.UNITS_OF_PRODUCTION:
            total = _fraction(self.units_total or Decimal(0))
            if total <= 0:
                return Fraction(0)
            return self.depreciable * min(max(clock, Fraction(0)), total) / total
        curve = _cumulative_curve(self.method, self.cost, self.residual_value, self.life_months)
        tau = min(max(clock, Fraction(0)), Fraction(self.life_months))
        whole = math.floor(tau)
        if whole >= self.life_months:
            return curve[-1]
        return curve[whole] + (tau - whole) * (curve[whole + 1] - curve[whole])


def schedule_violations(
    *, method: Method, cost: Decimal, residual_value: Decimal, life_months: int, units_total: Decimal | None
) -> list[tuple[str, str, str]]:
    """Every reason the terms cannot make a schedule, as (field, message, type)."""
    out: list[tuple[str, str, str]] = []
    if cost <= 0:
        out.append(("cost", "must be positive", "cost_not_positive"))
    if residual_value < 0:
        out.append(("residual_value", "cannot be negative", "residual_negative"))
    elif residual_value > cost:
        out.append(("residual_value", "cannot exceed the cost", "residual_above_cost"))
    if not 1 <= life_months <= MAX_LIFE_MONTHS:
        out.append(("useful_life_months", f"must be 1..{MAX_LIFE_MONTHS}", "life_out_of_range"))
    if method is Method.UNITS_OF_PRODUCTION:
        if units_total is None or units_total <= 0:
            out.append(
                ("units_total", "units of production needs the total units of the life", "units_required")
            )
    elif units_total is not None:
        out.append(("units_total", "only units of production uses total units", "units_not_used"))
    return out


# ---------------------------------------------------------------------------------------------- books


@dataclass(frozen=True, slots=True)
class Impairment:
    """An impairment loss recognised on `on`; depreciation is rebased from the next month."""

    on: date
    amount: Decimal

    @property
    def effective(self) -> int:
        return Period.of(self.on).index + 1


@dataclass(frozen=True, slots=True)
class Suspension:
    """Held for sale from `start` to `stop` (clock readings): no depreciation in months starting inside."""

    start: Fraction
    stop: Fraction | None = None

    def covers(self, period: Period) -> bool:
        return self.start <= period.index and (self.stop is None or period.index < self.stop)


@dataclass(frozen=True, slots=True)
class Book:
    """One holder's record of an asset (or the group's, which never stops at an internal transfer)."""

    schedule: Schedule
    start: Fraction
    stop: Fraction | None = None
    ends_on: date | None = None
    opening_accumulated: Decimal = ZERO
    opening_impairment: Decimal = ZERO
    impairments: tuple[Impairment, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    units_before: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.schedule.cost

    def first_period(self) -> Period:
        return Period.from_index(math.floor(max(self.start, self.schedule.service_start)))

    def last_period(self) -> Period | None:
        """The last month that can carry a charge, or None while it can still run on (units, open book)."""
        ends: list[Fraction] = []
        if self.stop is not None:
            ends.append(self.stop)
        if self.schedule.method is not Method.UNITS_OF_PRODUCTION:
            ends.append(self.schedule.life_end)
        if not ends:
            return None
        return Period.from_index(math.ceil(min(ends)) - 1)

    def impairment_through(self, day: date) -> Decimal:
        return self.opening_impairment + sum((i.amount for i in self.impairments if i.on <= day), ZERO)

    def charge_date(self, period: Period) -> date:
        """The date a month's charge is booked: month end, or the day the asset leaves in its last month."""
        if self.ends_on is not None and self.ends_on < period.last_day:
            return max(self.ends_on, period.first_day)
        return period.last_day


@dataclass(frozen=True, slots=True)
class MonthCharge:
    period: Period
    amount: Decimal
    accumulated: Decimal
    units: Decimal | None = None


def _segment_starts(book: Book) -> list[Fraction]:
    starts = [book.start]
    for item in sorted(book.impairments, key=lambda i: i.effective):
        point = Fraction(item.effective)
        if point > book.start and (book.stop is None or point < book.stop) and point not in starts:
            starts.append(point)
    return starts


def _periods(book: Book, through: Period) -> Iterator[Period]:
    first = book.first_period()
    last = book.last_period()
    end = through if last is None else min(last, through)
    for index in range(first.index, end.index + 1):
        yield Period.from_index(index)


def book_charges(
    book: Book, *, through: Period, units: Mapping[Period, Decimal] | None = None
) -> list[MonthCharge]:
    """The charge of every month of the book up to `through`, in cents, with the running total.

    `units` gives the units produced each month (units of production only; a month without an entry
    produced none). Months in a held-for-sale suspension charge nothing.
    """
    schedule = book.schedule
    uop = schedule.method is Method.UNITS_OF_PRODUCTION
    service_start = schedule.service_start
    starts = _segment_starts(book)
    posted = book.opening_accumulated
    units_used = _fraction(book.units_before)
    out: list[MonthCharge] = []
    segment = -1
    scale = Fraction(0)
    exact = Fraction(0)
    for period in _periods(book, through):
        lower = max(Fraction(period.index), book.start, service_start)
        upper = Fraction(period.index + 1)
        if book.stop is not None:
            upper = min(upper, book.stop)
        while segment + 1 < len(starts) and starts[segment + 1] <= max(lower, Fraction(period.index)):
            segment += 1
            impairment = book.opening_impairment + sum(
                (i.amount for i in book.impairments if i.effective <= starts[segment]), ZERO
            )
            remaining = max(ZERO, schedule.cost - posted - impairment - schedule.residual_value)
            clock = units_used if uop else starts[segment] - service_start
            base = schedule.theoretical(clock)
            theoretical_left = schedule.depreciable - base
            if impairment == 0 and cents(base) == posted:
                # On schedule (a new book, or one continuing the sender's): keep the exact running total, so
                # the months are exactly those of the undivided schedule.
                exact, scale = base, Fraction(1)
            else:
                exact = _fraction(posted)
                scale = _fraction(remaining) / theoretical_left if theoretical_left > 0 else Fraction(0)
        frozen = any(s.covers(period) for s in book.suspensions)
        month_units: Decimal | None = None
        if upper > lower and uop and not frozen:
            month_units = (units or {}).get(period, ZERO)
            before = schedule.theoretical(units_used)
            units_used += _fraction(month_units)
            exact += (schedule.theoretical(units_used) - before) * scale
        elif upper > lower and not uop:
            # Time runs on while held for sale: the first month back posts what was not charged.
            before = schedule.theoretical(lower - service_start)
            exact += (schedule.theoretical(upper - service_start) - before) * scale
        if frozen or segment < 0:
            amount = ZERO
        else:
            new_posted = cents(exact)
            amount = new_posted - posted
            posted = new_posted
        out.append(MonthCharge(period=period, amount=amount, accumulated=posted, units=month_units))
    return out


@dataclass(frozen=True, slots=True)
class BookPosition:
    """A book's figures on a date: cost, accumulated depreciation, impairment and carrying amount."""

    cost: Decimal
    accumulated_depreciation: Decimal
    impairment: Decimal

    @property
    def carrying_amount(self) -> Decimal:
        return self.cost - self.accumulated_depreciation - self.impairment


class BookTimeline:
    """A book's charges computed once, answering its figures on any date up to `through` (reports, URP)."""

    def __init__(self, book: Book, *, through: Period, units: Mapping[Period, Decimal] | None = None) -> None:
        self.book = book
        self.through = through
        self.charges = book_charges(book, through=through, units=units)
        self._dates = [book.charge_date(c.period) for c in self.charges]

    def position_on(self, day: date) -> BookPosition:
        """The figures at the end of `day`: every month whose charge is booked on or before `day` counts."""
        if Period.of(day) > self.through:
            raise ValueError(f"the timeline runs to {self.through}, not {day}")
        count = bisect_right(self._dates, day)
        accumulated = self.charges[count - 1].accumulated if count else self.book.opening_accumulated
        return BookPosition(
            cost=self.book.cost,
            accumulated_depreciation=accumulated,
            impairment=self.book.impairment_through(day),
        )

    def charged_between(self, start: date, end: date) -> Decimal:
        """Depreciation booked from `start` to `end`, both inclusive."""
        lo, hi = bisect_left(self._dates, start), bisect_right(self._dates, end)
        return sum((c.amount for c in self.charges[lo:hi]), ZERO)


def position_on(book: Book, *, day: date, units: Mapping[Period, Decimal] | None = None) -> BookPosition:
    """The book's figures at the end of `day` (see `BookTimeline.position_on`)."""
    return BookTimeline(book, through=Period.of(day), units=units).position_on(day)


def unposted_charges(
    book: Book,
    *,
    through: Period,
    posted: Sequence[Period],
    units: Mapping[Period, Decimal] | None = None,
) -> list[MonthCharge]:
    """Charges of months up to `through` that have no posting yet and are not zero (a run's catch-up)."""
    done = set(posted)
    return [
        c for c in book_charges(book, through=through, units=units) if c.period not in done and c.amount != 0
    ]
