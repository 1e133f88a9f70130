"""The event kinds that change holdings, each turned into a `HoldingChange` and planned.

- share transfer / disposal: capital (or a share) moves from a seller to a buyer for a consideration; either
  side may be the unrecorded outside shareholders (`None`); a disposal is a transfer by a group company;
- capital increase / reduction: holders subscribe new capital (paying a contribution: the excess over the
  capital subscribed is share premium, 资本溢价) or withdraw capital (repaid a refund); every holder's
  share is recomputed from the capital amounts;
- combination under common control: a share transfer in which the buyer gains control from a party under the
  same ultimate control, with a consideration that may be cash, fixed assets (leaving at carrying amount) or
  new shares of the buyer issued to the seller (at par; the seller's capital in the buyer grows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.events.domain.capital import capital_table, change_capital, transfer
from app.events.domain.common_control import Consideration
from app.events.domain.holding_change import plan_holding_change
from app.events.domain.holding_facts import ConsolidationTerms, GroupFacts, HoldingChange, Payment
from app.events.domain.model import EventPlan, PlannedLine, StakeChange, Violation, frac, line
from app.events.domain.reserves import split_equity_change

_ZERO = Fraction(0)


def plan_share_transfer(
    *,
    kind: str,
    investee: str,
    seller: str | None,
    buyer: str | None,
    on: date,
    share_amount: Decimal | None,
    capital_amount: Decimal | None,
    consideration: Decimal | None,
    registered_capital: Decimal | None,
    facts: GroupFacts,
    terms: ConsolidationTerms,
) -> EventPlan:
    """Plan a transfer of `share_amount` (or `capital_amount`) of `investee` from seller to buyer for cash."""
    violations: list[Violation] = []
    table, found = capital_table(
        investee=investee, holdings=facts.holdings, registered_capital=registered_capital, loc=("body",)
    )
    violations += found
    changes, _moved, problems = transfer(
        table=table,
        seller=seller,
        buyer=buyer,
        capital_amount=capital_amount,
        share_amount=share_amount,
        loc=("body",),
    )
    violations += problems
    if consideration is None:
        violations.append(
            Violation(
                ("body", "consideration"), "the consideration is missing (0 for a free transfer)", "missing"
            )
        )
    elif consideration < 0:
        violations.append(Violation(("body", "consideration"), "must not be negative", "negative"))
    paid = frac(consideration) if consideration is not None and consideration > 0 else _ZERO
    change = HoldingChange(
        kind=kind,
        investee=investee,
        on=on,
        stake_changes=tuple(changes),
        payments=(Payment(payer=buyer, payee=seller, amount=paid),) if paid else (),
        sellers=frozenset({seller} if seller else set()),
        violations=tuple(violations),
    )
    return plan_holding_change(change=change, facts=facts, terms=terms)


@dataclass(frozen=True, slots=True)
class CapitalMovement:
    """One holder's subscription (capital > 0, paying `money`) or withdrawal (capital < 0, repaid `money`)."""

    holder: str
    capital: Decimal
    money: Decimal


def plan_capital_change(
    *,
    kind: str,
    investee: str,
    on: date,
    movements: Sequence[CapitalMovement],
    registered_capital: Decimal | None,
    facts: GroupFacts,
    terms: ConsolidationTerms,
) -> EventPlan:
    """Plan a capital increase (`kind` capital_increase) or reduction (capital_reduction)."""
    increase = kind == "capital_increase"
    violations: list[Violation] = []
    if not movements:
        violations.append(Violation(("body", "movements"), "name at least one holder", "empty"))
    seen: set[str] = set()
    for index, m in enumerate(movements):
        loc = ("body", "subscriptions" if increase else "withdrawals", index)
        if m.holder in seen:
            violations.append(Violation((*loc, "holder_id"), "named twice", "duplicate"))
        seen.add(m.holder)
        if m.holder == investee:
            violations.append(Violation((*loc, "holder_id"), "a company cannot hold itself", "self_holding"))
        if m.capital <= 0:
            violations.append(Violation((*loc, "capital_amount"), "must be positive", "not_positive"))
        if m.money < 0:
            violations.append(Violation((*loc, "amount"), "must not be negative", "negative"))
        if increase and m.money < m.capital:
            violations.append(
                Violation(
                    (*loc, "contribution"),
                    "a contribution below the capital subscribed (issue below par) is not allowed",
                    "below_par",
                )
            )
    table, found = capital_table(
        investee=investee, holdings=facts.holdings, registered_capital=registered_capital, loc=("body",)
    )
    violations += found
    sign = 1 if increase else -1
    changes: list[StakeChange] = []
    if not violations:
        changes, problems = change_capital(
            table=table,
            changes={m.holder: m.capital * sign for m in movements},
            loc=("body", "subscriptions" if increase else "withdrawals"),
        )
        violations += problems
    capital = sum((frac(m.capital) for m in movements), _ZERO)
    cash = sum((frac(m.money) for m in movements), _ZERO)
    accounts = facts.accounts
    lines: list[PlannedLine]
    if increase:
        payments = tuple(Payment(payer=m.holder, payee=investee, amount=frac(m.money)) for m in movements)
        lines = [
            line(accounts.cash, cash),
            line(accounts.share_capital, -capital),
            line(accounts.capital_reserve, -(cash - capital)),
        ]
    else:
        payments = tuple(Payment(payer=investee, payee=m.holder, amount=frac(m.money)) for m in movements)
        reserve, surplus = facts.reserves.get(investee, (_ZERO, _ZERO))
        split = split_equity_change(
            change=capital - cash, capital_reserve_available=reserve, surplus_reserve_available=surplus
        )
        lines = [line(accounts.share_capital, capital), line(accounts.cash, -cash), *split.lines(accounts)]
    change = HoldingChange(
        kind=kind,
        investee=investee,
        on=on,
        stake_changes=tuple(changes),
        payments=payments,
        investee_lines=tuple(lines),
        net_assets_change=cash if increase else -cash,
        sellers=frozenset() if increase else frozenset(m.holder for m in movements),
        violations=tuple(violations),
    )
    return plan_holding_change(change=change, facts=facts, terms=terms)


