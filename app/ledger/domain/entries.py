"""Journal entries: when an entry may be posted, and what reverses it.

An entry is a set of lines in one entity's books. Each line is a debit or a credit (never both, never
neither) in the entity's functional currency, with the transaction currency, the amount in that currency and
the rate beside it. Amounts are positive and have at most 4 decimal places (the money column keeps 4).

"Balances per currency" means: the functional amounts always balance (they are the books); an entry written
wholly in one foreign currency must also balance in that currency. A mixed-currency entry (buying dollars
with yuan) balances in the functional currency only; the difference in transaction currencies is the
exchange itself.

A foreign-currency line without a rate gets rate = functional amount / amount in currency (12 decimal
places, half up); a line with a rate must agree with its amounts to within half a cent.

`check_entry` returns every violation at once (beancount style) so one correction round suffices.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.core.money import MONEY_QUANTUM, RATIO_QUANTUM, ZERO, round_half_up

#: Largest amount on one line (10 trillion): keeps kept balances far inside both databases' money range.
MAX_LINE_AMOUNT = Decimal(10) ** 13
RATE_TOLERANCE = Decimal("0.005")
#: Rates stay below a million (the ratio column keeps 12 decimal places in a 64-bit integer on SQLite).
MAX_RATE = Decimal(10) ** 6
ONE = Decimal(1)
_CURRENCY = re.compile(r"^[A-Z]{3}$")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    loc: Loc
    msg: str
    type: str


@dataclass(frozen=True)
class LineDraft:
    """A line as a caller proposes it; None means "not given"."""

    account_code: str
    debit: Decimal | None = None
    credit: Decimal | None = None
    counterparty_entity_id: str | None = None
    currency: str | None = None
    amount_in_currency: Decimal | None = None
    rate: Decimal | None = None
    memo: str | None = None


@dataclass(frozen=True)
class PostedLine:
    """A line as it is stored: both sides explicit, currency, amount and rate filled in, at the stored scale
    (4 decimal places for amounts, 12 for the rate)."""

    line_no: int
    account_code: str
    debit: Decimal
    credit: Decimal
    counterparty_entity_id: str | None
    currency: str
    amount_in_currency: Decimal
    rate: Decimal
    memo: str | None = None

    @property
    def net(self) -> Decimal:
        """Debit minus credit: the line's effect on a debit-positive balance."""
        return self.debit - self.credit


@dataclass(frozen=True)
class Imbalance:
    currency: str
    debit: Decimal
    credit: Decimal

    @property
    def difference(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True)
class EntryCheck:
    """The outcome of `check_entry`: the lines to store when `violations` is empty."""

    lines: list[PostedLine]
    violations: list[Violation] = field(default_factory=list)
    imbalances: list[Imbalance] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def _amount_problem(value: Decimal) -> tuple[str, str] | None:
    if not value.is_finite():
        return "must be a finite number", "invalid_amount"
    if value < ZERO:
        return "must not be negative", "negative_amount"
    if value != value.quantize(MONEY_QUANTUM):
        return "has more than 4 decimal places", "too_many_decimals"
    if value >= MAX_LINE_AMOUNT:
        return f"must be less than {MAX_LINE_AMOUNT:,}", "amount_too_large"
    return None


def _check_sides(line: LineDraft, loc: Loc, out: list[Violation]) -> tuple[Decimal, Decimal] | None:
    sides: dict[str, Decimal] = {}
    bad = False
    for name, value in (("debit", line.debit), ("credit", line.credit)):
        amount = ZERO if value is None else value
        problem = _amount_problem(amount)
        if problem is not None:
            out.append(Violation((*loc, name), problem[0], problem[1]))
            bad = True
        sides[name] = amount
    if bad:
        return None
    if sides["debit"] > ZERO and sides["credit"] > ZERO:
        out.append(Violation(loc, "a line is a debit or a credit, not both", "debit_and_credit"))
        return None
    if sides["debit"] == ZERO and sides["credit"] == ZERO:
        out.append(Violation(loc, "a line needs a debit or a credit amount", "no_amount"))
        return None
    return sides["debit"], sides["credit"]


