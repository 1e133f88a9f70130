"""Intercompany matching: do two group companies agree on what they owe and sold each other?

Lines tagged with a counterparty entity are the intercompany balances (there are no separate intercompany
accounts). For a date, every ordered pair (entity, counterparty) is compared under each pair rule: what the
entity booked on the rule's "left" accounts tagged with the counterparty, against what the counterparty booked
on the "right" accounts tagged with the entity. Each side is taken in its natural sign (a receivable and a
payable are both positive), so a matched pair has a difference of zero. Differences above the tolerance are
listed for reconciliation (DOMAIN Part 2 §2.3: items in transit are fixed on the receiving side first).

Balance rules compare cumulative balances at the date; flow rules compare the fiscal year to date (revenue
against what the buyer booked to costs, stock or assets; dividend income against dividends declared, which
CAS debits to 4104 利润分配 tagged with the shareholder).

Amounts are compared in one currency: each side is multiplied by its entity's factor to the presentation
currency (closing rate for balances, average rate for flows; 1 when the functional currency is the
presentation currency), rounded half up to 4 decimal places.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.core.money import MONEY_QUANTUM, ZERO, round_half_up

BALANCE = "balance"
FLOW = "flow"
DEBIT_NATURED = 1
CREDIT_NATURED = -1

#: (account code, counterparty entity id) -> debit-positive amount, per entity.
Balances = Mapping[str, Mapping[tuple[str, str], Decimal]]


@dataclass(frozen=True)
class PairRule:
    key: str
    name: str
    measure: str
    left_codes: frozenset[str]
    left_sign: int
    right_codes: frozenset[str]
    right_sign: int


PAIR_RULES: tuple[PairRule, ...] = (
    PairRule(
        "receivables_payables",
        "receivables against payables",
        BALANCE,
        frozenset({"1121", "1122", "1123", "1124", "1131", "1132", "1221"}),
        DEBIT_NATURED,
        frozenset({"2201", "2202", "2203", "2204", "2231", "2232", "2241"}),
        CREDIT_NATURED,
    ),
    PairRule(
        "loans",
        "loans granted against borrowings",
        BALANCE,
        frozenset({"1504", "1506", "1531"}),
        DEBIT_NATURED,
        frozenset({"2001", "2501", "2502", "2701"}),
        CREDIT_NATURED,
    ),
    PairRule(
        "revenue_costs",
        "revenue against the buyer's costs and purchases",
        FLOW,
        frozenset({"6001", "6051"}),
        CREDIT_NATURED,
        frozenset(
            {
                "6401",
                "6402",
                "6601",
                "6602",
                "660201",
                "6711",
                "1401",
                "1402",
                "1403",
                "1405",
                "1411",
                "1601",
                "1604",
                "1701",
            }
        ),
        DEBIT_NATURED,
    ),
    PairRule(
        "dividends",
        "dividend income against dividends declared",
        FLOW,
        frozenset({"6111"}),
        CREDIT_NATURED,
        frozenset({"4104"}),
        DEBIT_NATURED,
    ),
)


@dataclass(frozen=True)
class PairMatch:
    rule: str
    entity_id: str
    counterparty_entity_id: str
    entity_amount: Decimal
    counterparty_amount: Decimal
    tolerance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.entity_amount - self.counterparty_amount

    @property
    def within_tolerance(self) -> bool:
        return abs(self.difference) <= self.tolerance


def _side(
    amounts: Mapping[tuple[str, str], Decimal], codes: frozenset[str], counterparty: str, sign: int
) -> Decimal:
    return (
        sum((amount for (code, cp), amount in amounts.items() if cp == counterparty and code in codes), ZERO)
        * sign
    )


def match_intercompany(
    *,
    companies: frozenset[str],
    cumulative: Balances,
    year_to_date: Balances,
    closing_factor: Mapping[str, Decimal],
    average_factor: Mapping[str, Decimal],
    tolerance: Decimal,
    rules: tuple[PairRule, ...] = PAIR_RULES,
) -> list[PairMatch]:
    """Every (rule, entity, counterparty) with a non-zero side, by rule order, entity and counterparty.

    Only pairs of two `companies` are compared (a tag naming an outside party is not intercompany). The
    factors are needed for every company that has tagged amounts.

    Raises:
        KeyError: a factor is missing for an entity with amounts to compare.
    """
    pairs: set[tuple[str, str]] = set()
    for source in (cumulative, year_to_date):
        for entity_id, amounts in source.items():
            for _code, counterparty in amounts:
                if entity_id in companies and counterparty in companies and counterparty != entity_id:
                    pairs.add((entity_id, counterparty))
                    pairs.add((counterparty, entity_id))
    results: list[PairMatch] = []
    for rule in rules:
        source = cumulative if rule.measure == BALANCE else year_to_date
        factors = closing_factor if rule.measure == BALANCE else average_factor
        for entity_id, counterparty in sorted(pairs):
            left = _side(source.get(entity_id, {}), rule.left_codes, counterparty, rule.left_sign)
            right = _side(source.get(counterparty, {}), rule.right_codes, entity_id, rule.right_sign)
            if left == ZERO and right == ZERO:
                continue
            left_p = round_half_up(left * factors[entity_id], MONEY_QUANTUM) if left else ZERO
            right_p = round_half_up(right * factors[counterparty], MONEY_QUANTUM) if right else ZERO
            results.append(
                PairMatch(
                    rule=rule.key,
                    entity_id=entity_id,
                    counterparty_entity_id=counterparty,
                    entity_amount=left_p,
                    counterparty_amount=right_p,
                    tolerance=tolerance,
                )
            )
    return results