def plan_common_control_combination(
    *,
    acquirer: str,
    acquiree: str,
    seller: str | None,
    on: date,
    share_amount: Decimal | None,
    capital_amount: Decimal | None,
    consideration: Consideration | None,
    registered_capital: Decimal | None,
    acquirer_registered_capital: Decimal | None,
    facts: GroupFacts,
    terms: ConsolidationTerms,
) -> EventPlan:
    """Plan a combination under common control (CAS 20): the acquirer obtains the holding from `seller`.

    Shares issued as consideration raise the seller's capital in the acquirer by their par value (stakes of
    the acquirer recomputed); the seller carries its new interest at the carrying amount it gives up.
    """
    violations: list[Violation] = []
    if consideration is None or consideration.empty:
        violations.append(
            Violation(
                ("body", "consideration"),
                "the consideration is missing: cash, fixed assets or shares issued",
                "missing",
            )
        )
        consideration = consideration or Consideration()
    if acquirer == acquiree:
        violations.append(Violation(("body", "acquiree_id"), "a company cannot acquire itself", "self"))
    table, found = capital_table(
        investee=acquiree, holdings=facts.holdings, registered_capital=registered_capital, loc=("body",)
    )
    violations += found
    changes, _moved, problems = transfer(
        table=table,
        seller=seller,
        buyer=acquirer,
        capital_amount=capital_amount,
        share_amount=share_amount,
        loc=("body",),
    )
    violations += problems
    accounts = facts.accounts
    in_kind: list[tuple[str, str | None, Fraction | None]] = []
    for asset in consideration.assets:
        in_kind.append((accounts.fixed_asset, None, asset.value_received))
    extra: list[StakeChange] = []
    if consideration.shares_par_value > 0:
        if seller is None:
            violations.append(
                Violation(
                    ("body", "seller_id"), "shares issued as consideration need a recorded seller", "missing"
                )
            )
        else:
            buyer_table, found = capital_table(
                investee=acquirer,
                holdings=facts.holdings,
                registered_capital=acquirer_registered_capital,
                loc=("body", "acquirer"),
            )
            violations += found
            issued, problems = change_capital(
                table=buyer_table,
                changes={
                    seller: Decimal(consideration.shares_par_value.numerator)
                    / Decimal(consideration.shares_par_value.denominator)
                },
                loc=("body", "consideration", "shares_par_value"),
            )
            violations += problems
            extra = issued
            in_kind.append((accounts.investment_in_subsidiaries, acquirer, None))
    payments = (
        (Payment(payer=acquirer, payee=seller, amount=consideration.cash),) if consideration.cash else ()
    )
    change = HoldingChange(
        kind="common_control_combination",
        investee=acquiree,
        on=on,
        stake_changes=tuple(changes + extra),
        payments=payments,
        consideration={acquirer: consideration},
        sellers=frozenset({seller} if seller else set()),
        received_in_kind={seller: tuple(in_kind)} if seller is not None and in_kind else {},
        violations=tuple(violations),
    )
    return plan_holding_change(
        change=change, facts=facts, terms=replace(terms, combination="under_common_control")
    )