def _currency_terms(
    line: LineDraft, *, amount: Decimal, functional_currency: str, loc: Loc, out: list[Violation]
) -> tuple[str, Decimal, Decimal] | None:
    """(currency, amount in currency, rate) of a line with a valid amount, or None after a violation."""

    def fail(field: str, msg: str, type_: str) -> tuple[str, Decimal, Decimal] | None:
        out.append(Violation((*loc, field), msg, type_))
        return None

    currency, foreign, rate = line.currency or functional_currency, line.amount_in_currency, line.rate
    if not _CURRENCY.match(currency):
        return fail("currency", "must be a 3-letter ISO 4217 code", "invalid_currency")
    problem = _amount_problem(foreign) if foreign is not None else None
    if foreign is not None and problem is None and foreign == ZERO:
        problem = ("must be positive", "non_positive_amount")
    if problem is not None:
        return fail("amount_in_currency", *problem)
    if rate is not None and not (
        rate.is_finite() and ZERO < rate < MAX_RATE and rate == rate.quantize(RATIO_QUANTUM)
    ):
        return fail("rate", "must be in (0, 1,000,000) with at most 12 decimals", "invalid_rate")
    if currency == functional_currency:
        if foreign is not None and foreign != amount:
            return fail("amount_in_currency", f"must equal {amount} on a {currency} line", "amount_mismatch")
        if rate is not None and rate != ONE:
            return fail("rate", "the rate of a functional-currency line is 1", "invalid_rate")
        return currency, amount, ONE
    if foreign is None:
        return fail("amount_in_currency", f"required on a {currency} line", "missing_amount_in_currency")
    if rate is None:
        rate = round_half_up(amount / foreign, RATIO_QUANTUM)
        if not ZERO < rate < MAX_RATE:
            return fail("amount_in_currency", f"gives a rate {rate} out of range", "rate_out_of_range")
        return currency, foreign, rate
    if abs(foreign * rate - amount) > RATE_TOLERANCE:
        msg = f"{foreign} {currency} at {rate} is {foreign * rate}, not {amount}"
        return fail("rate", msg, "rate_mismatch")
    return currency, foreign, rate


def _imbalances(lines: Sequence[PostedLine], functional_currency: str) -> list[Imbalance]:
    found: list[Imbalance] = []
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if debit != credit:
        found.append(Imbalance(functional_currency, debit, credit))
    currencies = {line.currency for line in lines}
    if len(currencies) == 1 and functional_currency not in currencies:
        (currency,) = currencies
        foreign_debit = sum((ln.amount_in_currency for ln in lines if ln.debit > ZERO), ZERO)
        foreign_credit = sum((ln.amount_in_currency for ln in lines if ln.credit > ZERO), ZERO)
        if foreign_debit != foreign_credit:
            found.append(Imbalance(currency, foreign_debit, foreign_credit))
    return found


def check_entry(
    *,
    entity_id: str,
    functional_currency: str,
    lines: Sequence[LineDraft],
    known_accounts: Collection[str],
    known_entities: Collection[str],
    loc: Loc = ("body", "lines"),
) -> EntryCheck:
    """Every reason the lines cannot be posted, and the normalised lines to store when there is none.

    `known_entities` are the entities a line may name as counterparty.
    """
    violations: list[Violation] = []
    posted: list[PostedLine] = []
    if len(lines) < 2:
        violations.append(Violation(loc, "an entry needs at least two lines", "too_few_lines"))
    for index, line in enumerate(lines):
        line_loc: Loc = (*loc, index)
        if line.account_code not in known_accounts:
            violations.append(
                Violation(
                    (*line_loc, "account_code"), f"unknown account {line.account_code!r}", "unknown_account"
                )
            )
        counterparty = line.counterparty_entity_id
        if counterparty is not None:
            if counterparty == entity_id:
                violations.append(
                    Violation(
                        (*line_loc, "counterparty_entity_id"),
                        "a line cannot name its own entity as counterparty",
                        "self_counterparty",
                    )
                )
            elif counterparty not in known_entities:
                violations.append(
                    Violation(
                        (*line_loc, "counterparty_entity_id"),
                        f"unknown entity {counterparty!r}",
                        "unknown_counterparty",
                    )
                )
        sides = _check_sides(line, line_loc, violations)
        if sides is None:
            continue
        debit, credit = sides
        terms = _currency_terms(
            line, amount=debit + credit, functional_currency=functional_currency, loc=line_loc, out=violations
        )
        if terms is None:
            continue
        currency, foreign_amount, rate = terms
        posted.append(
            PostedLine(
                line_no=index + 1,
                account_code=line.account_code,
                debit=debit.quantize(MONEY_QUANTUM),
                credit=credit.quantize(MONEY_QUANTUM),
                counterparty_entity_id=counterparty,
                currency=currency,
                amount_in_currency=foreign_amount.quantize(MONEY_QUANTUM),
                rate=rate.quantize(RATIO_QUANTUM),
                memo=line.memo,
            )
        )
    imbalances: list[Imbalance] = []
    if posted and len(posted) == len(lines):  # every amount readable: the totals mean something
        imbalances = _imbalances(posted, functional_currency)
        for imbalance in imbalances:
            violations.append(
                Violation(
                    loc,
                    f"debits {imbalance.debit} and credits {imbalance.credit} {imbalance.currency} differ by "
                    f"{imbalance.difference}",
                    "unbalanced",
                )
            )
    return EntryCheck(lines=posted, violations=violations, imbalances=imbalances)


def reversal_lines(lines: Sequence[PostedLine]) -> list[PostedLine]:
    """The lines of the entry that cancels `lines`: same amounts, currencies and tags, other side."""
    return [
        PostedLine(
            line_no=line.line_no,
            account_code=line.account_code,
            debit=line.credit,
            credit=line.debit,
            counterparty_entity_id=line.counterparty_entity_id,
            currency=line.currency,
            amount_in_currency=line.amount_in_currency,
            rate=line.rate,
            memo=line.memo,
        )
        for line in lines
    ]
