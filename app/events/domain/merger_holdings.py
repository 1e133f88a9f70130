"""A merger's holdings: what ends, what passes to the survivor, and the survivor's capital after the issue.

- every holding of or in an absorbed company ends;
- the absorbed companies' holdings in other companies pass to the survivor, added to its own;
- the absorbed companies' other shareholders receive registered capital of the survivor by the exchange
  ratio, and every holding in the survivor is recomputed from the capital amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from app.events.domain.capital import CapitalTable, capital_table
from app.events.domain.merger_model import ABSORPTION, ZERO, MergerFacts, MergerTerms
from app.events.domain.model import HoldingState, StakeChange, Violation, allocate_shares, frac, money, share


@dataclass
class MergerHoldings:
    """The holdings step's outcome; `kept` and `new` together are the holdings after the merger."""

    ended: list[HoldingState]
    kept: list[HoldingState]
    stake_changes: list[StakeChange]
    #: investee -> the absorbed companies' holdings in it, passing to the survivor
    passed: dict[str, list[HoldingState]] = field(default_factory=dict)
    new: list[HoldingState] = field(default_factory=list)
    #: registered capital of the survivor issued to the absorbed companies' other shareholders, in all
    new_capital: Fraction = ZERO
    violations: list[Violation] = field(default_factory=list)

    @property
    def after(self) -> list[HoldingState]:
        return self.kept + self.new

    def replace(self, old: HoldingState | None, after: HoldingState) -> None:
        if old is not None:
            self.kept.remove(old)
        self.new.append(after)


def plan_holdings(
    *, terms: MergerTerms, facts: MergerFacts, survivor: str, parties: set[str]
) -> MergerHoldings:
    ended = [h for h in facts.holdings if h.holder in terms.absorbed or h.investee in terms.absorbed]
    out = MergerHoldings(
        ended=ended,
        kept=[h for h in facts.holdings if h not in ended],
        stake_changes=[StakeChange(h.holder, h.investee, h, None) for h in ended],
    )
    _pass_to_survivor(out, terms=terms, survivor=survivor, parties=parties)
    issued = _issued_to_outside_holders(out, terms=terms, facts=facts, parties=parties)
    out.new_capital = sum(issued.values(), ZERO)
    if out.new_capital > 0:
        _recompute_survivor_holders(out, terms=terms, survivor=survivor, issued=issued)
    return out


def _pass_to_survivor(out: MergerHoldings, *, terms: MergerTerms, survivor: str, parties: set[str]) -> None:
    for h in out.ended:
        if h.holder in terms.absorbed and h.investee not in parties:
            out.passed.setdefault(h.investee, []).append(h)
    for investee in sorted(out.passed):
        own = next((h for h in out.kept if h.holder == survivor and h.investee == investee), None)
        parts = out.passed[investee] + ([own] if own else [])
        capitals = [h.capital for h in parts]
        after = HoldingState(
            holder=survivor,
            investee=investee,
            share=sum((h.share for h in parts), Decimal(0)),
            voting_share=sum((h.voting_share for h in parts), Decimal(0)),
            capital=sum((c for c in capitals if c is not None), Decimal(0))
            if all(c is not None for c in capitals)
            else None,
        )
        out.stake_changes.append(StakeChange(survivor, investee, own, after))
        out.replace(own, after)


def _issued_to_outside_holders(
    out: MergerHoldings, *, terms: MergerTerms, facts: MergerFacts, parties: set[str]
) -> dict[str, Fraction]:
    """Survivor capital per holder outside the parties: its capital in each absorbed company times that
    company's exchange ratio."""
    issued: dict[str, Fraction] = {}
    for absorbed in terms.absorbed:
        outside = [h for h in out.ended if h.investee == absorbed and h.holder not in parties]
        table, found = capital_table(
            investee=absorbed,
            holdings=[h for h in facts.holdings if h.investee == absorbed],
            registered_capital=terms.registered_capitals.get(absorbed),
            loc=("body", "registered_capitals", absorbed),
        )
        out.violations += found
        if not outside and (table.registered is None or table.outside_capital == 0):
            continue
        ratio = terms.exchange_ratios.get(absorbed)
        if ratio is None or ratio <= 0:
            out.violations.append(
                Violation(
                    ("body", "exchange_ratios", absorbed),
                    "the exchange ratio (survivor capital per unit of the absorbed company's capital) "
                    "is missing",
                    "exchange_ratio_missing",
                )
            )
            continue
        if table.registered is None:
            out.violations.append(
                Violation(
                    ("body", "registered_capitals", absorbed),
                    "the absorbed company's registered capital is unknown",
                    "registered_capital_unknown",
                )
            )
            continue
        for h in outside:
            issued[h.holder] = issued.get(h.holder, ZERO) + table.capital_of(h.holder) * frac(ratio)
    return issued


def _recompute_survivor_holders(
    out: MergerHoldings, *, terms: MergerTerms, survivor: str, issued: dict[str, Fraction]
) -> None:
    """Every holding in the survivor from the capital amounts after the issue (a new company: the issue
    is all its capital)."""
    survivor_holders = [h for h in out.kept if h.investee == survivor]
    survivor_table: CapitalTable | None = None
    registered: Fraction | None = ZERO
    if terms.kind == ABSORPTION:
        survivor_table, found = capital_table(
            investee=survivor,
            holdings=survivor_holders,
            registered_capital=terms.registered_capitals.get(survivor),
            loc=("body", "registered_capitals", survivor),
        )
        out.violations += found
        registered = survivor_table.registered
        if registered is None:
            out.violations.append(
                Violation(
                    ("body", "registered_capitals", survivor),
                    "the survivor's registered capital is unknown",
                    "registered_capital_unknown",
                )
            )
    if registered is None:
        return
    new_capital = out.new_capital
    total = registered + new_capital
    names = sorted({h.holder for h in survivor_holders} | set(issued))
    held = {
        name: (survivor_table.capital_of(name) if survivor_table is not None else ZERO)
        + issued.get(name, ZERO)
        for name in names
    }
    unrecorded = total - sum(held.values(), ZERO)
    portions = [held[n] / total for n in names] + ([unrecorded / total] if unrecorded > 0 else [])
    shares = dict(zip(names, allocate_shares(portions)[: len(names)], strict=True))
    for name in names:
        old = next((h for h in survivor_holders if h.holder == name), None)
        votes = (
            shares[name]
            if old is None or old.voting_share == old.share
            else share((frac(old.voting_share) * (total - new_capital) + issued.get(name, ZERO)) / total)
        )
        after = HoldingState(
            holder=name, investee=survivor, share=shares[name], voting_share=votes, capital=money(held[name])
        )
        if after != old:
            out.stake_changes.append(StakeChange(name, survivor, old, after))
            out.replace(old, after)
