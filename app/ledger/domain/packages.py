"""Reporting packages: a subsidiary's trial balance from its own software, and the entry that adopts it.

A package is a trial balance for one date `as_of`: balance-sheet lines are balances at `as_of`, income and
expense lines are year to date, retained earnings hold the earlier years' profit. That is exactly the shape of
our own trial balance for that date (see `trial_balance`), so the entry that brings the books to the package
is, per (account, counterparty), the package balance minus the current balance, dated `as_of`:

- a balance-sheet difference posted on `as_of` changes the cumulative balance by that amount;
- an income or expense difference posted on `as_of` (same fiscal year) changes the year-to-date amount;
- the retained-earnings difference does the same for the prior years' profit.

Both the package and the books balance, so the differences sum to zero and the entry balances without any
plug; an unbalanced package is refused. Importing the same package again finds no difference and posts
nothing. Accounts the package does not list are taken to have a zero balance (a package is complete).

Reading validates every row before anything is decided, and reports every problem with its row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.core.money import MONEY_QUANTUM, ZERO
from app.ledger.domain.entries import MAX_LINE_AMOUNT
from app.ledger.domain.trial_balance import Key

COLUMNS = ("account_code", "debit", "credit", "counterparty_code")
REQUIRED_COLUMNS = ("account_code", "debit", "credit")
#: A group file: every company's package, each row naming its company.
GROUP_COLUMNS = ("entity_code", *COLUMNS)
GROUP_REQUIRED_COLUMNS = ("entity_code", *REQUIRED_COLUMNS)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_QUANTIZABLE = Decimal(10) ** 20

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RawRow:
    """One line of a package as read from the file: its row number for people, its loc for programs."""

    row: int
    loc: Loc
    cells: Mapping[str, object]


@dataclass(frozen=True)
class PackageProblem:
    row: int | None
    column: str | None
    reason: str
    type: str
    loc: Loc


@dataclass(frozen=True)
class PackageLine:
    row: int
    account_code: str
    counterparty_entity_id: str | None
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class PackageReading:
    lines: list[PackageLine]
    problems: list[PackageProblem] = field(default_factory=list)

    def targets(self) -> dict[Key, Decimal]:
        """Debit-positive target balance per (group account, counterparty); local codes that map to the same
        group account add up."""
        out: dict[Key, Decimal] = {}
        for line in self.lines:
            key = (line.account_code, line.counterparty_entity_id)
            out[key] = out.get(key, ZERO) + line.debit - line.credit
        return out


@dataclass(frozen=True)
class AdjustmentLine:
    account_code: str
    counterparty_entity_id: str | None
    debit: Decimal
    credit: Decimal


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_amount(value: object) -> Decimal:
    """A balance cell: empty is zero; text may use thousands separators (`1,234.50`); spreadsheet numbers come
    as int or float (a float is read through its shortest repr, which is what the cell showed).

    Raises:
        ValueError: with the reason, for anything else or a negative, over-precise or too large amount.
    """
    if type(value) is str:
        # The common cell: plain digits. Decimal() refuses inner spaces and commas, so whatever it takes
        # here the general path below would read the same way.
        try:
            amount = Decimal(value) if value else ZERO
        except InvalidOperation:
            amount = _read_number(value)
    else:
        amount = _read_number(value)
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a number")
    if amount < ZERO:
        raise ValueError("must not be negative: put the amount in the other column")
    if amount >= MAX_LINE_AMOUNT:
        # quantizing a huge number overflows the decimal context: only ask when it can answer
        if amount < _QUANTIZABLE and amount != amount.quantize(MONEY_QUANTUM):
            raise ValueError("has more than 4 decimal places")
        raise ValueError(f"must be less than {MAX_LINE_AMOUNT:,}")
    if amount != amount.quantize(MONEY_QUANTUM):
        raise ValueError("has more than 4 decimal places")
    return amount


def _read_number(value: object) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise ValueError("is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    raise ValueError("is not a number")


def _problem(
    row: RawRow | None, column: str | None, reason: str, type_: str, loc: Loc = ()
) -> PackageProblem:
    if row is None:
        return PackageProblem(row=None, column=column, reason=reason, type=type_, loc=loc)
    return PackageProblem(
        row=row.row, column=column, reason=reason, type=type_, loc=(*row.loc, column) if column else row.loc
    )


def read_package(
    *,
    rows: Sequence[RawRow],
    entity_id: str,
    entity_code: str,
    account_for_code: Mapping[str, str],
    entity_for_code: Mapping[str, str],
    chart_label: str,
    root_loc: Loc,
) -> PackageReading:
    """Validate every row; the lines in group codes, or every problem found (then `lines` mean nothing).

    `account_for_code` maps a code as written in the package to its group account (identity for group codes,
    the entity's local chart otherwise); `entity_for_code` maps entity codes to ids.
    """
    problems: list[PackageProblem] = []
    lines: list[PackageLine] = []
    seen: dict[tuple[str, str], int] = {}
    amounts_ok = True
    total_debit = total_credit = ZERO
    if not rows:
        problems.append(_problem(None, None, "the package has no lines", "empty_package", root_loc))
    for row in rows:
        code = _text(row.cells.get("account_code"))
        counterparty_code = _text(row.cells.get("counterparty_code"))
        group_code = account_for_code.get(code)
        if not code:
            problems.append(_problem(row, "account_code", "is required", "missing"))
        elif group_code is None:
            problems.append(
                _problem(
                    row, "account_code", f"{code} is not an account of the {chart_label}", "unknown_account"
                )
            )
        counterparty_id: str | None = None
        if counterparty_code:
            counterparty_id = entity_for_code.get(counterparty_code)
            if counterparty_code == entity_code:
                problems.append(
                    _problem(
                        row, "counterparty_code", "names the reporting entity itself", "self_counterparty"
                    )
                )
            elif counterparty_id is None:
                problems.append(
                    _problem(
                        row,
                        "counterparty_code",
                        f"no entity has the code {counterparty_code}",
                        "unknown_counterparty",
                    )
                )
        if code:
            first = seen.setdefault((code, counterparty_code), row.row)
            if first != row.row:
                problems.append(
                    _problem(
                        row,
                        "account_code",
                        f"{code} with counterparty {counterparty_code or '(none)'} is already on row {first}",
                        "duplicate_line",
                    )
                )
        debit = credit = None
        try:
            debit = parse_amount(row.cells.get("debit"))
        except ValueError as exc:
            problems.append(_problem(row, "debit", str(exc), "invalid_amount"))
            amounts_ok = False
        try:
            credit = parse_amount(row.cells.get("credit"))
        except ValueError as exc:
            problems.append(_problem(row, "credit", str(exc), "invalid_amount"))
            amounts_ok = False
        if debit is None or credit is None:
            continue
        if amounts_ok:
            total_debit += debit
            total_credit += credit
        if debit > ZERO and credit > ZERO:
            problems.append(
                _problem(row, "credit", "a balance is a debit or a credit, not both", "debit_and_credit")
            )
            amounts_ok = False
        if group_code is not None:
            lines.append(PackageLine(row.row, group_code, counterparty_id, debit, credit))
    # totals over every row, whatever its account: a package balances or not regardless of its codes
    if rows and amounts_ok and total_debit != total_credit:
        problems.append(
            _problem(
                None,
                None,
                f"the package does not balance: debits {total_debit}, credits "
                f"{total_credit}, difference {total_debit - total_credit}",
                "unbalanced",
                root_loc,
            )
        )
    return PackageReading(lines=lines, problems=problems)


def _adjustment_order(key: Key) -> tuple[str, str]:
    return key[0], key[1] or ""


def adjustment_lines(
    *, target: Mapping[Key, Decimal], current: Mapping[Key, Decimal]
) -> list[AdjustmentLine]:
    """The lines that take the books from `current` to `target` (debit-positive balances), by account code.

    Raises:
        ValueError: the differences do not sum to zero (one of the two sides does not balance).
    """
    lines: list[AdjustmentLine] = []
    total = ZERO
    nothing = ZERO.quantize(MONEY_QUANTUM)
    for key in sorted(set(target) | set(current), key=_adjustment_order):
        difference = target.get(key, ZERO) - current.get(key, ZERO)
        if difference:
            total += difference
            if difference > ZERO:
                debit, credit = difference.quantize(MONEY_QUANTUM), nothing
            else:
                debit, credit = nothing, (-difference).quantize(MONEY_QUANTUM)
            lines.append(AdjustmentLine(key[0], key[1], debit, credit))
    if total != ZERO:
        raise ValueError(f"the adjustment does not balance (off by {total})")
    return lines
