"""A run's statements as an XLSX workbook for people (XlsxWriter, constant-memory mode).

Sheets: the balance sheet, the income statement, the headline figures, the elimination journal (every line
with its reason and source), the intercompany differences and the scope. Amounts are written as numbers
from their decimal strings with a fixed 4-place format (as text when
a binary float could not hold the amount exactly). The document properties carry a fixed `created`
timestamp (the run's reporting date) and XlsxWriter stamps the zip members with a fixed date, so the same
run always gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

_MONEY = "#,##0.0000;-#,##0.0000"


def _exact_float(value: Any) -> bool:
    """Whether a decimal string survives as an Excel number (a binary float) unchanged; else it is text."""
    return Decimal(repr(float(value))) == Decimal(str(value))


def _rows(
    book: Any,
    name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    money: set[int],
    fmt: Any,
    bold: Any,
) -> None:
    sheet = book.add_worksheet(name)
    sheet.set_column(0, len(header) - 1, 18)
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if col in money and _exact_float(value):
                sheet.write_number(r, col, float(value), fmt)
            elif isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            else:
                sheet.write_string(r, col, str(value))


def statements_workbook(body: dict[str, Any]) -> bytes:
    """The workbook of a run body (`service.run_body`)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    as_of = datetime.fromisoformat(str(body["as_of"])).replace(tzinfo=UTC)
    book.set_properties(
        {
            "title": f"Consolidated statements {body['as_of']}",
            "subject": f"consolidation run {body['id']}",
            "author": "GroupLedger",
            "comments": f"inputs sha256 {body['input_hash']}; result sha256 {body['result_hash']}",
            "created": as_of.replace(tzinfo=None),
        }
    )
    fmt, bold = book.add_format({"num_format": _MONEY}), book.add_format({"bold": True})
    statement = ("account_code", "name", "type", "amount")
    for name, key in (("Balance sheet", "balance_sheet"), ("Income statement", "income_statement")):
        _rows(book, name, statement, [[line[k] for k in statement] for line in body[key]], {3}, fmt, bold)
    figures = body["figures"]
    _rows(book, "Figures", ("figure", "amount"), [[k, figures[k]] for k in sorted(figures)], {1}, fmt, bold)
    journal = (
        "journal",
        "entity_id",
        "account_code",
        "debit",
        "credit",
        "reason",
        "source",
        "layer",
        "nci_bearing",
        "counterparty_entity_id",
    )
    _rows(
        book,
        "Eliminations",
        journal,
        [[line[k] for k in journal] for line in body["eliminations"]],
        {3, 4},
        fmt,
        bold,
    )
    differences = (
        "kind",
        "entity_id",
        "counterparty_entity_id",
        "entity_amount",
        "counterparty_amount",
        "difference",
    )
    _rows(
        book,
        "Intercompany differences",
        differences,
        [[d[k] for k in differences] for d in body["intercompany_differences"]],
        {3, 4, 5},
        fmt,
        bold,
    )
    scope = (
        "entity_id",
        "code",
        "name",
        "method",
        "interest_share",
        "control_share",
        "nci_share",
        "control_since",
    )
    _rows(book, "Scope", scope, [[s[k] for k in scope] for s in body["scope"]], set(), fmt, bold)
    book.close()
    return output.getvalue()
