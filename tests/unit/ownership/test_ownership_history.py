"""Method history and the date control began, on a hand-built dated group.

P buys 60% of S on 2024-01-01 and raises it to 80% on 2024-07-01; S buys 70% of T on 2024-04-01; P sells
down to 40% of S on 2024-10-01 and buys back to 55% on 2025-01-01. T is therefore a subsidiary of P from
2024-04-01 (the later of "P controls S" and "S controls T"), stops being one while S is only an associate,
and is one again from 2025-01-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.ownership.domain import (
    ASSOCIATE,
    INVESTMENT,
    JOINT_VENTURE,
    PARENT,
    SUBSIDIARY,
    DatedHolding,
    DatedMethodOverride,
    Holding,
    MethodOverride,
    MethodPeriod,
    OwnershipCycleError,
    OwnershipResult,
    OwnershipValidationError,
    compute_ownership,
    control_since,
    controls_since,
    method_history,
    subsidiaries_of,
)
from app.ownership.domain.dated_index import dated_index


def dated(
    holder: str, investee: str, share: str, valid_from: date, valid_to: date | None = None
) -> DatedHolding:
    return DatedHolding(Holding(holder, investee, Decimal(share), Decimal(share)), valid_from, valid_to)


JAN, APR, JUL, OCT = date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1)
NEXT_JAN = date(2025, 1, 1)
GROUP = [
    dated("P", "S", "0.60", JAN, JUL),
    dated("P", "S", "0.80", JUL, OCT),
    dated("P", "S", "0.40", OCT, NEXT_JAN),
    dated("P", "S", "0.55", NEXT_JAN),
    dated("S", "T", "0.70", APR),
]


def period(start: date, end: date | None, method: str, control: str, interest: str) -> MethodPeriod:
    return MethodPeriod(start, end, method, Decimal(control), Decimal(interest))


class TestMethodHistory:
    def test_periods_of_the_direct_subsidiary(self) -> None:
        history = method_history(parent="P", holdings=GROUP)

        assert history["S"] == [
            period(JAN, JUL, SUBSIDIARY, "0.60", "0.60"),
            period(JUL, OCT, SUBSIDIARY, "0.80", "0.80"),
            period(OCT, NEXT_JAN, ASSOCIATE, "0.40", "0.40"),
            period(NEXT_JAN, None, SUBSIDIARY, "0.55", "0.55"),
        ]

    def test_periods_of_the_sub_subsidiary(self) -> None:
        history = method_history(parent="P", holdings=GROUP)

        assert history["T"] == [
            period(APR, JUL, SUBSIDIARY, "0.70", "0.42"),
            period(JUL, OCT, SUBSIDIARY, "0.70", "0.56"),
            period(OCT, NEXT_JAN, INVESTMENT, "0", "0.28"),
            period(NEXT_JAN, None, SUBSIDIARY, "0.70", "0.385"),
        ]

    def test_equal_neighbouring_periods_are_merged(self) -> None:
        history = method_history(parent="P", holdings=GROUP)

        assert history["P"] == [period(JAN, None, PARENT, "1", "1")]

    def test_until_cuts_the_history(self) -> None:
        history = method_history(parent="P", holdings=GROUP, until=date(2024, 8, 1))

        assert history["S"] == [
            period(JAN, JUL, SUBSIDIARY, "0.60", "0.60"),
            period(JUL, date(2024, 8, 1), SUBSIDIARY, "0.80", "0.80"),
        ]

    def test_dated_overrides_start_and_end_periods(self) -> None:
        override = DatedMethodOverride(
            MethodOverride("S", JOINT_VENTURE, "shareholder agreement"), date(2024, 8, 1), date(2024, 9, 1)
        )

        history = method_history(parent="P", holdings=GROUP, overrides=[override], until=OCT)

        assert [(p.valid_from, p.valid_to, p.method) for p in history["S"]] == [
            (JAN, JUL, SUBSIDIARY),
            (JUL, date(2024, 8, 1), SUBSIDIARY),
            (date(2024, 8, 1), date(2024, 9, 1), JOINT_VENTURE),
            (date(2024, 9, 1), OCT, SUBSIDIARY),
        ]
        assert history["T"][-2].method == INVESTMENT

    def test_an_empty_validity_is_refused(self) -> None:
        holdings = [*GROUP, dated("P", "U", "0.3", JUL, JUL)]

        with pytest.raises(OwnershipValidationError) as raised:
            method_history(parent="P", holdings=holdings)

        assert [v.code for v in raised.value.violations] == ["empty_validity"]

    def test_overlapping_records_of_one_holding_are_refused_with_the_date(self) -> None:
        holdings = [*GROUP, dated("S", "T", "0.10", date(2024, 5, 1), date(2024, 6, 1))]

        with pytest.raises(OwnershipValidationError) as raised:
            method_history(parent="P", holdings=holdings)

        assert raised.value.on == date(2024, 5, 1)
        assert [v.code for v in raised.value.violations] == ["duplicate_holding"]


class TestControlSince:
    @pytest.mark.parametrize(
        ("entity", "as_of", "expected"),
        [
            ("S", date(2023, 12, 31), None),
            ("S", JAN, JAN),
            ("S", date(2024, 9, 30), JAN),
            ("S", date(2024, 11, 1), None),
            ("S", date(2025, 3, 1), NEXT_JAN),
            ("T", date(2024, 3, 31), None),
            ("T", date(2024, 8, 15), APR),
            ("T", date(2024, 11, 1), None),
            ("T", date(2025, 3, 1), NEXT_JAN),
        ],
    )
    def test_start_of_the_unbroken_stretch_of_control(
        self, entity: str, as_of: date, expected: date | None
    ) -> None:
        since = control_since(parent="P", entity=entity, holdings=GROUP, as_of=as_of)

        assert since == expected

    def test_a_sub_subsidiary_is_controlled_from_when_the_parent_controls_its_holder(self) -> None:
        holdings = [dated("S", "T", "0.70", date(2024, 2, 1)), dated("P", "S", "0.60", date(2024, 3, 1))]

        since = control_since(parent="P", entity="T", holdings=holdings, as_of=date(2024, 12, 31))

        assert since == date(2024, 3, 1)

    def test_an_override_can_grant_control(self) -> None:
        holdings = [dated("P", "S", "0.45", JAN)]
        override = MethodOverride("S", SUBSIDIARY, "de-facto control: the rest is widely held")

        since = control_since(parent="P", entity="S", holdings=holdings, as_of=JUL, overrides=[override])

        assert since == JAN


class TestMethodHistoryWithLatestResult:
    def test_the_callers_result_for_the_last_date_gives_the_same_history(self) -> None:
        until = date(2025, 3, 1)
        in_force = [d.holding for d in GROUP if d.valid_from < until and (d.valid_to or until) >= until]
        latest = compute_ownership(parent="P", holdings=in_force)

        history = method_history(parent="P", holdings=GROUP, until=until, latest=latest)

        assert history == method_history(parent="P", holdings=GROUP, until=until)


def _latest(
    holdings: list[DatedHolding], as_of: date, overrides: tuple[MethodOverride, ...] = ()
) -> OwnershipResult:
    in_force = [
        d.holding for d in holdings if d.valid_from <= as_of and (d.valid_to is None or as_of < d.valid_to)
    ]
    return compute_ownership(parent="P", holdings=in_force, overrides=overrides)


class TestControlsSince:
    """`controls_since` (methods only, walking back from as_of) reads the dates `control_since` reads."""

    @pytest.mark.parametrize(
        "as_of",
        [date(2023, 12, 31), JAN, date(2024, 3, 31), date(2024, 8, 15), date(2024, 11, 1), date(2025, 3, 1)],
    )
    def test_every_subsidiary_gets_the_date_of_the_full_history(self, as_of: date) -> None:
        latest = _latest(GROUP, as_of)

        since = controls_since(parent="P", holdings=GROUP, latest=latest, as_of=as_of)

        expected = {
            e.entity: control_since(parent="P", entity=e.entity, holdings=GROUP, as_of=as_of)
            for e in latest.entities
            if e.method == SUBSIDIARY
        }
        assert since == expected

    def test_a_known_stretch(self) -> None:
        as_of = date(2025, 3, 1)

        assert controls_since(parent="P", holdings=GROUP, latest=_latest(GROUP, as_of), as_of=as_of) == {
            "S": NEXT_JAN,
            "T": NEXT_JAN,
        }

    def test_a_closed_cycle_at_an_earlier_date_does_not_stop_the_view(self) -> None:
        # In 2023 X and Y held all of each other's capital (no interest share can be resolved then) and P
        # held votes in X; since 2024 P holds 60% of S. The dates control began need only the methods of
        # 2023, which a closed cycle does not prevent; the full history cannot be computed.
        cycle_end = JAN
        holdings = [
            DatedHolding(Holding("X", "Y", Decimal(1), Decimal(1)), date(2023, 1, 1), cycle_end),
            DatedHolding(Holding("Y", "X", Decimal(1), Decimal("0.7")), date(2023, 1, 1), cycle_end),
            DatedHolding(Holding("P", "X", Decimal(0), Decimal("0.3")), date(2023, 1, 1), cycle_end),
            dated("P", "S", "0.60", JAN),
        ]
        as_of = date(2024, 6, 30)

        since = controls_since(parent="P", holdings=holdings, latest=_latest(holdings, as_of), as_of=as_of)

        assert since == {"S": JAN}
        with pytest.raises(OwnershipCycleError):
            method_history(parent="P", holdings=holdings, until=as_of)

    def test_an_override_ending_breaks_the_stretch(self) -> None:
        holdings = [dated("P", "S", "0.45", JAN)]
        override = DatedMethodOverride(MethodOverride("S", SUBSIDIARY, "de-facto control"), APR, None)
        as_of = OCT

        since = controls_since(
            parent="P",
            holdings=holdings,
            latest=_latest(holdings, as_of, (override.override,)),
            as_of=as_of,
            overrides=[override],
        )

        assert since == {"S": APR}


class TestSubsidiariesOf:
    def test_the_same_subsidiaries_as_the_full_engine(self) -> None:
        in_force = [d.holding for d in GROUP if d.valid_to is None]
        full = compute_ownership(parent="P", holdings=in_force)

        assert subsidiaries_of(parent="P", holdings=in_force) == {
            e.entity for e in full.entities if e.method == SUBSIDIARY
        }

    def test_an_override_to_associate_takes_control_away_and_with_it_the_sub_subsidiary(self) -> None:
        holdings = [
            Holding("P", "S", Decimal("0.8"), Decimal("0.8")),
            Holding("S", "T", Decimal("0.7"), Decimal("0.7")),
        ]
        override = MethodOverride("S", ASSOCIATE, "no power over the relevant activities")

        assert subsidiaries_of(parent="P", holdings=holdings) == {"S", "T"}
        assert subsidiaries_of(parent="P", holdings=holdings, overrides=[override]) == frozenset()

    def test_invalid_holdings_are_refused_like_the_engine(self) -> None:
        with pytest.raises(OwnershipValidationError):
            subsidiaries_of(parent="P", holdings=[Holding("P", "P", Decimal("0.5"), Decimal("0.5"))])


class TestControlsSinceRefusals:
    def test_an_over_allocated_date_inside_a_stretch_is_refused_with_its_date(self) -> None:
        holdings = [dated("P", "S", "0.60", JAN), dated("Q", "S", "0.60", APR, JUL)]
        as_of = OCT

        with pytest.raises(OwnershipValidationError) as refused:
            controls_since(parent="P", holdings=holdings, latest=_latest(holdings, as_of), as_of=as_of)

        assert refused.value.on == APR
        assert [v.code for v in refused.value.violations] == ["shares_over_allocated", "votes_over_allocated"]

    def test_a_rule_broken_on_every_date_is_checked_date_by_date_as_the_full_history_does(self) -> None:
        holdings = [dated("X", "X", "0.10", date(2023, 1, 1), JAN), dated("P", "S", "0.60", JAN)]
        as_of = OCT

        assert dated_index(holdings, parent="P") is None
        with pytest.raises(OwnershipValidationError) as refused:
            controls_since(parent="P", holdings=holdings, latest=_latest(holdings, as_of), as_of=as_of)
        with pytest.raises(OwnershipValidationError) as by_history:
            method_history(parent="P", holdings=holdings, until=as_of)

        assert refused.value.on == by_history.value.on == date(2023, 1, 1)
        assert [v.code for v in refused.value.violations] == ["self_holding"]


class TestDatedIndex:
    def test_the_holdings_of_a_day_are_those_in_force(self) -> None:
        numbered = dated_index(GROUP, parent="P")
        assert numbered is not None

        day = numbered.on(date(2024, 8, 15))

        pairs = {(day.names[s], day.names[d], v) for s, d, v in zip(day.src, day.dst, day.share, strict=True)}
        assert pairs == {("P", "S", Decimal("0.80")), ("S", "T", Decimal("0.70"))}
        assert day.names[0] == "P"

    def test_shares_are_summed_as_exact_integers_only_when_they_have_at_most_twelve_places(self) -> None:
        fine = [dated("P", "S", "0.600000000001", JAN), dated("Q", "S", "0.399999999999", APR)]
        finer = [dated("P", "S", "0.6000000000001", JAN), dated("Q", "S", "0.3999999999999", APR)]
        too_much = [dated("P", "S", "0.6000000000001", JAN), dated("Q", "S", "0.4", APR)]

        numbered, fallback, over = (dated_index(h, parent="P") for h in (fine, finer, too_much))

        assert numbered is not None
        assert fallback is not None
        assert over is not None
        assert (numbered.units is not None, fallback.units is None) == (True, True)
        assert numbered.on(JUL).src.size == fallback.on(JUL).src.size == 2
        with pytest.raises(OwnershipValidationError):
            over.on(JUL)
