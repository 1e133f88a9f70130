"""The register's record rules (app.entities.domain): entity lifetimes, USCC overrides, stake plans."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.entities.domain import (
    EntityFacts,
    NewStake,
    OverrideFacts,
    StakeFacts,
    active_throughout,
    exists_on,
    first_over_allocation,
    plain,
    plan_method_override,
    plan_stake,
    uscc_violations,
)

D0 = date(2024, 1, 1)
BAD_USCC = "91110000600037341M"
GOOD_USCC = "91110000600037341L"


def day(offset: int) -> date:
    return D0 + timedelta(days=offset)


def entity(code: str, *, established_on: date | None = None, ended_on: date | None = None) -> EntityFacts:
    return EntityFacts(id=code, code=code, established_on=established_on, ended_on=ended_on)


def stake(
    sid: str, holder: str, share: str, start: int, end: int | None = None, votes: str | None = None
) -> StakeFacts:
    return StakeFacts(
        id=sid,
        holder_id=holder,
        investee_id="X",
        share=Decimal(share),
        voting_share=Decimal(votes or share),
        valid_from=day(start),
        valid_to=day(end) if end is not None else None,
    )


def new(holder: str, share: str, start: int, end: int | None = None) -> NewStake:
    return NewStake(
        holder_id=holder,
        investee_id="X",
        share=Decimal(share),
        voting_share=Decimal(share),
        valid_from=day(start),
        valid_to=day(end) if end is not None else None,
    )


def plan(proposal: NewStake, *records: StakeFacts) -> dict[str, str]:
    result = plan_stake(
        new=proposal, holder=entity(proposal.holder_id), investee=entity("X"), investee_stakes=list(records)
    )
    return {v.field: v.type for v in result.violations}


class TestLifetime:
    def test_exists_from_establishment_until_the_end_day_exclusive(self) -> None:
        facts = {"established_on": day(10), "ended_on": day(20)}

        days = [exists_on(day=day(n), **facts) for n in (9, 10, 19, 20)]

        assert days == [False, True, True, False]

    def test_active_throughout_needs_an_end_within_the_lifetime(self) -> None:
        assert active_throughout(established_on=None, ended_on=None, valid_from=day(0), valid_to=None)
        assert active_throughout(established_on=day(0), ended_on=day(20), valid_from=day(0), valid_to=day(20))
        assert not active_throughout(
            established_on=day(0), ended_on=day(20), valid_from=day(0), valid_to=None
        )
        assert not active_throughout(established_on=day(1), ended_on=None, valid_from=day(0), valid_to=day(5))


class TestUsccOverride:
    @pytest.mark.parametrize(
        ("uscc", "reason", "admin", "expected"),
        [
            (GOOD_USCC, None, False, {}),
            (None, None, False, {}),
            (BAD_USCC, None, True, {"uscc": "uscc_invalid"}),
            (BAD_USCC, "pilot-era code", True, {}),
            (BAD_USCC, "   ", True, {"uscc": "uscc_invalid"}),
            (
                BAD_USCC,
                "pilot-era code",
                False,
                {"uscc": "uscc_invalid", "uscc_override_reason": "override_forbidden"},
            ),
            (GOOD_USCC, "pilot-era code", True, {"uscc_override_reason": "override_not_needed"}),
            (None, "pilot-era code", True, {"uscc_override_reason": "override_not_needed"}),
        ],
    )
    def test_only_an_admin_overrides_only_a_failing_code(
        self, uscc: str | None, reason: str | None, admin: bool, expected: dict[str, str]
    ) -> None:
        violations = uscc_violations(uscc=uscc, override_reason=reason, may_override=admin)

        assert {v.field: v.type for v in violations} == expected


class TestPlanStake:
    def test_reports_every_field_rule_at_once(self) -> None:
        proposal = replace(new("X", "0", 5, 5), voting_share=Decimal("1.2"), capital_subscribed=Decimal(-1))

        found = plan(proposal)

        assert found == {
            "share": "share_out_of_range",
            "voting_share": "share_out_of_range",
            "capital_subscribed": "negative_amount",
            "valid_to": "period_empty",
            "investee_id": "self_holding",
        }

    def test_unknown_and_inactive_parties(self) -> None:
        result = plan_stake(
            new=new("H", "0.5", 0), holder=None, investee=entity("X", ended_on=day(30)), investee_stakes=[]
        )

        assert {v.field: v.type for v in result.violations} == {
            "holder_id": "unknown_entity",
            "investee_id": "entity_not_active",
        }

    def test_a_later_record_supersedes_the_open_one_of_the_same_holder(self) -> None:
        open_record = stake("s1", "A", "0.6", 0)

        result = plan_stake(
            new=new("A", "0.9", 10),
            holder=entity("A"),
            investee=entity("X"),
            investee_stakes=[open_record, stake("s2", "B", "0.1", 0)],
        )

        assert result.ok
        assert result.supersedes == open_record

    def test_the_superseded_record_does_not_count_after_the_change(self) -> None:
        found = plan(new("A", "0.95", 10), stake("s1", "A", "0.6", 0), stake("s2", "B", "0.1", 0))

        assert found == {"share": "over_allocated", "voting_share": "over_allocated"}

    def test_overlaps_of_the_same_pair(self) -> None:
        closed = stake("s1", "A", "0.5", 0, 10)

        assert plan(new("A", "0.2", 5), closed) == {"valid_from": "stake_overlap"}
        assert plan(new("A", "0.2", 0), stake("s2", "A", "0.5", 0)) == {"valid_from": "stake_overlap"}
        assert plan(new("A", "0.2", 10), closed) == {}

    def test_votes_and_capital_are_summed_separately(self) -> None:
        found = plan(
            replace(new("B", "0.3", 0), voting_share=Decimal("0.5")), stake("s1", "A", "0.3", 0, votes="0.6")
        )

        assert found == {"voting_share": "over_allocated"}

    def test_names_the_first_over_allocated_day_and_the_sum(self) -> None:
        result = plan_stake(
            new=new("B", "0.5", 0),
            holder=entity("B"),
            investee=entity("X"),
            investee_stakes=[stake("s1", "A", "0.3", 0), stake("s2", "C", "0.25", 40, 50)],
        )

        [violation] = [v for v in result.violations if v.field == "share"]
        assert violation.extra == {"on": day(40), "total": Decimal("1.05")}


class TestPlanMethodOverride:
    def test_reports_every_violation(self) -> None:
        result = plan_method_override(
            parent=entity("P"),
            entity=None,
            parent_id="P",
            entity_id="P",
            reason=" ",
            valid_from=day(5),
            valid_to=day(1),
            pair_overrides=[],
        )

        assert {v.field: v.type for v in result.violations} == {
            "entity_id": "self_override",
            "reason": "reason_required",
            "valid_to": "period_empty",
        }

    def test_supersedes_an_open_override_and_refuses_overlaps(self) -> None:
        open_one = OverrideFacts(id="o1", method="joint_venture", valid_from=day(0), valid_to=None)
        closed = OverrideFacts(id="o2", method="associate", valid_from=day(50), valid_to=day(60))

        later = plan_method_override(
            parent=entity("P"),
            entity=entity("S"),
            parent_id="P",
            entity_id="S",
            reason="de-facto control",
            valid_from=day(10),
            valid_to=day(20),
            pair_overrides=[open_one],
        )
        clash = plan_method_override(
            parent=entity("P"),
            entity=entity("S"),
            parent_id="P",
            entity_id="S",
            reason="de-facto control",
            valid_from=day(55),
            valid_to=None,
            pair_overrides=[closed],
        )

        assert later.ok
        assert later.supersedes == open_one
        assert [v.type for v in clash.violations] == ["override_overlap"]


def test_plain_drops_trailing_zeros_without_exponents() -> None:
    assert [str(plain(Decimal(v))) for v in ("1.100000000000", "1.000", "0.050", "100")] == [
        "1.1",
        "1",
        "0.05",
        "100",
    ]


# ------------------------------------------------------------------------------------------- properties

SHARES = st.integers(min_value=1, max_value=10).map(lambda n: Decimal(n) / 10)
PERIODS = st.tuples(st.integers(0, 30), st.one_of(st.none(), st.integers(1, 15))).map(
    lambda p: (p[0], None if p[1] is None else p[0] + p[1])
)
PROPOSALS = st.lists(st.tuples(st.sampled_from("ABC"), SHARES, PERIODS), min_size=1, max_size=8)


def _sum_on(records: list[StakeFacts], on: date) -> Decimal:
    return sum(
        (r.share for r in records if r.valid_from <= on and (r.valid_to is None or on < r.valid_to)),
        Decimal(0),
    )


@settings(max_examples=150, deadline=None)
@given(others=st.lists(st.tuples(SHARES, PERIODS), max_size=5), amount=SHARES, period=PERIODS)
def test_first_over_allocation_agrees_with_a_day_by_day_check(
    others: list[tuple[Decimal, tuple[int, int | None]]], amount: Decimal, period: tuple[int, int | None]
) -> None:
    dated = [(share, day(start), day(end) if end is not None else None) for share, (start, end) in others]
    start, end = period
    last = end if end is not None else 60

    found = first_over_allocation(
        others=dated, amount=amount, valid_from=day(start), valid_to=day(end) if end is not None else None
    )

    totals = [
        (
            day(n),
            amount + sum((s for s, f, t in dated if f <= day(n) and (t is None or day(n) < t)), Decimal(0)),
        )
        for n in range(start, last)
    ]
    first_bad = next(((d, total) for d, total in totals if total > 1), None)
    assert (found.on, found.total) == first_bad if found is not None else first_bad is None


@settings(max_examples=100, deadline=None)
@given(proposals=PROPOSALS)
def test_accepted_plans_never_over_allocate_or_overlap(
    proposals: list[tuple[str, Decimal, tuple[int, int | None]]],
) -> None:
    records: list[StakeFacts] = []

    for number, (holder, share, (start, end)) in enumerate(proposals):
        result = plan_stake(
            new=new(holder, str(share), start, end),
            holder=entity(holder),
            investee=entity("X"),
            investee_stakes=records,
        )
        if result.ok:
            if result.supersedes is not None:
                records = [replace(r, valid_to=day(start)) if r == result.supersedes else r for r in records]
            records.append(stake(f"s{number}", holder, str(share), start, end))

    assert all(_sum_on(records, day(n)) <= 1 for n in range(0, 60))
    for holder in "ABC":
        mine = [r for r in records if r.holder_id == holder]
        covered = [
            sum(1 for r in mine if r.valid_from <= day(n) and (r.valid_to is None or day(n) < r.valid_to))
            for n in range(0, 60)
        ]
        assert max(covered, default=0) <= 1
