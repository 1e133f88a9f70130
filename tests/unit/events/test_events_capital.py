"""Stakes recomputed from capital amounts; classification; the reserve cascade."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.events.domain import (
    allocate_shares,
    capital_table,
    change_capital,
    classify,
    split_equity_change,
    transfer,
)
from tests.unit.events.events_helpers import hold


class TestClassify:
    def test_every_row_of_the_table(self) -> None:
        cases = {
            (None, "subsidiary"): "gain_of_control",
            ("associate", "subsidiary"): "gain_of_control",
            ("subsidiary", "subsidiary"): "equity_transaction",
            ("subsidiary", "associate"): "loss_of_control",
            ("subsidiary", None): "loss_of_control",
            ("associate", "joint_venture"): "within_significant_influence",
            ("investment", "associate"): "significant_influence_gained",
            ("associate", "investment"): "significant_influence_lost",
            (None, "investment"): "financial_asset",
        }

        result = {k: classify(method_before=k[0], method_after=k[1]) for k in cases}

        assert result == cases

    def test_no_movement_is_unchanged(self) -> None:
        assert classify(method_before="subsidiary", method_after="subsidiary", changed=False) == "unchanged"


class TestCapitalTable:
    def test_registered_capital_implied_by_the_stakes(self) -> None:
        table, violations = capital_table(
            investee="X",
            holdings=[hold("A", "X", "0.6", "600"), hold("B", "X", "0.1", "100")],
            registered_capital=None,
            loc=("body",),
        )

        assert violations == []
        assert table.registered == 1000
        assert table.outside_capital == 300

    def test_disagreeing_capital_amounts(self) -> None:
        _, violations = capital_table(
            investee="X",
            holdings=[hold("A", "X", "0.6", "600"), hold("B", "X", "0.1", "200")],
            registered_capital=None,
            loc=("body",),
        )

        assert [v.type for v in violations] == ["capital_amounts_disagree"]


class TestTransfer:
    def test_capital_moves_and_shares_follow(self) -> None:
        table, _ = capital_table(
            investee="X", holdings=[hold("A", "X", "0.6", "600")], registered_capital=None, loc=("body",)
        )

        changes, moved, violations = transfer(
            table=table, seller="A", buyer="B", capital_amount=Decimal(150), share_amount=None, loc=("body",)
        )

        assert violations == []
        assert moved == Fraction(3, 20)
        after = {c.holder: c.after for c in changes}
        assert after["A"] is not None
        assert after["A"].share == Decimal("0.45")
        assert after["A"].capital == 450
        assert after["B"] is not None
        assert after["B"].share == Decimal("0.15")
        assert after["B"].capital == 150

    def test_selling_more_than_held(self) -> None:
        table, _ = capital_table(
            investee="X", holdings=[hold("A", "X", "0.6")], registered_capital=None, loc=()
        )

        _, _, violations = transfer(
            table=table,
            seller="A",
            buyer="B",
            capital_amount=None,
            share_amount=Decimal("0.7"),
            loc=("body",),
        )

        assert [v.type for v in violations] == ["more_than_held"]

    def test_whole_holding_ends_the_stake(self) -> None:
        table, _ = capital_table(
            investee="X", holdings=[hold("A", "X", "0.6")], registered_capital=None, loc=()
        )

        changes, _, _ = transfer(
            table=table, seller="A", buyer=None, capital_amount=None, share_amount=Decimal("0.6"), loc=()
        )

        assert [(c.holder, c.after) for c in changes] == [("A", None)]


class TestCapitalChange:
    def test_dilution_of_those_who_do_not_subscribe(self) -> None:
        table, _ = capital_table(
            investee="X",
            holdings=[hold("A", "X", "0.6", "600"), hold("B", "X", "0.4", "400")],
            registered_capital=None,
            loc=(),
        )

        changes, violations = change_capital(table=table, changes={"B": Decimal(1000)}, loc=())

        assert violations == []
        after = {c.holder: c.after.share for c in changes if c.after is not None}
        assert after == {"A": Decimal("0.3"), "B": Decimal("0.7")}

    def test_withdrawing_more_than_held(self) -> None:
        table, _ = capital_table(
            investee="X", holdings=[hold("A", "X", "0.6", "600")], registered_capital=None, loc=()
        )

        _, violations = change_capital(table=table, changes={"A": Decimal(-700)}, loc=("body",))

        assert [v.type for v in violations] == ["more_than_held"]

    @settings(max_examples=60, deadline=None)
    @given(
        capitals=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=6),
        added=st.lists(st.integers(min_value=0, max_value=10**6), min_size=6, max_size=6),
        outside=st.integers(min_value=0, max_value=10**6),
    )
    def test_shares_never_exceed_one_and_capital_is_kept(
        self, capitals: list[int], added: list[int], outside: int
    ) -> None:
        total = sum(capitals) + outside
        holders = [
            hold(f"H{i}", "X", str(allocate_shares([Fraction(c, total)])[0]), str(c))
            for i, c in enumerate(capitals)
        ]
        table, _ = capital_table(investee="X", holdings=holders, registered_capital=Decimal(total), loc=())
        subscriptions = {f"H{i}": Decimal(a) for i, a in enumerate(added[: len(capitals)]) if a}

        changes, violations = change_capital(table=table, changes=subscriptions, loc=())

        assert violations == []
        after = {h.holder: h for h in holders}
        for c in changes:
            if c.after is not None:
                after[c.holder] = c.after
        assert sum(h.share for h in after.values()) <= 1
        assert sum(h.capital or 0 for h in after.values()) == sum(capitals) + sum(subscriptions.values())


class TestAllocateShares:
    @settings(max_examples=80, deadline=None)
    @given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8))
    def test_sum_never_above_the_exact_sum(self, weights: list[int]) -> None:
        total = sum(weights)

        shares = allocate_shares([Fraction(w, total) for w in weights])

        assert sum(shares) == 1
        assert all(
            abs(Fraction(s) - Fraction(w, total)) < Fraction(1, 10**12)
            for s, w in zip(shares, weights, strict=True)
        )


class TestReserveCascade:
    def test_credit_goes_to_capital_reserve(self) -> None:
        split = split_equity_change(
            change=Fraction(200), capital_reserve_available=Fraction(0), surplus_reserve_available=Fraction(0)
        )

        assert (split.capital_reserve, split.surplus_reserve, split.retained_earnings) == (
            Fraction(200),
            Fraction(0),
            Fraction(0),
        )

    def test_debit_runs_through_the_reserves(self) -> None:
        split = split_equity_change(
            change=Fraction(-1000),
            capital_reserve_available=Fraction(100),
            surplus_reserve_available=Fraction(800),
        )

        assert (split.capital_reserve, split.surplus_reserve, split.retained_earnings) == (
            Fraction(-100),
            Fraction(-800),
            Fraction(-100),
        )
