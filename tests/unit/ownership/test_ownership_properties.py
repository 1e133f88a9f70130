"""Invariants of the ownership engine on random groups (hypothesis)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ownership.domain import (
    SUBSIDIARY,
    DatedHolding,
    Holding,
    OwnershipError,
    RegisterColumns,
    compute_ownership,
    control_since,
    controls_since,
    interest_matrix_row,
    method_history,
    ownership_on,
    ultimate_owner_view,
)
from app.ownership.domain.dated_index import dated_index
from app.ownership.domain.engine import subsidiary_numbers

PARENT = "E0"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Draw = Callable[[st.SearchStrategy[Any]], Any]


def names(count: int) -> list[str]:
    return [f"E{i}" for i in range(count)]


def basis_points(value: int) -> Decimal:
    return Decimal(value).scaleb(-4)


def draw_column(draw: Draw, holders: list[str], *, budget: int) -> list[tuple[str, int, int]]:
    """Holders of one investee with capital and votes in basis points, each column adding up to <= budget."""
    stakes: list[tuple[str, int, int]] = []
    capital_left = votes_left = budget
    for holder in holders:
        if not draw(st.booleans()):
            continue
        capital = draw(st.integers(0, capital_left))
        votes = capital if draw(st.booleans()) and capital <= votes_left else draw(st.integers(0, votes_left))
        capital_left, votes_left = capital_left - capital, votes_left - votes
        stakes.append((holder, capital, votes))
    return stakes


@st.composite
def acyclic_groups(draw: Draw) -> list[Holding]:
    """E0 is the parent; Ei holds only Ej with j > i, plus a few holdings of the parent's own shares."""
    entities = names(draw(st.integers(2, 7)))
    holdings = []
    for j, investee in enumerate(entities[1:], start=1):
        for holder, capital, votes in draw_column(draw, entities[:j], budget=10_000):
            holdings.append(Holding(holder, investee, basis_points(capital), basis_points(votes)))
    for holder, capital, votes in draw_column(draw, entities[1:], budget=3_000):
        holdings.append(Holding(holder, PARENT, basis_points(capital), basis_points(votes)))
    return holdings


@st.composite
def leaky_graphs(draw: Draw) -> list[Holding]:
    """Any holder in any investee, cycles included; at least 5% of every company is held outside."""
    entities = names(draw(st.integers(2, 6)))
    holdings = []
    for investee in entities:
        others = [e for e in entities if e != investee]
        for holder, capital, votes in draw_column(draw, others, budget=9_500):
            holdings.append(Holding(holder, investee, basis_points(capital), basis_points(votes)))
    return holdings


def path_sums(holdings: list[Holding]) -> dict[str, Fraction]:
    """Brute force (§1.2): the sum over every directed path from the parent of the product of the shares,
    ignoring holdings of the parent's own shares (treasury shares, §1.4a)."""
    out: dict[str, list[tuple[str, Fraction]]] = {}
    for h in holdings:
        if h.investee != PARENT and h.share > 0:
            out.setdefault(h.holder, []).append((h.investee, Fraction(h.share)))
    totals: dict[str, Fraction] = {PARENT: Fraction(1)}

    def walk(node: str, product: Fraction) -> None:
        for investee, share in out.get(node, []):
            totals[investee] = totals.get(investee, Fraction(0)) + product * share
            walk(investee, product * share)

    walk(PARENT, Fraction(1))
    return totals


def reachable(holdings: list[Holding]) -> set[str]:
    found, frontier = {PARENT}, [PARENT]
    while frontier:
        node = frontier.pop()
        for h in holdings:
            active = h.share > 0 or h.voting_share > 0
            if h.holder == node and h.investee != PARENT and active and h.investee not in found:
                found.add(h.investee)
                frontier.append(h.investee)
    return found


def ten_places(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 200
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)


def dense_interest(holdings: list[Holding]) -> dict[str, float]:
    """An independent float solve of (I - A)^T x = e_P with the parent's column dropped."""
    entities = sorted({h.holder for h in holdings} | {h.investee for h in holdings} | {PARENT})
    index = {name: i for i, name in enumerate(entities)}
    matrix = np.zeros((len(entities), len(entities)))
    for h in holdings:
        if h.investee != PARENT:
            matrix[index[h.holder], index[h.investee]] = float(h.share)
    rhs = np.zeros(len(entities))
    rhs[index[PARENT]] = 1.0
    solution = np.linalg.solve((np.eye(len(entities)) - matrix).T, rhs)
    return {name: float(solution[i]) for name, i in index.items()}


class TestAcyclicGroups:
    @FAST
    @given(acyclic_groups())
    def test_matrix_result_equals_the_sum_over_all_paths(self, holdings: list[Holding]) -> None:
        expected = path_sums(holdings)

        result = compute_ownership(parent=PARENT, holdings=holdings)

        assert {e.entity for e in result.entities} == reachable(holdings)
        for entity in result.entities:
            assert entity.exact is True
            assert entity.interest_share == ten_places(expected.get(entity.entity, Fraction(0)))

    @FAST
    @given(acyclic_groups())
    def test_interest_row_agrees_with_the_full_computation(self, holdings: list[Holding]) -> None:
        result = compute_ownership(parent=PARENT, holdings=holdings)

        row = interest_matrix_row(parent=PARENT, holdings=holdings)

        assert row == {e.entity: e.interest_share for e in result.entities}


