"""Pooled balances: companies' plain balances summed per account before the engine (`EntityBooks.pooled`).

A large group's books are mostly balances that only the group's statements need account by account: a
company's cash, receivables from outsiders, sales to outsiders. The rules need of them per company only
what its books total by account type (that they balance, the profit its NCI shares in). So the loader may
give such balances to the engine summed over the companies, per account (`pooled_balances`), and each
company's share of them as totals by type (`EntityBooks.pooled`); everything else a company shows (equity,
every balance tagged with a counterparty) stays in its own `balances`. The statements are the same either
way: pooling only moves the sum over companies ahead of the engine.

These checks make sure the two views agree and that a company pools only what needs nothing else: its
currency is the presentation currency (nothing to translate) and, when it was acquired during the period,
it pools no income or expense (its results before the acquisition are removed account by account).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.errors import Violation
from app.consolidation.domain.events import Acquisition
from app.consolidation.domain.inputs import POOLABLE_TYPES, EntityBooks
from app.consolidation.domain.numbers import ZERO, exact, to_decimal

_PNL = frozenset({"income", "expense"})
_DEBIT_TYPES = frozenset({"asset", "expense"})


def pooled_debit(books: EntityBooks) -> Fraction:
    """The company's pooled totals debit-positive (assets and expenses as they are, the others turned)."""
    return sum((exact(v) if kind in _DEBIT_TYPES else -exact(v) for kind, v in books.pooled.items()), ZERO)


def pooled_pnl(books: EntityBooks) -> Fraction:
    """Its pooled income and expenses, debit-positive (expenses less income)."""
    return exact(books.pooled.get("expense", ZERO)) - exact(books.pooled.get("income", ZERO))


def check_pooled(
    *,
    chart: Chart,
    presentation: str,
    period_start: date,
    books: Sequence[EntityBooks],
    members: set[str],
    acquisitions: Sequence[Acquisition],
    pooled_balances: Mapping[str, Decimal],
    out: list[Violation],
) -> None:
    """Append a violation for every way the pooled view is unusable (module docstring)."""
    for account in sorted(pooled_balances):
        if account not in chart:
            out.append(
                Violation("unknown-account", f"pooled: account {account} is not in the chart", account)
            )
        elif chart.type_of(account) not in POOLABLE_TYPES:
            out.append(Violation("pooled-books", f"pooled: {account} is an equity account", account))
    pooling = [b for b in books if b.pooled and b.entity in members]
    for b in pooling:
        for kind in sorted(set(b.pooled) - POOLABLE_TYPES):
            out.append(Violation("pooled-books", f"{b.entity}: pools {kind} balances", b.entity))
        if b.currency != presentation:
            out.append(
                Violation("pooled-books", f"{b.entity}: books in {b.currency} cannot be pooled", b.entity)
            )
    pools_pnl = {b.entity for b in pooling if any(b.pooled.get(k) for k in _PNL)}
    for acq in acquisitions:
        if acq.acquiree in pools_pnl and acq.acquired_on > period_start:
            out.append(
                Violation(
                    "pooled-books",
                    f"{acq.acquiree}: acquired during the period ({acq.id}), its results cannot be pooled",
                    acq.acquiree,
                )
            )
    by_type: dict[str, Fraction] = {}
    for account, amount in pooled_balances.items():
        if account in chart:
            kind = chart.type_of(account)
            by_type[kind] = by_type.get(kind, ZERO) + exact(amount)
    of_companies: dict[str, Fraction] = {}
    for b in pooling:
        for kind, amount in b.pooled.items():
            of_companies[kind] = of_companies.get(kind, ZERO) + exact(amount)
    for kind in sorted({*by_type, *of_companies}):
        accounts, companies = by_type.get(kind, ZERO), of_companies.get(kind, ZERO)
        if accounts != companies:
            out.append(
                Violation(
                    "pooled-books",
                    f"pooled {kind} balances total {to_decimal(accounts)} by account but "
                    f"{to_decimal(companies)} by company",
                )
            )
