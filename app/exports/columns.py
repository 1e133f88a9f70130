"""Columns of export files and the one text form of every value (pure: no database, no web).

Every value is turned once into its canonical cell, which all writers start from, so a CSV, a workbook and a
JSON Lines file of the same rows say the same thing:

- text as it is; integers as Python `int`;
- money with exactly 4 decimal places and ratios (shares, rates) with exactly 12 (`"1234.5000"`,
  `"0.800000000000"`), rounded half up where a computed figure has more places (consolidation workings),
  never `-0`; no thousands separators;
- dates `YYYY-MM-DD`; timestamps in UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`;
- booleans `true`/`false`; JSON values in canonical form (keys sorted, no spaces).

Formula injection: a spreadsheet treats a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula. In CSV and XLSX files, cells of text and JSON columns that start so get a leading
apostrophe (`'=HYPERLINK(...)`), which spreadsheets show as text. Number, date and amount columns are never
touched (a negative amount stays `-12.5000` and is written as a number); JSON Lines and XML carry the text
unchanged, since they are read by programs, not spreadsheets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from app.core.jsonable import canonical_json
from app.core.money import MONEY_QUANTUM, RATIO_QUANTUM

FORMULA_STARTS = frozenset("=+-@\t\r")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Kind(StrEnum):
    TEXT = "text"
    INT = "integer"
    MONEY = "money"
    RATIO = "ratio"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOL = "boolean"
    JSON = "json"


#: Columns whose cells may be neutralized (see the module doc).
TEXT_KINDS = frozenset({Kind.TEXT, Kind.JSON})
#: Columns whose cells are decimal strings.
DECIMAL_KINDS = frozenset({Kind.MONEY, Kind.RATIO})

Cell = str | int | None
Row = Sequence[Cell]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, the kind of its values, and whether the manifest sums it (control total).

    `machine` marks text the server makes or validates to a fixed shape (ids, hashes, account and currency
    codes, source names), which can never start a formula: PostgreSQL's COPY then skips the check.
    """

    name: str
    kind: Kind = Kind.TEXT
    total: bool = False
    machine: bool = False


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else _fixed(value, MONEY_QUANTUM)


def ratio_text(value: Decimal | None) -> str | None:
    return None if value is None else _fixed(value, RATIO_QUANTUM)


def _fixed(value: Decimal, quantum: Decimal) -> str:
    fixed = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if fixed.is_zero():
        fixed = abs(fixed)
    return format(fixed, "f")


def date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def timestamp_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive timestamps are not exported; pass aware UTC datetimes")
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def bool_text(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def json_text(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def int_cell(value: int | None) -> int | None:
    return None if value is None else int(value)


def cell(kind: Kind, value: Any) -> Cell:
    """The canonical cell of a Python value for a column of `kind`."""
    if value is None:
        return None
    if kind is Kind.TEXT:
        return str(value)
    if kind is Kind.INT:
        return int(value)
    if kind is Kind.MONEY:
        return money_text(value)
    if kind is Kind.RATIO:
        return ratio_text(value)
    if kind is Kind.DATE:
        return date_text(value)
    if kind is Kind.TIMESTAMP:
        return timestamp_text(value)
    if kind is Kind.BOOL:
        return bool_text(bool(value))
    return json_text(value)


def cells(columns: Sequence[Column], values: Sequence[Any]) -> tuple[Cell, ...]:
    """A row of canonical cells from Python values, column by column."""
    if len(values) != len(columns):
        raise ValueError(f"{len(values)} values for {len(columns)} columns")
    return tuple(cell(c.kind, v) for c, v in zip(columns, values, strict=True))


def neutralize(text: str) -> str:
    """`text`, or `'text` when a spreadsheet would read it as a formula."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text


def neutralized_row(row: Row, text_indexes: Sequence[int]) -> Row:
    """The row with its text cells neutralized (the same object when nothing needed it)."""
    out: list[Cell] | None = None
    for i in text_indexes:
        value = row[i]
        if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
            if out is None:
                out = list(row)
            out[i] = "'" + value
    return row if out is None else out
