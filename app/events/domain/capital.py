"""Stakes recomputed from registered capital: share transfers, capital increases and reductions.

A company's registered capital (注册资本) is divided among its shareholders by the capital each subscribed
(认缴); a holder's share is its capital over the total. The register keeps the subscribed capital on each
stake where it is known, so the total is capital / share of any such stake (they must agree). Holders the
register does not name (outside shareholders) hold the rest of the capital.

- A share transfer moves capital (or, where no capital amounts are known, a share) from one holder to another:
  the total does not change, nobody else's share moves.
- A capital increase adds subscribed capital: the total grows, every holder's share is recomputed (those who
  do not subscribe are diluted). A reduction withdraws capital: the total shrinks, the others' shares grow.
- Votes follow capital: a holder whose votes differ from its capital share keeps the same proportion of its
  existing votes (scaled by old total / new total) and gets one vote share per capital share it adds.

Shares are rounded to the register's 12 places so that an investee's holdings never sum above 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.events.domain.model import (
    ZERO,
    HoldingState,
    StakeChange,
    Violation,
    allocate_shares,
    frac,
    money,
    share,
)

#: Relative tolerance when the stakes' capital / share imply the registered capital (12-place shares).
_AGREEMENT = Fraction(1, 10**8)


@dataclass(frozen=True)
class CapitalTable:
    """The recorded holders of one investee on a date and, when known, its registered capital."""

    investee: str
    holders: Mapping[str, HoldingState]
    registered: Fraction | None

    @property
    def recorded_share(self) -> Fraction:
        return sum((frac(h.share) for h in self.holders.values()), Fraction(0))

    def capital_of(self, holder: str) -> Fraction:
        """A holder's capital (its share of the registered capital when its stake names none)."""
        state = self.holders.get(holder)
        if state is None:
            return Fraction(0)
        if state.capital is not None:
            return frac(state.capital)
        assert self.registered is not None
        return frac(state.share) * self.registered

    @property
    def outside_capital(self) -> Fraction:
        assert self.registered is not None
        return self.registered - sum((self.capital_of(h) for h in self.holders), Fraction(0))


def capital_table(
    *,
    investee: str,
    holdings: Sequence[HoldingState],
    registered_capital: Decimal | None,
    loc: tuple[str, ...],
) -> tuple[CapitalTable, list[Violation]]:
    """The investee's holders and registered capital (given, or implied by the stakes' capital amounts)."""
    holders = {h.holder: h for h in holdings if h.investee == investee}
    violations: list[Violation] = []
    implied = sorted(
        {frac(h.capital) / frac(h.share) for h in holders.values() if h.capital is not None and h.share > 0}
    )
    registered: Fraction | None = None
    if registered_capital is not None:
        registered = frac(registered_capital)
        if registered <= 0:
            violations.append(Violation((*loc, "registered_capital"), "must be positive", "not_positive"))
            registered = None
        elif implied and any(abs(r - registered) > registered * _AGREEMENT for r in implied):
            violations.append(
                Violation(
                    (*loc, "registered_capital"),
                    f"disagrees with the capital amounts on the stakes (they imply {money(implied[0])})",
                    "registered_capital_mismatch",
                )
            )
    elif implied:
        if implied[-1] - implied[0] > implied[-1] * _AGREEMENT:
            violations.append(
                Violation(
                    (*loc, "registered_capital"),
                    "the capital amounts on the investee's stakes imply different registered capitals; "
                    "give registered_capital",
                    "capital_amounts_disagree",
                )
            )
        else:
            registered = frac(money(implied[0]))
    return CapitalTable(investee=investee, holders=holders, registered=registered), violations


def _capital_out(value: Fraction | None) -> Decimal | None:
    return None if value is None else money(value)


def _changes(
    before: Mapping[str, HoldingState], after: Mapping[str, HoldingState | None]
) -> list[StakeChange]:
    out: list[StakeChange] = []
    for holder in sorted(set(before) | set(after)):
        old = before.get(holder)
        new = after.get(holder, old)
        if old == new:
            continue
        investee = (old or new).investee  # type: ignore[union-attr]
        out.append(StakeChange(holder=holder, investee=investee, before=old, after=new))
    return out


def _clamp(value: Fraction) -> Fraction:
    return min(max(value, Fraction(0)), Fraction(1))


