"""Invariants of any consolidation (DOMAIN Part 1 "Consolidation runs"), checked on generated groups.

- the consolidated balance sheet balances: assets = liabilities + equity (NCI included);
- the elimination journal nets to zero, and so does each of its journals;
- equity attributable to the parent + NCI = total equity;
- a wholly owned group with no intercompany items consolidates to the plain sum of its companies.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.consolidation.domain import (
    Acquisition,
    ConsolidationResult,
    EntityBooks,
    FxRate,
    Impairment,
    ScopeEntry,
    UnrealizedProfit,
    consolidate,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    ADMIN_EXPENSE,
    CASH,
    INVENTORY,
    INVESTMENT_IN_SUBSIDIARIES,
    PAYABLE,
    RECEIVABLE,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    parent_entry,
)

AS_OF, START, ACQUIRED = date(2020, 12, 31), date(2020, 1, 1), date(2019, 1, 1)
RATE_KEYS = (
    ("closing", AS_OF),
    ("average", AS_OF),
    ("historical", ACQUIRED),
    ("closing", date(2019, 12, 31)),
)
money = st.integers(min_value=0, max_value=5000).map(Decimal)
shares = st.integers(min_value=51, max_value=100).map(lambda n: Decimal(n) / 100)
rates_ = st.integers(min_value=1, max_value=400).map(lambda n: Decimal(n) / 100)


@st.composite
def groups(draw: st.DrawFn, *, wholly_owned: bool = False, foreign: bool = False) -> dict[str, object]:
    """A parent and 1-3 subsidiaries, each held by the parent or an earlier subsidiary; with `foreign` the
    last subsidiary keeps its books in FX (random rates, random historical equity)."""
    count = draw(st.integers(min_value=1, max_value=3))
    names = ["P"] + [f"S{i}" for i in range(1, count + 1)]
    interest = {"P": Decimal(1)}
    amounts: dict[str, dict[tuple[str, str | None], Decimal]] = {n: defaultdict(Decimal) for n in names}
    acquisitions, scope = [], [parent_entry("P")]
    for i, name in enumerate(names[1:], start=1):
        holder = "P" if wholly_owned else draw(st.sampled_from(names[:i]))
        share = Decimal(1) if wholly_owned else draw(shares)
        interest[name] = interest[holder] * share
        capital = draw(money)
        at_acquisition = Decimal(0) if wholly_owned else draw(st.integers(-200, 500).map(Decimal))
        cost = share * capital if wholly_owned else draw(money)
        method = "proportionate" if wholly_owned else draw(st.sampled_from(["proportionate", "fair_value"]))
        impairments = () if wholly_owned else (Impairment(AS_OF, draw(st.integers(0, 50).map(Decimal))),)
        acquisitions.append(
            Acquisition(
                id=f"A{i}",
                acquirer=holder,
                acquiree=name,
                acquired_on=ACQUIRED,
                share=share,
                consideration=cost,
                equity_at_acquisition={SHARE_CAPITAL: capital, RETAINED_EARNINGS: at_acquisition},
                nci_measurement=method,
                nci_fair_value=draw(money) if method == "fair_value" else None,
                goodwill_impairments=impairments,
            )
        )
        amounts[holder][(INVESTMENT_IN_SUBSIDIARIES, name)] += cost
        amounts[name][(SHARE_CAPITAL, None)] += capital
        scope.append(ScopeEntry(name, "subsidiary", interest[name], share))
    for name in names:
        for account in (CASH, INVENTORY, PAYABLE, REVENUE, ADMIN_EXPENSE):
            amounts[name][(account, None)] += draw(money)
    records = []
    if not wholly_owned:
        for _ in range(draw(st.integers(0, 3))):
            a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            if a == b:
                continue
            amount = draw(money)
            amounts[a][(RECEIVABLE, b)] += amount
            amounts[b][(PAYABLE, a)] += amount
            amounts[a][(REVENUE, b)] += amount
            records.append(
                UnrealizedProfit(f"U{len(records)}", AS_OF, a, b, amount, markup_on_cost=Decimal("0.25"))
            )
    books, rates = [], []
    for name in names:
        balances = amounts[name]
        signed = sum(
            (v if account[0] in "16" and account != REVENUE else -v) for (account, _), v in balances.items()
        )
        balances[(RETAINED_EARNINGS, None)] += signed
        if foreign and name == names[-1]:
            historical = {
                a: draw(rates_) * v
                for (a, _), v in balances.items()
                if a in (SHARE_CAPITAL, RETAINED_EARNINGS)
            }
            books.append(
                EntityBooks(
                    name, "FX", dict(balances), equity_at_historical=historical, opening_cta=draw(money)
                )
            )
            rates = [FxRate("FX", kind, on, draw(rates_)) for kind, on in RATE_KEYS]
        else:
            books.append(EntityBooks(name, "CNY", dict(balances)))
    return {"books": books, "scope": scope, "acquisitions": acquisitions, "records": records, "rates": rates}


def _run(group: dict[str, object]) -> ConsolidationResult:
    return consolidate(
        parent="P",
        as_of=AS_OF,
        period_start=START,
        presentation_currency="CNY",
        accounts=ACCOUNTS,
        books=group["books"],
        scope=group["scope"],
        acquisitions=group["acquisitions"],  # type: ignore[arg-type]
        unrealized_profits=group["records"],  # type: ignore[arg-type]
        fx_rates=group["rates"],  # type: ignore[arg-type]
    )


class TestInvariants:
    @settings(max_examples=60, deadline=None)
    @given(st.booleans().flatmap(lambda foreign: groups(foreign=foreign)))
    def test_balance_sheet_balances(self, group):
        result = _run(group)

        f = result.figures
        assert f.total_assets == f.total_liabilities + f.total_equity

    @settings(max_examples=60, deadline=None)
    @given(st.booleans().flatmap(lambda foreign: groups(foreign=foreign)))
    def test_elimination_journal_nets_to_zero_journal_by_journal(self, group):
        result = _run(group)

        by_journal: dict[str, Decimal] = defaultdict(Decimal)
        for line in result.eliminations:
            by_journal[line.journal] += line.debit - line.credit
        assert sum(line.debit for line in result.eliminations) == sum(
            line.credit for line in result.eliminations
        )
        assert all(total == 0 for total in by_journal.values())

    @settings(max_examples=60, deadline=None)
    @given(st.booleans().flatmap(lambda foreign: groups(foreign=foreign)))
    def test_parent_and_nci_make_up_total_equity(self, group):
        result = _run(group)

        f = result.figures
        assert f.equity_attributable_to_parent + f.non_controlling_interest == f.total_equity
        assert f.profit_attributable_to_parent + f.profit_attributable_to_nci == f.profit_for_period
        assert sum(w.non_controlling_interest for w in result.subsidiaries) == f.non_controlling_interest

    @settings(max_examples=60, deadline=None)
    @given(groups(wholly_owned=True))
    def test_wholly_owned_group_is_the_sum_of_its_companies(self, group):
        books: list[EntityBooks] = group["books"]  # type: ignore[assignment]

        result = _run(group)

        def total(account: str) -> Decimal:
            return sum((v for b in books for (a, _), v in b.balances.items() if a == account), Decimal(0))

        f = result.figures
        assert result.line(CASH) == total(CASH)
        assert result.line(INVENTORY) == total(INVENTORY)
        assert f.total_assets == total(CASH) + total(INVENTORY)
        assert f.total_liabilities == total(PAYABLE)
        assert f.profit_for_period == total(REVENUE) - total(ADMIN_EXPENSE)
        assert f.retained_earnings == total(RETAINED_EARNINGS) + f.profit_for_period
        assert result.line(SHARE_CAPITAL) == books[0].balances.get((SHARE_CAPITAL, None), Decimal(0))
        assert (f.goodwill, f.non_controlling_interest) == (0, 0)
        assert {line.reason for line in result.eliminations} <= {"investment_elimination"}