class TestGraphsWithLeakingCycles:
    @FAST
    @given(leaky_graphs())
    def test_shares_stay_in_the_unit_interval_and_add_up(self, holdings: list[Holding]) -> None:
        result = compute_ownership(parent=PARENT, holdings=holdings)

        for e in result.entities:
            assert 0 <= e.interest_share <= 1
            assert 0 <= e.control_share <= 1
            assert 0 <= e.group_share <= 1
            assert e.nci_direct >= 0
            assert e.nci_indirect >= 0
            assert e.nci_share == 1 - e.interest_share == e.nci_direct + e.nci_indirect

    @FAST
    @given(leaky_graphs())
    def test_interest_matches_an_independent_dense_solve(self, holdings: list[Holding]) -> None:
        expected = dense_interest(holdings)

        result = compute_ownership(parent=PARENT, holdings=holdings)

        for e in result.entities:
            assert abs(float(e.interest_share) - expected[e.entity]) < 1e-9

    @FAST
    @given(leaky_graphs())
    def test_every_company_is_held_entirely_by_the_group_and_outsiders(self, holdings: list[Holding]) -> None:
        everyone = sorted({h.holder for h in holdings} | {h.investee for h in holdings} | {PARENT})

        view = ultimate_owner_view(holdings=holdings, group_owner=PARENT, detail_for=everyone)

        for company in view.companies:
            by_owner = dict(company.by_owner)
            assert company.group + company.outside == 1
            assert abs(sum(by_owner.values(), Decimal(0)) - 1) <= Decimal("1e-10") * len(everyone)
            assert abs(company.group - by_owner[PARENT]) <= Decimal("1e-10")


def holdings_on(dated: list[DatedHolding], on: date) -> list[Holding]:
    """The holdings in force on `on`, in register order."""
    return [d.holding for d in dated if d.valid_from <= on and (d.valid_to is None or on < d.valid_to)]


@st.composite
def dated_groups(draw: Draw) -> list[DatedHolding]:
    """Acyclic holdings, each pair held over one to three disjoint stretches of days in January 2024."""
    entities = names(draw(st.integers(2, 5)))
    start = date(2024, 1, 1)
    dated = []
    for j, investee in enumerate(entities[1:], start=1):
        for holder, capital, votes in draw_column(draw, entities[:j], budget=10_000):
            cuts = sorted(draw(st.sets(st.integers(0, 20), min_size=1, max_size=6)))
            ends: list[int | None] = [*cuts[1::2], *([None] if len(cuts) % 2 else [])]
            stretches = list(zip(cuts[::2], ends, strict=True))
            for first, end in stretches:
                valid_to = start + timedelta(days=end) if end is not None else None
                holding = Holding(holder, investee, basis_points(capital), basis_points(votes))
                dated.append(DatedHolding(holding, start + timedelta(days=first), valid_to))
    return dated


class TestMethodHistory:
    @FAST
    @given(dated_groups())
    def test_periods_are_ordered_disjoint_and_merged(self, dated: list[DatedHolding]) -> None:
        history = method_history(parent=PARENT, holdings=dated)

        for periods in history.values():
            for before, after in itertools.pairwise(periods):
                assert before.valid_to is not None
                assert before.valid_from < before.valid_to <= after.valid_from
                if before.valid_to == after.valid_from:
                    assert (before.method, before.control_share, before.interest_share) != (
                        after.method,
                        after.control_share,
                        after.interest_share,
                    )

    @FAST
    @given(dated_groups(), st.integers(0, 25))
    def test_periods_cover_exactly_the_days_the_entity_is_reached(
        self, dated: list[DatedHolding], day: int
    ) -> None:
        on = date(2024, 1, 1) + timedelta(days=day)
        in_force = holdings_on(dated, on)
        history = method_history(parent=PARENT, holdings=dated)

        result = compute_ownership(parent=PARENT, holdings=in_force)

        for entity, periods in history.items():
            covering = [p for p in periods if p.valid_from <= on and (p.valid_to is None or on < p.valid_to)]
            first_day = min(d.valid_from for d in dated)
            if entity in result and on >= first_day:
                figures = result.get(entity)
                assert [(p.method, p.control_share, p.interest_share) for p in covering] == [
                    (figures.method, figures.control_share, figures.interest_share)
                ]
            else:
                assert covering == []

    @FAST
    @given(dated_groups(), st.integers(0, 25))
    def test_the_view_from_the_numbered_register_is_the_engine_on_the_holdings_in_force(
        self, dated: list[DatedHolding], day: int
    ) -> None:
        on = date(2024, 1, 1) + timedelta(days=day)
        in_force = holdings_on(dated, on)
        latest = compute_ownership(parent=PARENT, holdings=in_force)

        view = ownership_on(
            parent=PARENT, register=RegisterColumns.of_holdings(dated), overrides=[], as_of=on
        )

        assert view.result == latest
        assert view.control_since == controls_since(parent=PARENT, holdings=dated, latest=latest, as_of=on)
        assert [dated[p].holding for p in view.in_force] == in_force

    @FAST
    @given(dated_groups(), st.integers(0, 25))
    def test_controls_since_reads_the_dates_of_the_full_history(
        self, dated: list[DatedHolding], day: int
    ) -> None:
        on = date(2024, 1, 1) + timedelta(days=day)
        in_force = holdings_on(dated, on)
        latest = compute_ownership(parent=PARENT, holdings=in_force)

        since = controls_since(parent=PARENT, holdings=dated, latest=latest, as_of=on)

        assert since == {
            e.entity: control_since(parent=PARENT, entity=e.entity, holdings=dated, as_of=on)
            for e in latest.entities
            if e.method == SUBSIDIARY
        }


