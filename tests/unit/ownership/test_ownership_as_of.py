"""The view on one date from the dated register (`ownership_on`), against the engine on lists of holdings.

`ownership_on` numbers the register once; when a rule that holds on every date is broken somewhere in it,
it falls back to lists of holdings. Either way the answers and the errors are those of `compute_ownership`
on the holdings in force and of `controls_since` on the register.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import ClassVar

import pytest

from app.ownership.domain import (
    DatedHolding,
    DatedMethodOverride,
    Holding,
    MethodOverride,
    OwnershipCycleError,
    OwnershipResult,
    OwnershipValidationError,
    RegisterColumns,
    compute_ownership,
    controls_since,
    for_history,
    ownership_on,
)
from app.ownership.domain.dated_index import index_register

JAN, APR, JUL, OCT = date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1)


def dated(
    holder: str, investee: str, share: str, valid_from: date, valid_to: date | None = None
) -> DatedHolding:
    return DatedHolding(Holding(holder, investee, Decimal(share), Decimal(share)), valid_from, valid_to)


REGISTER = [
    dated("S", "T", "0.70", APR),
    dated("P", "S", "0.60", JAN, JUL),
    dated("P", "S", "0.80", JUL),
    dated("X", "Y", "0.30", JAN),  # outside the parent's reach
    dated("T", "U", "0.25", JAN),
]


def in_force(register: list[DatedHolding], on: date) -> list[Holding]:
    return [d.holding for d in register if d.valid_from <= on and (d.valid_to is None or on < d.valid_to)]


def expected(
    register: list[DatedHolding],
    on: date,
    overrides: Sequence[DatedMethodOverride] = (),
) -> tuple[OwnershipResult, dict[str, date]]:
    now = [o.override for o in overrides if o.valid_from <= on and (o.valid_to is None or on < o.valid_to)]
    latest = compute_ownership(parent="P", holdings=in_force(register, on), overrides=now)
    since = controls_since(
        parent="P",
        holdings=for_history("P", register, reached=[e.entity for e in latest.entities]),
        latest=latest,
        as_of=on,
        overrides=overrides,
    )
    return latest, since


class TestOwnershipOn:
    @pytest.mark.parametrize("on", [JAN, APR, date(2024, 8, 15)])
    def test_the_view_is_the_engine_on_the_holdings_in_force_with_the_dates_control_began(
        self, on: date
    ) -> None:
        view = ownership_on(
            parent="P", register=RegisterColumns.of_holdings(REGISTER), overrides=[], as_of=on
        )

        latest, since = expected(REGISTER, on)
        assert view.result == latest
        assert view.control_since == since
        assert [REGISTER[p].holding for p in view.in_force] == in_force(REGISTER, on)
        assert view.named == {n for h in in_force(REGISTER, on) for n in (h.holder, h.investee)} | {"P"}

    def test_a_subsidiary_held_through_an_acquisition_keeps_its_first_date(self) -> None:
        view = ownership_on(
            parent="P", register=RegisterColumns.of_holdings(REGISTER), overrides=[], as_of=date(2024, 8, 15)
        )

        assert view.control_since == {"S": JAN, "T": APR}

    def test_dated_overrides_apply_on_their_dates(self) -> None:
        overrides = [DatedMethodOverride(MethodOverride("S", "associate", "board not controlled"), JAN, APR)]
        register = RegisterColumns.of_holdings(REGISTER)

        view = ownership_on(parent="P", register=register, overrides=overrides, as_of=date(2024, 8, 15))

        latest, since = expected(REGISTER, date(2024, 8, 15), overrides)
        assert view.result == latest
        assert view.control_since == since == {"S": APR, "T": APR}

    def test_a_rule_broken_on_another_date_falls_back_and_answers_the_same(self) -> None:
        register = [dated("X", "X", "0.10", date(2023, 1, 1), JAN), *REGISTER]
        columns = RegisterColumns.of_holdings(register)
        assert index_register(columns, parent="P") is None

        view = ownership_on(parent="P", register=columns, overrides=[], as_of=APR)

        latest, _ = expected(register, APR)
        assert view.result == latest
        assert [register[p].holding for p in view.in_force] == in_force(register, APR)

    def test_holdings_broken_on_the_date_are_refused_with_the_engines_violations_in_register_order(
        self,
    ) -> None:
        # In investee order (T is numbered first) the duplicate of P -> T would come first.
        register = [
            dated("P", "T", "0.30", JAN),
            dated("P", "S", "0.30", JAN),
            dated("P", "S", "0.30", JAN),
            dated("P", "T", "0.30", JAN),
        ]
        with pytest.raises(OwnershipValidationError) as by_engine:
            compute_ownership(parent="P", holdings=in_force(register, APR))

        with pytest.raises(OwnershipValidationError) as refused:
            ownership_on(parent="P", register=RegisterColumns.of_holdings(register), overrides=[], as_of=APR)

        assert refused.value.violations == by_engine.value.violations
        assert [(v.code, v.investee) for v in refused.value.violations] == [
            ("duplicate_holding", "S"),
            ("duplicate_holding", "T"),
        ]
        assert refused.value.on is None

    def test_a_share_above_one_is_refused_on_the_days_it_is_in_force_only(self) -> None:
        register = [dated("P", "S", "0.60", JAN), dated("Q", "T", "1.5", JAN, APR)]
        columns = RegisterColumns.of_holdings(register)

        view = ownership_on(parent="P", register=columns, overrides=[], as_of=JUL)
        with pytest.raises(OwnershipValidationError) as refused:
            ownership_on(parent="P", register=columns, overrides=[], as_of=JAN)

        assert view.result.get("S").method == "subsidiary"
        assert "share_out_of_range" in [v.code for v in refused.value.violations]

    def test_rows_as_read_make_the_same_columns_as_the_holdings(self) -> None:
        rows = [(d.holding.holder, d.holding.investee, d.holding.share, d.holding.voting_share,
                 d.valid_from, d.valid_to) for d in REGISTER]  # fmt: skip

        columns = RegisterColumns.of_holdings(REGISTER)

        assert RegisterColumns.of_rows(rows) == RegisterColumns(*map(tuple, columns[:6]))
        assert columns.units is None
        assert RegisterColumns.of_rows([]).holders == ()


class TestClosedCycleReport:
    """The closed cycle an error names does not depend on how the register happens to number entities."""

    REGISTER: ClassVar[list[DatedHolding]] = [
        dated("D", "X", "0.10", date(2019, 1, 1), date(2019, 6, 1)),  # expired: numbered, not in force
        dated("B", "X", "0.10", date(2019, 1, 1), date(2019, 6, 1)),
        dated("P", "C", "0", JAN),
        dated("C", "D", "1", JAN),
        dated("D", "C", "1", JAN),
        dated("P", "A", "0", JAN),
        dated("A", "B", "1", JAN),
        dated("B", "A", "1", JAN),
    ]

    @staticmethod
    def with_votes(d: DatedHolding) -> DatedHolding:
        vote = Decimal("0.6") if d.holding.holder == "P" else Decimal(0)
        return d._replace(holding=d.holding._replace(voting_share=vote))

    def test_the_first_closed_cycle_by_name_from_its_first_name(self) -> None:
        register = [self.with_votes(d) for d in self.REGISTER]
        reports = []
        for order in (register, register[::-1]):
            with pytest.raises(OwnershipCycleError) as by_view:
                ownership_on(parent="P", register=RegisterColumns.of_holdings(order), overrides=[], as_of=APR)
            with pytest.raises(OwnershipCycleError) as by_engine:
                compute_ownership(parent="P", holdings=in_force(order, APR))
            reports += [(e.value.entities, e.value.cycle) for e in (by_view, by_engine)]

        assert reports == [(["A", "B"], ["A", "B", "A"])] * 4


def unit_row(holder: str, investee: str, share: str, vote: str | None = None) -> tuple[object, ...]:
    """A stake as the as-of view reads it: share and vote as integer units of 10^-12."""
    votes = vote if vote is not None else share
    return (holder, investee, int(Decimal(share).scaleb(12)), int(Decimal(votes).scaleb(12)), JAN, None)


class TestRegisterReadAsUnits:
    def test_votes_equal_to_their_shares_are_the_shares_decimals(self) -> None:
        register = RegisterColumns.of_unit_rows([unit_row("P", "A", "0.6"), unit_row("A", "B", "0.25")])

        assert register is not None
        assert register.votes is register.shares
        assert [s.as_tuple() for s in register.shares] == [
            Decimal("0.600000000000").as_tuple(),
            Decimal("0.250000000000").as_tuple(),
        ]
        assert register.units is not None
        assert register.units[1].tolist() == [600_000_000_000, 250_000_000_000]

    def test_a_vote_apart_from_its_share_is_made_at_twelve_places(self) -> None:
        register = RegisterColumns.of_unit_rows(
            [unit_row("P", "A", "0.6", "0.7"), unit_row("A", "B", "0.25")]
        )

        assert register is not None
        assert [v.as_tuple() for v in register.votes] == [
            Decimal("0.700000000000").as_tuple(),
            Decimal("0.250000000000").as_tuple(),
        ]
        assert [s.as_tuple() for s in register.shares] == [
            Decimal("0.600000000000").as_tuple(),
            Decimal("0.250000000000").as_tuple(),
        ]

    def test_a_unit_the_reader_could_not_give_refuses_the_rows(self) -> None:
        rows = [unit_row("P", "A", "0.6"), ("P", "B", None, None, JAN, None)]

        assert RegisterColumns.of_unit_rows(rows) is None

    def test_no_rows_is_an_empty_register_in_units(self) -> None:
        register = RegisterColumns.of_unit_rows([])

        assert register is not None
        assert register.holders == ()
        assert register.units is not None

    def test_a_negative_unit_falls_back_to_the_dates_evaluated_as_the_decimals_do(self) -> None:
        rows = [unit_row("P", "S", "0.6"), ("Q", "T", -1, -1, JAN, APR)]
        register = RegisterColumns.of_unit_rows(rows)
        assert register is not None

        view = ownership_on(parent="P", register=register, overrides=[], as_of=JUL)
        with pytest.raises(OwnershipValidationError) as refused:
            ownership_on(parent="P", register=register, overrides=[], as_of=JAN)

        assert view.result.get("S").method == "subsidiary"
        assert "share_out_of_range" in [v.code for v in refused.value.violations]

    @pytest.mark.parametrize(
        ("votes", "method"),
        [
            ("0.199999999999", "investment"),
            ("0.2", "associate"),
            ("0.5", "associate"),
            ("0.500000000001", "subsidiary"),
        ],
    )
    def test_the_method_thresholds_are_exact_in_units(self, votes: str, method: str) -> None:
        register = RegisterColumns.of_unit_rows([unit_row("P", "A", "0.3", votes)])
        assert register is not None

        view = ownership_on(parent="P", register=register, overrides=[], as_of=JAN)

        assert view.result.get("A").method == method
        assert view.result.get("A").control_share == Decimal(votes).quantize(Decimal("1e-10"))

    def test_a_control_share_rounds_half_up_to_ten_places(self) -> None:
        register = RegisterColumns.of_unit_rows([unit_row("P", "A", "0.333333333350", "0.333333333350")])
        assert register is not None

        figures = ownership_on(parent="P", register=register, overrides=[], as_of=JAN).result.get("A")

        assert figures.control_share.as_tuple() == Decimal("0.3333333334").as_tuple()
        assert figures.group_holding.as_tuple() == Decimal("0.3333333334").as_tuple()
        assert figures.nci_share == Decimal("0.6666666666")
