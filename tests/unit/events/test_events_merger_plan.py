"""Absorption and new-establishment mergers planned by the pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.events.domain import (
    ABSORPTION,
    NEW_ENTITY,
    NEW_ESTABLISHMENT,
    EventPlan,
    MergerFacts,
    MergerTerms,
    NewEntity,
    PartyFacts,
    plan_merger,
)
from tests.unit.events.events_helpers import ACCOUNTS, hold

ON = date(2025, 7, 1)
TYPES = {
    "1002": "asset",
    "1122": "asset",
    "151101": "asset",
    "151102": "asset",
    "1601": "asset",
    "1602": "asset",
    "2202": "liability",
    "4001": "equity",
    "4002": "equity",
    "4101": "equity",
    "4104": "equity",
    "6001": "income",
    "6401": "expense",
}


def _b(values: dict[tuple[str, str | None], int]) -> dict[tuple[str, str | None], Fraction]:
    return {k: Fraction(v) for k, v in values.items()}


def facts(*, closed: frozenset[str] = frozenset(), payable: int = -50) -> MergerFacts:
    companies = ["P", "S", "A", "T"]
    parties = {c: PartyFacts(id=c, code=c, kind="company", exists=True) for c in companies}
    parties["E"] = PartyFacts(id="E", code="E", kind="external", exists=True)
    return MergerFacts(
        parent="P",
        holdings=(
            hold("P", "S", "1", "1000"),
            hold("P", "A", "1", "500"),
            hold("A", "T", "0.3", "300"),
            hold("S", "T", "0.2", "200"),
            hold("E", "T", "0.5", "500"),
        ),
        parties=parties,
        accounts=ACCOUNTS,
        account_types=TYPES,
        balances={
            "A": _b(
                {
                    ("1002", None): 100,
                    ("1601", None): 800,
                    ("1602", None): -200,
                    ("151102", "T"): 300,
                    ("2202", "S"): payable,
                    ("4001", None): -500,
                    ("4104", None): -400,
                    ("6001", None): -100,
                    ("6401", None): 50 - 50 - payable,
                }
            ),
            "S": _b(
                {
                    ("1002", None): 900,
                    ("1122", "A"): 50,
                    ("151102", "T"): 200,
                    ("4001", None): -1000,
                    ("4104", None): -150,
                }
            ),
            "P": _b({("151101", "S"): 1000, ("151101", "A"): 500, ("4001", None): -1500}),
        },
        assets={"A": (("asset-1", "PRESS-01"),)},
        closed=closed,
    )


def absorb(f: MergerFacts, *, survivor: str = "S", absorbed: tuple[str, ...] = ("A",)) -> EventPlan:
    return plan_merger(
        terms=MergerTerms(
            kind=ABSORPTION, survivor=survivor, absorbed=absorbed, on=ON, exchange_ratios={"A": Decimal(1)}
        ),
        facts=f,
    )


def nets(plan: EventPlan, entity: str) -> dict[tuple[str, str | None], Decimal]:
    out: dict[tuple[str, str | None], Decimal] = {}
    for e in plan.entries_of(entity):
        for ln in e.lines:
            key = (ln.account_code, ln.counterparty_entity_id)
            out[key] = out.get(key, Decimal(0)) + ln.net
    return {k: v for k, v in out.items() if v}


class TestAbsorption:
    def test_absorbed_books_are_emptied(self) -> None:
        f = facts()

        plan = absorb(f)

        assert plan.ok, plan.violations
        emptied = {k: v + Decimal(f.balances["A"][k].numerator) for k, v in nets(plan, "A").items()}
        assert all(v == 0 for v in emptied.values())
        assert all(e.balanced for e in plan.entries)

    def test_survivor_takes_over_and_intercompany_cancels(self) -> None:
        plan = absorb(facts())

        taken = nets(plan, "S")

        assert taken == {
            ("1002", None): Decimal("100.0000"),
            ("1601", None): Decimal("800.0000"),
            ("1602", None): Decimal("-200.0000"),
            ("151102", "T"): Decimal("300.0000"),
            ("1122", "A"): Decimal("-50.0000"),
            ("4104", None): Decimal("-400.0000"),
            ("6001", None): Decimal("-100.0000"),
            ("6401", None): Decimal("50.0000"),
            ("4001", None): Decimal("-500.0000"),
        }
        assert plan.figure("capital_reserve_adjustment") == 0
        assert plan.figure("new_capital_issued") == Decimal("500.0000")

    def test_parent_investment_retagged(self) -> None:
        plan = absorb(facts())

        assert nets(plan, "P") == {
            ("151101", "A"): Decimal("-500.0000"),
            ("151101", "S"): Decimal("500.0000"),
        }

    def test_holdings_pass_and_shares_are_issued(self) -> None:
        plan = absorb(facts())

        after = {(h.holder, h.investee): (h.share, h.capital) for h in plan.holdings_after}

        assert after[("S", "T")] == (Decimal("0.5"), Decimal("500"))
        assert after[("P", "S")] == (Decimal("1.000000000000"), Decimal("1500.0000"))
        assert ("A", "T") not in after
        assert ("P", "A") not in after
        assert sum(s for (_, i), (s, _) in after.items() if i == "T") == 1
        assert [(c.kind, c.entity_id, c.into_id) for c in plan.entity_changes] == [("merged", "A", "S")]
        assert [(r.asset_id, r.to_entity_id) for r in plan.asset_rehomings] == [("asset-1", "S")]

    def test_every_violation_at_once(self) -> None:
        plan = absorb(facts(closed=frozenset({"S", "P"}), payable=-40), survivor="A", absorbed=("A",))

        types = sorted(v.type for v in plan.violations)

        assert "self_merge" in types
        assert types.count("period_closed") == 2

    def test_intercompany_difference_is_refused(self) -> None:
        plan = absorb(facts(payable=-40))

        assert [v.type for v in plan.violations] == ["intercompany_difference"]


class TestNewEstablishment:
    def test_both_into_a_new_company(self) -> None:
        plan = plan_merger(
            terms=MergerTerms(
                kind=NEW_ESTABLISHMENT,
                survivor=None,
                absorbed=("S", "A"),
                on=ON,
                exchange_ratios={"S": Decimal(1), "A": Decimal(1)},
                new_entity=NewEntity(code="N", name="New Co", functional_currency="CNY"),
            ),
            facts=facts(),
        )

        assert plan.ok, plan.violations
        assert [c.kind for c in plan.entity_changes] == ["created", "merged", "merged"]
        after = {(h.holder, h.investee): h.share for h in plan.holdings_after}
        assert after[("P", NEW_ENTITY)] == 1
        assert after[(NEW_ENTITY, "T")] == Decimal("0.5")
        taken = nets(plan, NEW_ENTITY)
        assert ("1122", "A") not in taken
        assert ("2202", "S") not in taken
        assert taken[("4001", None)] == Decimal("-1500.0000")
        assert sum(taken.values()) == 0


Key = tuple[str, str | None]


def _with(f: MergerFacts, entity: str, changes: dict[Key, int]) -> MergerFacts:
    """`f` with some of `entity`'s balances set."""
    balances = {k: dict(v) for k, v in f.balances.items()}
    balances[entity].update({key: Fraction(amount) for key, amount in changes.items()})
    return replace(f, balances=balances)


