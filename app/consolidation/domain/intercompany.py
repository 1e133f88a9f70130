"""Intercompany eliminations (IFRS 10 B86(c); DOMAIN §2.3, §2.6), matched by counterparty tags.

Items in transit are fixed first by `GroupAdjustment`s (cash in transit: Dr cash, Cr receivable), so here
every pair of consolidated companies is compared as the books then stand:
- balances: A's asset and liability lines tagged B against B's tagged A; when they cancel (within the
  tolerance, the residue to the policy's difference account) every line is reversed, otherwise the pair is
  listed as a difference and left in the statements;
- revenue: A's sales tagged B against B's cost of sales tagged A; when the buyer did not tag its cost of
  sales, the sale is cancelled against the buyer's cost of sales (the goods went through its inventory;
  what is still held is the unrealised profit of `unrealized`);
- other income (interest, rent, fees) against the other side's tagged expenses, like balances;
- dividends: income tagged with a consolidated company in an `investment_income` account is a distribution
  of that company's reserves: moved from the holder's P&L to its retained earnings, so neither the group
  profit nor the holder's NCI counts it twice (the paying subsidiary's NCI bears its share through its
  reduced reserves, §2.6).
Intragroup balances with associates are not eliminated (§5.2). Amounts are in the presentation currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from app.consolidation.domain.aggregation import Ledger
from app.consolidation.domain.journal import Draft, Journal, journal
from app.consolidation.domain.numbers import ZERO, to_decimal, total
from app.consolidation.domain.results import IntercompanyDifference

_REVENUE = frozenset({"revenue", "other_revenue"})
_COST_OF_SALES = frozenset({"cost_of_sales", "other_cost_of_sales"})
_NOT_MATCHED = frozenset({"gain_on_disposal", "investment_income"})

Side = list[tuple[str, str, Fraction]]


@dataclass
class Matching:
    """The settings and the outcome of one run's matching."""

    ledger: Ledger
    members: Sequence[str]
    presentation: str
    tolerance: Fraction
    difference_account: str | None
    excluded: frozenset[str]
    journals: list[Journal] = field(default_factory=list)
    differences: list[IntercompanyDifference] = field(default_factory=list)
    _index: dict[tuple[str, str], dict[str, Fraction]] = field(default_factory=dict)
    _sides: dict[tuple[str, str], list[tuple[str, str, Fraction, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Index once what each member shows tagged with another (own balances plus the lines so far)."""
        members = set(self.members)

        def add(entity: str, account: str, counterparty: str | None, amount: Fraction) -> None:
            if counterparty in members and counterparty != entity and account not in self.excluded:
                by_account = self._index.setdefault((entity, counterparty), {})
                by_account[account] = by_account.get(account, ZERO) + amount

        for entity in self.members:
            for (account, counterparty), amount in self.ledger.own.get(entity, {}).items():
                add(entity, account, counterparty, amount)
        for p in self.ledger.posted:
            if p.entity in members:
                add(p.entity, p.account, p.counterparty, p.amount)
        type_of = self.ledger.chart.type_of
        for (entity, counterparty), by_account in self._index.items():
            self._sides[(entity, counterparty)] = [
                (entity, account, amount, type_of(account))
                for account, amount in sorted(by_account.items())
                if amount.numerator
            ]

    def pairs(self, *, ordered: bool) -> list[tuple[str, str]]:
        """The pairs of members with any tagged amount between them (both orders when `ordered`)."""
        keys = set(self._index)
        if ordered:
            return sorted(keys | {(b, a) for a, b in keys})
        return sorted({(min(a, b), max(a, b)) for a, b in keys})

    def tagged(self, entity: str, counterparty: str, types: frozenset[str]) -> Side:
        """`entity`'s non-zero amounts tagged `counterparty` on accounts of `types`, by account."""
        return [
            (e, account, amount)
            for e, account, amount, kind in self._sides.get((entity, counterparty), ())
            if kind in types
        ]

    def match(self, *, kind: str, reason: str, a: str, b: str, side_a: Side, side_b: Side) -> None:
        """Reverse both sides when they cancel within the tolerance, else list the pair."""
        if not side_a and not side_b:
            return
        total_a = total(x[2] for x in side_a)
        total_b = total(x[2] for x in side_b)
        residue = total_a + total_b
        if abs(residue) > self.tolerance or (residue != 0 and self.difference_account is None):
            self.differences.append(
                IntercompanyDifference(
                    kind, a, b, to_decimal(total_a), to_decimal(total_b), to_decimal(residue)
                )
            )
            return
        lines = [
            Draft(account, -amount, entity, counterparty=b if entity == a else a)
            for entity, account, amount in (*side_a, *side_b)
        ]
        if residue != 0 and self.difference_account is not None:
            lines.append(Draft(self.difference_account, residue, a))
        self.add(reason, f"{a}/{b}", lines)

    def add(self, reason: str, source: str, lines: list[Draft]) -> None:
        entry = journal(reason=reason, source=source, layer="ELIM", currency=self.presentation, lines=lines)
        if entry is not None:
            self.journals.append(entry)


def match_intercompany(matching: Matching) -> Matching:
    """Fill `matching.journals` and `matching.differences` (module docstring)."""
    chart = matching.ledger.chart
    balance_types = frozenset({"asset", "liability"})
    for a, b in matching.pairs(ordered=False):
        matching.match(
            kind="balance",
            reason="intragroup_balance",
            a=a,
            b=b,
            side_a=matching.tagged(a, b, balance_types),
            side_b=matching.tagged(b, a, balance_types),
        )
    for seller, buyer in matching.pairs(ordered=True):
        income = [
            x
            for x in matching.tagged(seller, buyer, frozenset({"income"}))
            if chart.role_of(x[1]) not in _NOT_MATCHED
        ]
        expense = matching.tagged(buyer, seller, frozenset({"expense"}))
        sales = [x for x in income if chart.role_of(x[1]) in _REVENUE]
        costs = [x for x in expense if chart.role_of(x[1]) in _COST_OF_SALES]
        if sales and not costs:
            lines = [Draft(account, -amount, entity, counterparty=buyer) for entity, account, amount in sales]
            lines.append(Draft(chart.role("cost_of_sales"), sum((x[2] for x in sales), ZERO), buyer))
            matching.add("intragroup_revenue", f"{seller}/{buyer}", lines)
        else:
            matching.match(
                kind="revenue", reason="intragroup_revenue", a=seller, b=buyer, side_a=sales, side_b=costs
            )
        others_in = [x for x in income if x not in sales]
        others_out = [x for x in expense if x not in costs]
        matching.match(
            kind="income", reason="intragroup_income", a=seller, b=buyer, side_a=others_in, side_b=others_out
        )
    _dividends(matching)
    return matching


def _dividends(matching: Matching) -> None:
    chart = matching.ledger.chart
    if not chart.has_role("investment_income"):
        return
    for holder, payer in matching.pairs(ordered=True):
        received = [
            x
            for x in matching.tagged(holder, payer, frozenset({"income"}))
            if chart.role_of(x[1]) == "investment_income"
        ]
        if not received:
            continue
        lines = [
            Draft(account, -amount, holder, holder, counterparty=payer) for _, account, amount in received
        ]
        lines.append(
            Draft(chart.role("retained_earnings"), sum((x[2] for x in received), ZERO), holder, holder)
        )
        matching.add("intragroup_dividend", f"{payer}/{holder}", lines)
