"""A merger's entries: the absorbed companies emptied, the survivor taking over, other companies re-tagged.

- each absorbed company's books are emptied on the merger date by one entry reversing every balance;
- the survivor's entry takes over what is carried (at carrying amounts, counterparty tags kept), cancels the
  balances and the investments between the parties, issues its new capital at par and puts the rest of the
  contributed capital taken over to the reserves;
- other companies' balances tagged with an absorbed company are re-tagged to the survivor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from app.events.domain.merger_model import ZERO, Key, MergerFacts, MergerTerms, by_key, is_pnl
from app.events.domain.model import PlannedEntry, PlannedLine, Violation, entry, frac, line, money
from app.events.domain.reserves import ReserveSplit, split_equity_change


@dataclass
class _TakenOver:
    """The absorbed companies' balances as the survivor's entry treats them."""

    carried: list[PlannedLine] = field(default_factory=list)
    own_lines: list[PlannedLine] = field(default_factory=list)
    contributed: Fraction = ZERO
    investments_cancelled: Fraction = ZERO
    intercompany: Fraction = ZERO
    assets_less_liabilities: Fraction = ZERO
    pnl_between: list[tuple[str, Key, Fraction]] = field(default_factory=list)


@dataclass(frozen=True)
class MergerBooks:
    entries: list[PlannedEntry]
    assets_less_liabilities_taken_over: Fraction
    contributed_capital_taken_over: Fraction
    investments_cancelled: Fraction
    new_capital_issued: Fraction
    capital_reserve_adjustment: Fraction
    split: ReserveSplit
    notes: list[str]
    violations: list[Violation]


def plan_books(
    *, terms: MergerTerms, facts: MergerFacts, survivor: str, parties: set[str], new_capital: Fraction
) -> MergerBooks:
    entries: list[PlannedEntry] = []
    violations: list[Violation] = []
    taken = _TakenOver()
    for absorbed in terms.absorbed:
        closing = _empty_books(facts, terms=terms, absorbed=absorbed, parties=parties, taken=taken)
        if closing is not None:
            entries.append(closing)
    _survivor_balances_between(facts, survivor=survivor, parties=parties, taken=taken)
    if taken.intercompany != 0:
        violations.append(
            Violation(
                ("body",),
                f"balances between the parties differ by {money(taken.intercompany)}: "
                "reconcile them before the merger",
                "intercompany_difference",
            )
        )
    notes = _pnl_between(taken, survivor=survivor)
    accounts = facts.accounts
    survivor_reserve, survivor_surplus = _reserves(facts, survivor)
    carried_surplus = sum(
        (frac(ln.credit - ln.debit) for ln in taken.carried if ln.account_code == accounts.surplus_reserve),
        ZERO,
    )
    difference = taken.contributed - taken.investments_cancelled - new_capital
    split = split_equity_change(
        change=difference,
        capital_reserve_available=survivor_reserve,
        surplus_reserve_available=survivor_surplus + carried_surplus,
    )
    takeover = entry(
        entity_id=survivor,
        entry_date=terms.on,
        description="Merger: assets, liabilities and balances of the absorbed companies taken over at their "
        "carrying amounts (common control)",
        lines=[
            *taken.carried,
            *taken.own_lines,
            line(accounts.share_capital, -new_capital),
            *split.lines(accounts),
        ],
    )
    if takeover is not None:
        entries.append(takeover)
    entries += _retagged(facts, terms=terms, survivor=survivor, parties=parties)
    return MergerBooks(
        entries=entries,
        assets_less_liabilities_taken_over=taken.assets_less_liabilities,
        contributed_capital_taken_over=taken.contributed,
        investments_cancelled=taken.investments_cancelled,
        new_capital_issued=new_capital,
        capital_reserve_adjustment=difference,
        split=split,
        notes=notes,
        violations=violations,
    )


def _empty_books(
    facts: MergerFacts, *, terms: MergerTerms, absorbed: str, parties: set[str], taken: _TakenOver
) -> PlannedEntry | None:
    """The entry reversing every balance of `absorbed`; each balance sorted into what the survivor does
    with it."""
    contributed = {facts.accounts.share_capital, facts.accounts.capital_reserve}
    investments = facts.accounts.investment_accounts()
    balances = sorted(facts.balances.get(absorbed, {}).items(), key=by_key)
    for (code, cp), amount in balances:
        if code in contributed:
            taken.contributed -= amount
        elif cp in parties and code in investments:
            taken.investments_cancelled += amount
        elif cp in parties and is_pnl(facts, code):
            taken.pnl_between.append((absorbed, (code, cp), amount))
        elif cp in parties:
            taken.intercompany += amount
        else:
            taken.carried.append(line(code, amount, counterparty=cp))
            if facts.account_types.get(code) in ("asset", "liability"):
                taken.assets_less_liabilities += amount
    return entry(
        entity_id=absorbed,
        entry_date=terms.on,
        description="Absorbed by merger: every balance passes to the surviving company",
        lines=[line(code, -amount, counterparty=cp) for (code, cp), amount in balances],
    )


def _survivor_balances_between(
    facts: MergerFacts, *, survivor: str, parties: set[str], taken: _TakenOver
) -> None:
    """The survivor's own balances with the other parties: investments and balances cancelled."""
    investments = facts.accounts.investment_accounts()
    for (code, cp), amount in sorted(facts.balances.get(survivor, {}).items(), key=by_key):
        if cp not in parties or cp == survivor:
            continue
        if code in investments:
            taken.investments_cancelled += amount
            taken.own_lines.append(line(code, -amount, counterparty=cp))
        elif is_pnl(facts, code):
            taken.pnl_between.append((survivor, (code, cp), amount))
        else:
            taken.intercompany += amount
            taken.own_lines.append(line(code, -amount, counterparty=cp))