class TestSubsidiariesInExactUnits:
    """On a dated register's days, control is summed in integers of 10^-12 instead of Decimals."""

    @FAST
    @given(leaky_graphs())
    def test_the_integer_fixed_point_gives_the_engines_subsidiaries(self, holdings: list[Holding]) -> None:
        day = date(2024, 1, 1)
        numbered = dated_index([DatedHolding(h, day) for h in holdings], parent=PARENT)
        assert numbered is not None
        index = numbered.on(day)
        assert index.units is not None

        in_units = {index.names[i] for i in subsidiary_numbers(index).tolist()}

        full = compute_ownership(parent=PARENT, holdings=holdings)
        assert in_units == {e.entity for e in full.entities if e.method == SUBSIDIARY}

    def test_exactly_half_of_the_votes_is_not_control(self) -> None:
        day = date(2024, 1, 1)
        half = Decimal("0.5")
        register = [DatedHolding(Holding(PARENT, "S", half, half), day)]
        numbered = dated_index(register, parent=PARENT)
        assert numbered is not None

        assert subsidiary_numbers(numbered.on(day)).tolist() == []


UNIT = 10**12


def twelve_places(units: int) -> Decimal:
    """A share at twelve places, as a NUMERIC(20,12) column reads."""
    return Decimal(units).scaleb(-12)


@st.composite
def fine_dated_graphs(draw: Draw) -> list[DatedHolding]:
    """Any holder in any investee (cycles leaking at least 5% outside), shares and votes to twelve places
    (so that ten-place rounding has work to do), each holding over one or two stretches of January 2024."""
    entities = names(draw(st.integers(2, 6)))
    start = date(2024, 1, 1)
    dated = []
    for investee in entities:
        others = [e for e in entities if e != investee]
        for holder, capital, votes in draw_column(draw, others, budget=UNIT * 95 // 100):
            holding = Holding(holder, investee, twelve_places(capital), twelve_places(votes))
            first = draw(st.integers(0, 10))
            end = draw(st.one_of(st.none(), st.integers(first + 1, 25)))
            dated.append(
                DatedHolding(holding, start + timedelta(days=first), end and start + timedelta(days=end))
            )
    return dated


def read_as_units(dated: list[DatedHolding]) -> RegisterColumns:
    """The register as the as-of view reads it: share and vote as integer units, the dates."""
    rows = [
        (
            d.holding.holder,
            d.holding.investee,
            int(d.holding.share.scaleb(12)),
            int(d.holding.voting_share.scaleb(12)),
            d.valid_from,
            d.valid_to,
        )
        for d in dated
    ]
    register = RegisterColumns.of_unit_rows(rows)
    assert register is not None
    return register


def exact_figures(result: Any) -> list[tuple[Any, ...]]:
    """Every row's values, decimals as (sign, digits, exponent): the same value at other places differs."""
    return [tuple(v.as_tuple() if isinstance(v, Decimal) else v for v in row) for row in result.entities]


class TestViewFromUnits:
    """The as-of view reads shares and votes also as integer units and sums and compares them in numpy: it
    gives the figures, to the digit and the exponent, of the view from decimals."""

    @FAST
    @given(fine_dated_graphs(), st.integers(0, 25))
    def test_the_view_from_units_is_the_view_from_decimals(self, dated: list[DatedHolding], day: int) -> None:
        on = date(2024, 1, 1) + timedelta(days=day)

        def outcome(register: RegisterColumns) -> tuple[Any, ...]:
            try:
                view = ownership_on(parent=PARENT, register=register, overrides=[], as_of=on)
            except OwnershipError as error:  # whatever the decimals raise, the units must raise alike
                return (type(error), str(error))
            return (exact_figures(view.result), view.result, view.control_since, view.in_force, view.named)

        assert outcome(read_as_units(dated)) == outcome(RegisterColumns.of_holdings(dated))
