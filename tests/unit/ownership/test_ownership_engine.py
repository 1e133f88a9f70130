"""The engine's rules beyond the published cases: validation, cycles, treasury shares, overrides, the
ultimate parent, exactness flags, and a large group solved through the vectorised path."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import ClassVar

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from app.ownership.domain import (
    ASSOCIATE,
    INVESTMENT,
    SUBSIDIARY,
    EntityNotInResultError,
    Holding,
    MethodOverride,
    OwnershipCycleError,
    OwnershipValidationError,
    compute_ownership,
    method_for_control,
    ultimate_owner_view,
)


def holding(holder: str, investee: str, share: str, votes: str | None = None) -> Holding:
    return Holding(holder, investee, Decimal(share), Decimal(votes if votes is not None else share))


class TestValidation:
    def test_every_violation_is_reported_at_once(self) -> None:
        holdings = [
            holding("P", "A", "1.5"),
            holding("A", "A", "0.1"),
            holding("P", "B", "0.6"),
            holding("Q", "B", "0.6"),
            holding("P", "B", "0.1"),
            Holding("P", "C", Decimal("NaN"), Decimal("0.1")),
            Holding("P", "D", 0.5, Decimal("0.5")),  # type: ignore[arg-type]
        ]

        with pytest.raises(OwnershipValidationError) as raised:
            compute_ownership(parent="P", holdings=holdings)

        assert [v.code for v in raised.value.violations] == [
            "share_out_of_range",
            "voting_share_out_of_range",
            "self_holding",
            "duplicate_holding",
            "share_out_of_range",
            "share_out_of_range",
            "shares_over_allocated",
            "votes_over_allocated",
        ]
        assert raised.value.slug == "ownership-invalid-input"

    def test_overrides_are_checked(self) -> None:
        overrides = [
            MethodOverride("A", "proportional", "old habit"),
            MethodOverride("P", SUBSIDIARY, "the parent"),
            MethodOverride("B", ASSOCIATE, "one"),
            MethodOverride("B", ASSOCIATE, " "),
        ]

        with pytest.raises(OwnershipValidationError) as raised:
            compute_ownership(parent="P", holdings=[holding("P", "A", "0.6")], overrides=overrides)

        assert [v.code for v in raised.value.violations] == [
            "unknown_method",
            "parent_override",
            "duplicate_override",
            "override_without_reason",
        ]


class TestCycles:
    def test_a_cycle_without_outside_shareholders_is_refused(self) -> None:
        holdings = [holding("P", "X", "0", "0.6"), holding("X", "Y", "1"), holding("Y", "X", "1", "0.4")]

        with pytest.raises(OwnershipCycleError) as raised:
            compute_ownership(parent="P", holdings=holdings)

        assert raised.value.entities == ["X", "Y"]
        assert raised.value.cycle in (["X", "Y", "X"], ["Y", "X", "Y"])
        assert raised.value.slug == "ownership-closed-cycle"

    def test_the_ultimate_view_refuses_it_too(self) -> None:
        holdings = [
            holding("X", "Y", "1"),
            holding("Y", "Z", "1"),
            holding("Z", "X", "1"),
            holding("P", "Q", "1"),
        ]

        with pytest.raises(OwnershipCycleError) as raised:
            ultimate_owner_view(holdings=holdings, group_owner="P")

        assert raised.value.entities == ["X", "Y", "Z"]

    def test_entities_in_and_below_a_cycle_are_flagged_inexact(self) -> None:
        holdings = [
            holding("P", "A", "0.6"),
            holding("A", "B", "0.5"),
            holding("B", "A", "0.2"),
            holding("B", "C", "0.7"),
            holding("P", "D", "0.9"),
        ]

        result = compute_ownership(parent="P", holdings=holdings)

        assert {e.entity: e.exact for e in result.entities} == {
            "P": True,
            "A": False,
            "B": False,
            "C": False,
            "D": True,
        }
        assert result.get("A").interest_share == Decimal("0.6666666667")  # 0.6 / (1 - 0.5 × 0.2)
        assert result.get("C").interest_share == Decimal("0.2333333333")
        assert result.cycles == (("A", "B"),)


class TestTreasuryShares:
    HOLDINGS: ClassVar[list[Holding]] = [holding("P", "S", "0.8"), holding("S", "P", "0.1")]

    def test_the_accounting_view_ignores_the_parents_own_shares(self) -> None:
        result = compute_ownership(parent="P", holdings=self.HOLDINGS)

        assert result.get("S").interest_share == Decimal("0.8")
        assert result.cycles == ()

    def test_the_ultimate_view_traces_them_back(self) -> None:
        view = ultimate_owner_view(holdings=self.HOLDINGS, group_owner="P")

        assert view.get("S").group == Decimal("0.7826086957")  # 0.9 × 0.8 / 0.92
        assert view.get("P").group == Decimal("0.9782608696")  # 0.9 / 0.92
        assert view.get("P").outside == Decimal("0.0217391304")


class TestMethods:
    @pytest.mark.parametrize(
        ("control", "method"),
        [
            ("0.5000001", SUBSIDIARY),
            ("0.5", ASSOCIATE),
            ("0.2", ASSOCIATE),
            ("0.1999", INVESTMENT),
            ("0", INVESTMENT),
        ],
    )
    def test_thresholds(self, control: str, method: str) -> None:
        assert method_for_control(Decimal(control)) == method

    def test_an_override_to_subsidiary_brings_the_votes_of_the_overridden_entity(self) -> None:
        holdings = [holding("P", "S", "0.45"), holding("S", "T", "0.60")]
        overrides = [MethodOverride("S", SUBSIDIARY, "de-facto control")]

        result = compute_ownership(parent="P", holdings=holdings, overrides=overrides)

        s, t = result.get("S"), result.get("T")
        assert (s.method, s.computed_method, s.overridden, s.override_reason) == (
            SUBSIDIARY,
            ASSOCIATE,
            True,
            "de-facto control",
        )
        assert (t.control_share, t.method, t.overridden) == (Decimal("0.6"), SUBSIDIARY, False)
        assert (t.nci_direct, t.nci_indirect) == (Decimal("0.4"), Decimal("0.33"))

    def test_an_override_away_from_subsidiary_takes_the_votes_out(self) -> None:
        holdings = [holding("P", "S", "0.60"), holding("S", "T", "0.60")]
        overrides = [MethodOverride("S", ASSOCIATE, "the other holder has a veto")]

        result = compute_ownership(parent="P", holdings=holdings, overrides=overrides)

        assert (result.get("S").method, result.get("S").computed_method) == (ASSOCIATE, SUBSIDIARY)
        assert (result.get("T").control_share, result.get("T").method) == (Decimal("0"), INVESTMENT)
        assert result.get("T").group_share == Decimal("0")

    def test_overrides_of_entities_out_of_reach_are_reported_not_applied(self) -> None:
        override = MethodOverride("Elsewhere", ASSOCIATE, "sold last year")

        result = compute_ownership(parent="P", holdings=[holding("P", "S", "0.6")], overrides=[override])

        assert result.ignored_overrides == (override,)

    def test_votes_without_capital_give_control_but_no_interest(self) -> None:
        result = compute_ownership(parent="P", holdings=[holding("P", "V", "0", "0.7")])

        v = result.get("V")

        assert (v.control_share, v.interest_share, v.method, v.nci_share) == (
            Decimal("0.7"),
            Decimal("0"),
            SUBSIDIARY,
            Decimal("1"),
        )


class TestResult:
    def test_entities_come_parent_first_then_by_id(self) -> None:
        holdings = [holding("P", "Z", "0.3"), holding("P", "A", "0.3"), holding("Outsider", "A", "0.5")]

        result = compute_ownership(parent="P", holdings=holdings)

        assert [e.entity for e in result.entities] == ["P", "A", "Z"]
        assert "Outsider" not in result

    def test_asking_for_an_entity_out_of_reach_raises(self) -> None:
        result = compute_ownership(parent="P", holdings=[])

        with pytest.raises(EntityNotInResultError) as raised:
            result.get("X")

        assert str(raised.value) == "X is not reachable from P through any holding"
        assert [e.entity for e in result.entities] == ["P"]


class TestUltimateParent:
    @pytest.mark.parametrize(
        ("holdings", "expected"),
        [
            ([holding("P", "S", "0.6")], "P"),
            ([holding("H", "P", "0.6")], "H"),
            ([holding("H", "P", "0.5")], "P"),
            ([holding("G", "H", "0.7"), holding("H", "P", "0.6")], "G"),
            ([holding("G", "P", "0.3"), holding("G", "K", "0.6"), holding("K", "P", "0.25")], "G"),
            ([holding("P", "S", "0.6"), holding("S", "P", "0.6")], "P"),
            ([holding("F", "G", "0.51"), holding("G", "H", "0.51"), holding("H", "P", "0.51")], "F"),
        ],
    )
    def test_follows_controlling_holders_upwards(self, holdings: list[Holding], expected: str) -> None:
        result = compute_ownership(parent="P", holdings=holdings)

        assert result.ultimate_parent == expected


def layered_group(*, size: int, seed: int) -> list[Holding]:
    """Layers four times as wide as the one above, ~3 holders each, and 1% small two-way cross-holdings."""
    rng = random.Random(seed)
    layers, start, width = [[0]], 1, 1
    while start < size:
        width = min(width * 4, size - start)
        layers.append(list(range(start, start + width)))
        start += width
    stakes: dict[tuple[int, int], int] = {}
    for depth in range(1, len(layers)):
        above = [e for layer in layers[:depth] for e in layer]
        for entity in layers[depth]:
            budget = 9_000
            for holder in {rng.choice(layers[depth - 1]), *rng.sample(above, min(2, len(above)))}:
                share = rng.randint(100, min(6_000, budget))
                stakes[(holder, entity)] = share
                budget -= share
                if budget < 200:
                    break
    held: dict[int, int] = {}
    for (_, investee), share in stakes.items():
        held[investee] = held.get(investee, 0) + share
    deep = [e for layer in layers[2:] for e in layer]
    for a in rng.sample(deep, size // 100):
        b = rng.choice(deep)
        for holder, investee in ((a, b), (b, a)):
            if holder != investee and (holder, investee) not in stakes and held.get(investee, 0) <= 9_500:
                stakes[(holder, investee)] = 300
                held[investee] = held.get(investee, 0) + 300
    return [
        Holding(f"E{h:05d}", f"E{i:05d}", Decimal(s).scaleb(-4), Decimal(s).scaleb(-4))
        for (h, i), s in stakes.items()
    ]


class TestLargeGroup:
    def test_three_thousand_entities_agree_with_a_sparse_float_solve(self) -> None:
        holdings = layered_group(size=3_000, seed=7)
        entities = sorted({h.holder for h in holdings} | {h.investee for h in holdings})
        index = {name: i for i, name in enumerate(entities)}
        rows = [index[h.holder] for h in holdings if h.investee != "E00000"]
        cols = [index[h.investee] for h in holdings if h.investee != "E00000"]
        data = [float(h.share) for h in holdings if h.investee != "E00000"]
        direct = sp.csc_array((data, (rows, cols)), shape=(len(entities), len(entities)))
        rhs = np.zeros(len(entities))
        rhs[index["E00000"]] = 1.0
        expected = spla.spsolve((sp.identity(len(entities), format="csc") - direct).T.tocsc(), rhs)

        result = compute_ownership(parent="E00000", holdings=holdings)

        assert len(result.cycles) > 5
        assert any(e.exact for e in result.entities[1:])
        assert not all(e.exact for e in result.entities)
        worst = max(abs(float(e.interest_share) - expected[index[e.entity]]) for e in result.entities)
        assert worst < 1e-9
        for e in result.entities:
            assert e.nci_share == e.nci_direct + e.nci_indirect
            assert e.nci_indirect >= 0