def transfer(
    *,
    table: CapitalTable,
    seller: str | None,
    buyer: str | None,
    capital_amount: Decimal | None,
    share_amount: Decimal | None,
    loc: tuple[str, ...],
) -> tuple[list[StakeChange], Fraction, list[Violation]]:
    """Move capital (or a share) from `seller` to `buyer` (None = the unrecorded outside shareholders).

    Returns the stake changes, the share moved (exact) and every violation.
    """
    violations: list[Violation] = []
    if (capital_amount is None) == (share_amount is None):
        violations.append(
            Violation((*loc, "share"), "give exactly one of share and capital_amount", "share_or_capital")
        )
        return [], Fraction(0), violations
    if seller is None and buyer is None:
        violations.append(Violation((*loc, "buyer_id"), "name the seller, the buyer or both", "no_party"))
        return [], Fraction(0), violations
    if seller is not None and seller == buyer:
        violations.append(Violation((*loc, "buyer_id"), "the buyer is the seller", "same_party"))
        return [], Fraction(0), violations
    if capital_amount is not None:
        if table.registered is None:
            violations.append(
                Violation(
                    (*loc, "capital_amount"),
                    "the investee's registered capital is unknown: "
                    "give registered_capital or transfer a share",
                    "registered_capital_unknown",
                )
            )
            return [], Fraction(0), violations
        moved_capital: Fraction | None = frac(capital_amount)
        moved = frac(share(frac(capital_amount) / table.registered))
    else:
        moved_capital = None if table.registered is None else frac(share_amount or ZERO) * table.registered
        moved = frac(share_amount or ZERO)
    if moved <= 0:
        violations.append(Violation((*loc, "share"), "the holding moved must be positive", "not_positive"))
        return [], Fraction(0), violations
    seller_state = table.holders.get(seller) if seller is not None else None
    available = frac(seller_state.share) if seller_state is not None else Fraction(0)
    if seller is None:
        available = 1 - table.recorded_share
    too_much = moved > available
    if moved_capital is not None and seller_state is not None and seller_state.capital is not None:
        too_much = moved_capital > frac(seller_state.capital)
        if moved_capital == frac(seller_state.capital):
            moved = available  # the whole holding: no rounding remainder left behind
    if too_much and seller is None:
        violations.append(
            Violation(
                (*loc, "share" if capital_amount is None else "capital_amount"),
                f"the recorded holdings of the investee already sum to {share(table.recorded_share)}: "
                f"taking {share(moved)} more from outside shareholders would bring them over 1",
                "stakes_over_one",
            )
        )
        return [], moved, violations
    if too_much:
        violations.append(
            Violation(
                (*loc, "share" if capital_amount is None else "capital_amount"),
                f"the seller holds {share(available)} of the investee, less than what is transferred",
                "more_than_held",
            )
        )
        return [], moved, violations
    after: dict[str, HoldingState | None] = {}
    seller_votes_per_share = Fraction(1)
    if seller_state is not None:
        seller_votes_per_share = frac(seller_state.voting_share) / frac(seller_state.share)
        new_share = frac(seller_state.share) - moved
        if new_share == 0:
            after[seller_state.holder] = None
        else:
            capital = (
                table.capital_of(seller_state.holder) - moved_capital if moved_capital is not None else None
            )
            after[seller_state.holder] = HoldingState(
                holder=seller_state.holder,
                investee=table.investee,
                share=share(new_share),
                voting_share=share(
                    _clamp(frac(seller_state.voting_share) * new_share / frac(seller_state.share))
                ),
                capital=_capital_out(capital)
                if seller_state.capital is not None or capital is not None
                else None,
            )
    if buyer is not None:
        buyer_state = table.holders.get(buyer)
        old_share = frac(buyer_state.share) if buyer_state is not None else Fraction(0)
        old_votes = frac(buyer_state.voting_share) if buyer_state is not None else Fraction(0)
        capital = (table.capital_of(buyer) + moved_capital) if moved_capital is not None else None
        after[buyer] = HoldingState(
            holder=buyer,
            investee=table.investee,
            share=share(old_share + moved),
            voting_share=share(_clamp(old_votes + moved * seller_votes_per_share)),
            capital=_capital_out(capital),
        )
    return _changes(table.holders, after), moved, violations


def change_capital(
    *,
    table: CapitalTable,
    changes: Mapping[str, Decimal],
    loc: tuple[str, ...],
) -> tuple[list[StakeChange], list[Violation]]:
    """Add (positive) or withdraw (negative) subscribed capital per holder; every share recomputed.

    Raises nothing: violations are returned (unknown registered capital, withdrawing more than held, a total
    that would not stay positive).
    """
    violations: list[Violation] = []
    if table.registered is None:
        violations.append(
            Violation(
                (*loc, "registered_capital"),
                "the investee's registered capital is unknown: give registered_capital "
                "(or record capital amounts on its stakes)",
                "registered_capital_unknown",
            )
        )
        return [], violations
    old_total = table.registered
    for index, (holder, amount) in enumerate(changes.items()):
        if amount < 0 and -frac(amount) > table.capital_of(holder):
            violations.append(
                Violation(
                    (*loc, index, "capital_amount"),
                    f"withdraws {money(-frac(amount))} but the holder has {money(table.capital_of(holder))}",
                    "more_than_held",
                )
            )
    new_total = old_total + sum((frac(a) for a in changes.values()), Fraction(0))
    if new_total <= 0:
        violations.append(
            Violation((*loc,), "the registered capital would not stay positive", "capital_not_positive")
        )
    if violations:
        return [], violations
    holders = sorted(set(table.holders) | set(changes))
    capitals = {h: table.capital_of(h) + frac(changes.get(h, ZERO)) for h in holders}
    outside = new_total - sum(capitals.values(), Fraction(0))
    portions = [capitals[h] / new_total for h in holders] + ([outside / new_total] if outside > 0 else [])
    shares = dict(zip(holders, allocate_shares(portions)[: len(holders)], strict=True))
    after: dict[str, HoldingState | None] = {}
    for holder in holders:
        if capitals[holder] == 0:
            after[holder] = None
            continue
        old = table.holders.get(holder)
        added = max(frac(changes.get(holder, ZERO)), Fraction(0))
        withdrawn = max(-frac(changes.get(holder, ZERO)), Fraction(0))
        if old is None or old.voting_share == old.share:
            votes = frac(shares[holder])
        else:
            kept = frac(old.voting_share) * (1 - withdrawn / table.capital_of(holder))
            votes = _clamp((kept * old_total + added) / new_total)
        after[holder] = HoldingState(
            holder=holder,
            investee=table.investee,
            share=shares[holder],
            voting_share=share(votes),
            capital=money(capitals[holder]),
        )
    return _changes(table.holders, after), violations
