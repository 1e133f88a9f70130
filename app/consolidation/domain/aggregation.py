"""Aggregation (IFRS 10 B86(a)): the companies' translated books side by side, plus the posted journals.

The ledger keeps each company's own balances apart from the consolidation lines booked in it, so every step
can ask what a company shows (intercompany matching), what a subsidiary's NCI shares in (own balances plus
the lines whose `nci_entity` it is), and what the group shows (everything added up).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.journal import Posted
from app.consolidation.domain.numbers import ZERO

BalanceMap = dict[tuple[str, str | None], Fraction]


class Ledger:
    """Debit-positive, presentation-currency amounts of the consolidated companies and the journals."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.own: dict[str, BalanceMap] = {}
        self.posted: list[Posted] = []
        self._journals = 0

    def add_books(self, entity: str, balances: BalanceMap) -> None:
        self.own[entity] = dict(balances)

    def next_journal_id(self) -> str:
        self._journals += 1
        return f"J{self._journals:04d}"

    def post(self, lines: Iterable[Posted]) -> None:
        self.posted.extend(lines)

    def entity_balances(self, entity: str) -> BalanceMap:
        """What `entity` shows: its own balances and the lines booked in it, by (account, counterparty)."""
        result = dict(self.own.get(entity, {}))
        for p in self.posted:
            if p.entity == entity:
                key = (p.account, p.counterparty)
                result[key] = result.get(key, ZERO) + p.amount
        return result

    def account_totals(self) -> dict[str, Fraction]:
        """The group's amount per account: every company's own balances plus every posted line."""
        totals: dict[str, Fraction] = {}
        for balances in self.own.values():
            for (account, _), amount in balances.items():
                totals[account] = totals.get(account, ZERO) + amount
        for p in self.posted:
            totals[p.account] = totals.get(p.account, ZERO) + p.amount
        return totals

    def nci_base(self, entity: str, *, exclude: frozenset[str]) -> tuple[dict[str, Fraction], Fraction]:
        """The equity a subsidiary's NCI shares in: by equity account, and the period's P&L (debit-positive).

        Its own balances plus every line whose `nci_entity` is the subsidiary, wherever booked; accounts in
        `exclude` (the NCI account itself) left out.
        """
        equity: dict[str, Fraction] = {}
        pnl = ZERO
        items = [(account, amount) for (account, _), amount in self.own.get(entity, {}).items()]
        items += [(p.account, p.amount) for p in self.posted if p.nci_entity == entity]
        for account, amount in items:
            if account in exclude:
                continue
            kind = self.chart.type_of(account)
            if kind == "equity":
                equity[account] = equity.get(account, ZERO) + amount
            elif kind in ("income", "expense"):
                pnl += amount
        return equity, pnl

    def entity_pnl(self, entity: str) -> Fraction:
        """Debit-positive P&L of `entity`: own income and expenses plus P&L lines booked in it."""
        own = sum((a for (acc, _), a in self.own.get(entity, {}).items() if self.chart.is_pnl(acc)), ZERO)
        booked = sum(
            (p.amount for p in self.posted if p.entity == entity and self.chart.is_pnl(p.account)), ZERO
        )
        return own + booked