def _pnl_between(taken: _TakenOver, *, survivor: str) -> list[str]:
    """Income and expense between the parties: cancelled when they net to zero, else carried untagged
    (and said so)."""
    pnl_net = sum((amount for _, _, amount in taken.pnl_between), ZERO)
    for owner, (code, cp), amount in taken.pnl_between:
        if pnl_net == 0:
            if owner == survivor:
                taken.own_lines.append(line(code, -amount, counterparty=cp))
        elif owner == survivor:
            taken.own_lines.append(line(code, -amount, counterparty=cp))
            taken.own_lines.append(line(code, amount))
        else:
            taken.carried.append(line(code, amount))
    if taken.pnl_between and pnl_net != 0:
        return [
            f"income and expense between the parties this year do not cancel ({money(pnl_net)}): "
            "carried without counterparty"
        ]
    return []


def _retagged(
    facts: MergerFacts, *, terms: MergerTerms, survivor: str, parties: set[str]
) -> list[PlannedEntry]:
    out = []
    for other in sorted(set(facts.balances) - parties):
        moves: list[PlannedLine] = []
        for (code, cp), amount in sorted(facts.balances[other].items(), key=by_key):
            if cp in terms.absorbed and not is_pnl(facts, code) and amount != 0:
                moves += [line(code, -amount, counterparty=cp), line(code, amount, counterparty=survivor)]
        made = entry(
            entity_id=other,
            entry_date=terms.on,
            description="Merger: balances with the absorbed company now held with the surviving company",
            lines=moves,
        )
        if made is not None:
            out.append(made)
    return out


def _reserves(facts: MergerFacts, entity: str) -> tuple[Fraction, Fraction]:
    balances = facts.balances.get(entity, {})
    reserve = -sum((v for (code, _), v in balances.items() if code == facts.accounts.capital_reserve), ZERO)
    surplus = -sum((v for (code, _), v in balances.items() if code == facts.accounts.surplus_reserve), ZERO)
    return reserve, surplus