class TestBetweenTheParties:
    def test_income_and_expense_that_cancel_are_dropped(self) -> None:
        f = _with(
            _with(facts(), "A", {("6001", "S"): -30, ("1002", None): 130}),
            "S",
            {("6401", "A"): 30, ("1002", None): 870},
        )

        plan = absorb(f)

        assert plan.ok, plan.violations
        assert plan.notes == ()
        taken = nets(plan, "S")
        assert taken[("6401", "A")] == Decimal("-30.0000")
        assert ("6001", "S") not in taken
        assert taken[("6001", None)] == Decimal("-100.0000")
        assert all(e.balanced for e in plan.entries)

    def test_income_and_expense_that_do_not_cancel_are_carried_untagged(self) -> None:
        f = _with(
            _with(facts(), "A", {("6001", "S"): -30, ("1002", None): 130}),
            "S",
            {("6401", "A"): 20, ("1002", None): 880},
        )

        plan = absorb(f)

        assert plan.ok, plan.violations
        assert len(plan.notes) == 1
        assert plan.notes[0].startswith("income and expense between the parties this year do not cancel")
        taken = nets(plan, "S")
        assert taken[("6401", "A")] == Decimal("-20.0000")
        assert taken[("6401", None)] == Decimal("70.0000")
        assert taken[("6001", None)] == Decimal("-130.0000")
        assert all(e.balanced for e in plan.entries)

    def test_an_investment_between_the_parties_is_cancelled_against_contributed_capital(self) -> None:
        f = _with(facts(), "A", {("151102", "S"): 200, ("1002", None): -100})

        plan = absorb(f)

        assert plan.ok, plan.violations
        assert plan.figure("investments_cancelled") == Decimal("200.0000")
        assert plan.figure("contributed_capital_taken_over") == Decimal("500.0000")
        assert plan.figure("capital_reserve_adjustment") == Decimal("-200.0000")
        assert ("151102", "S") not in nets(plan, "S")
        assert all(e.balanced for e in plan.entries)


class TestCapitalUnknown:
    def test_survivor_registered_capital_unknown(self) -> None:
        f = facts()
        holdings = tuple(
            hold("P", "S", "1") if (h.holder, h.investee) == ("P", "S") else h for h in f.holdings
        )

        plan = absorb(replace(f, holdings=holdings))

        assert [(v.type, v.loc) for v in plan.violations] == [
            ("registered_capital_unknown", ("body", "registered_capitals", "S"))
        ]

    def test_exchange_ratio_missing(self) -> None:
        plan = plan_merger(
            terms=MergerTerms(kind=ABSORPTION, survivor="S", absorbed=("A",), on=ON, exchange_ratios={}),
            facts=facts(),
        )

        assert [(v.type, v.loc) for v in plan.violations] == [
            ("exchange_ratio_missing", ("body", "exchange_ratios", "A"))
        ]
