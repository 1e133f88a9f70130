"""Aggregation (IFRS 10 B86(a)): the companies' translated books side by side, plus the posted journals.

The ledger keeps each company's own balances apart from the consolidation lines booked in it, so every step
can ask what a company shows (intercompany matching), what a subsidiary's NCI shares in (own balances plus
the lines whose `nci_entity` it is), and what the group shows (everything added up). The posted lines are
indexed by the entity they are booked in and by their `nci_entity` as they are posted, so asking about one
company of thousands reads that company's lines only.

Balances pooled before the engine (`pooling`) are kept as the group's per-account `pool` (in the group's
totals only) and each company's pooled income and expenses as one amount (in its P&L and its NCI's).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.journal import Posted
from app.consolidation.domain.numbers import ZERO, total

BalanceMap = dict[tuple[str, str | None], Fraction]


class Ledger:
    """Debit-positive, presentation-currency amounts of the consolidated companies and the journals."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.own: dict[str, BalanceMap] = {}
        self.posted: list[Posted] = []
        self._journals = 0
        self._booked_in: dict[str, list[Posted]] = {}
        self._sharing: dict[str, list[Posted]] = {}
        self.pool: dict[str, Fraction] = {}
        self.pooled_pnl: dict[str, Fraction] = {}

    def add_books(self, entity: str, balances: BalanceMap, *, pooled_pnl: Fraction = ZERO) -> None:
        self.own[entity] = dict(balances)
        if pooled_pnl:
            self.pooled_pnl[entity] = pooled_pnl

    def add_pool(self, natural: dict[str, Fraction], chart: Chart) -> None:
        """The pooled balances (natural sign by account), kept debit-positive."""
        for account, amount in natural.items():
            if amount:
                self.pool[account] = self.pool.get(account, ZERO) + chart.sign(account) * amount

    def next_journal_id(self) -> str:
        self._journals += 1
        return f"J{self._journals:04d}"

    def post(self, lines: Iterable[Posted]) -> None:
        for p in lines:
            self.posted.append(p)
            self._booked_in.setdefault(p.entity, []).append(p)
            if p.nci_entity is not None:
                self._sharing.setdefault(p.nci_entity, []).append(p)

    def booked_in(self, entity: str) -> list[Posted]:
        """The posted lines booked in `entity`, in posting order."""
        return self._booked_in.get(entity, [])

    def entity_balances(self, entity: str) -> BalanceMap:
        """What `entity` shows: its own balances and the lines booked in it, by (account, counterparty)."""
        result = dict(self.own.get(entity, {}))
        for p in self.booked_in(entity):
            key = (p.account, p.counterparty)
            result[key] = result.get(key, ZERO) + p.amount
        return result

    def account_totals(self) -> dict[str, Fraction]:
        """The group's amount per account: the pool, every company's own balances, every posted line."""
        amounts: dict[str, list[Fraction]] = {a: [v] for a, v in self.pool.items()}
        for balances in self.own.values():
            for (account, _), amount in balances.items():
                amounts.setdefault(account, []).append(amount)
        for p in self.posted:
            amounts.setdefault(p.account, []).append(p.amount)
        return {account: total(values) for account, values in amounts.items()}

    def nci_base(self, entity: str, *, exclude: frozenset[str]) -> tuple[dict[str, Fraction], Fraction]:
        """The equity a subsidiary's NCI shares in: by equity account, and the period's P&L (debit-positive).

        Its own balances plus every line whose `nci_entity` is the subsidiary, wherever booked; accounts in
        `exclude` (the NCI account itself) left out.
        """
        equity: dict[str, Fraction] = {}
        pnl = self.pooled_pnl.get(entity, ZERO)
        items = [(account, amount) for (account, _), amount in self.own.get(entity, {}).items()]
        items += [(p.account, p.amount) for p in self._sharing.get(entity, [])]
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
        own = total(a for (acc, _), a in self.own.get(entity, {}).items() if self.chart.is_pnl(acc))
        booked = total(p.amount for p in self.booked_in(entity) if self.chart.is_pnl(p.account))
        return own + booked + self.pooled_pnl.get(entity, ZERO)
