"""Reading reporting-package files (JSON, CSV, XLSX) into raw rows; judging the rows is `domain/packages.py`.

Uploads are untrusted. The request body is already size-limited; on top of that a file may hold at most
`MAX_ROWS` lines, CSV is decoded as UTF-8 (with or without BOM) or else GB18030 (what Chinese accounting
software writes), and an XLSX file is a zip archive whose directory is checked before it is opened: at most
`MAX_ZIP_MEMBERS` members and `MAX_UNCOMPRESSED_BYTES` in total (Python's zip reader never inflates a member
beyond its declared size, so the declared sizes bound the work). openpyxl parses the XML with defusedxml.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.ledger.domain.packages import (
    COLUMNS,
    GROUP_COLUMNS,
    GROUP_REQUIRED_COLUMNS,
    REQUIRED_COLUMNS,
    RawRow,
)
from app.ledger.errors import PackageFileError

MAX_ROWS = 100_000
#: A group file (every company's package at a close) may be longer; the body size limit still applies.
MAX_GROUP_ROWS = 2_000_000
MAX_ZIP_MEMBERS = 1_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024


def _header(cells: list[Any]) -> list[str]:
    return [str(cell).strip().lower().lstrip("\ufeff") if cell is not None else "" for cell in cells]


@dataclass(frozen=True)
class Layout:
    """What a file holds: its columns, the required ones and how many rows it may have."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    max_rows: int


PACKAGE = Layout(COLUMNS, REQUIRED_COLUMNS, MAX_ROWS)
GROUP_FILE = Layout(GROUP_COLUMNS, GROUP_REQUIRED_COLUMNS, MAX_GROUP_ROWS)


def _max_rows(layout: Layout) -> int:
    # read at call time: a one-company package is capped by the module's MAX_ROWS
    return MAX_ROWS if layout is PACKAGE else layout.max_rows


def _check_header(columns: list[str], layout: Layout) -> None:
    missing = [name for name in layout.required if name not in columns]
    if missing:
        raise PackageFileError(
            f"the header row lacks the column(s) {', '.join(missing)}; expected {', '.join(layout.columns)}",
            missing_columns=missing,
            row=1,
        )
    duplicated = sorted({name for name in columns if name and columns.count(name) > 1})
    if duplicated:
        raise PackageFileError(f"the header row repeats {', '.join(duplicated)}", row=1)


def _rows_from_table(header: list[str], records: Any, layout: Layout = PACKAGE) -> list[RawRow]:
    """Data rows (numbered as in the file: the header is row 1); blank rows are skipped."""
    _check_header(header, layout)
    wanted = [(index, name) for index, name in enumerate(header) if name in layout.columns]
    width = max(index for index, _ in wanted) + 1
    max_rows = _max_rows(layout)
    rows: list[RawRow] = []
    append = rows.append
    for number, record in enumerate(records, start=2):
        values = list(record)
        try:
            blank = not "".join(values).strip()  # a CSV record: all text
        except TypeError:  # a worksheet row: numbers and None too
            blank = not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values)
        if blank:
            continue
        if len(rows) >= max_rows:
            raise PackageFileError(f"a package has at most {max_rows} lines", max_rows=max_rows)
        if len(values) < width:
            values += [None] * (width - len(values))
        append(
            RawRow(row=number, loc=("file", number), cells={name: values[index] for index, name in wanted})
        )
    return rows


def read_csv(data: bytes, layout: Layout = PACKAGE) -> list[RawRow]:
    """Raises: PackageFileError (encoding, header, too many rows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise PackageFileError("the CSV file is neither UTF-8 nor GB18030 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader))
    except StopIteration:
        raise PackageFileError("the CSV file is empty") from None
    except csv.Error as exc:
        raise PackageFileError(f"the CSV file cannot be parsed: {exc}") from None
    try:
        return _rows_from_table(header, reader, layout)
    except csv.Error as exc:
        raise PackageFileError(f"the CSV file cannot be parsed: {exc}") from None


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise PackageFileError("the file is not an XLSX workbook (not a zip archive)") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise PackageFileError(f"the workbook has {len(members)} parts; at most {MAX_ZIP_MEMBERS} are read")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise PackageFileError(
            f"the workbook unpacks to {total} bytes; at most {MAX_UNCOMPRESSED_BYTES} are read",
            uncompressed_bytes=total,
        )


def read_xlsx(data: bytes, layout: Layout = PACKAGE) -> list[RawRow]:
    """The first worksheet: header row, then one line per row.

    Raises:
        PackageFileError: not a workbook, too large once unpacked, no header, too many rows.
        RuntimeError: defusedxml is not installed (openpyxl would parse untrusted XML unprotected).
    """
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - a deployment error, not a user's
        raise RuntimeError("defusedxml must be installed to read uploaded workbooks")
    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise PackageFileError(f"the workbook cannot be read: {type(exc).__name__}") from None
    try:
        if not workbook.worksheets:
            raise PackageFileError("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        records = sheet.iter_rows(values_only=True)
        first = next(records, None)
        if first is None:
            raise PackageFileError("the worksheet is empty")
        return _rows_from_table(_header(list(first)), records, layout)
    finally:
        workbook.close()


def read_json_lines(lines: Any, layout: Layout = PACKAGE) -> tuple[list[RawRow], list[tuple[int, str]]]:
    """The `lines` of a JSON package, taken cell by cell (numbers exactly, as parsed with Decimal), and the
    (index, key) of every unknown key, which the caller reports with the other problems (a file's extra
    columns, such as account names, are ignored instead: spreadsheets carry them).

    Raises:
        PackageFileError: `lines` is not a list of objects, or too long.
    """
    if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
        raise PackageFileError("`lines` must be a list of objects")
    max_rows = _max_rows(layout)
    if len(lines) > max_rows:
        raise PackageFileError(f"a package has at most {max_rows} lines", max_rows=max_rows)
    columns = layout.columns
    unknown = [(index, key) for index, line in enumerate(lines) for key in line if key not in columns]
    rows = [
        RawRow(
            row=index + 1, loc=("body", "lines", index), cells={k: v for k, v in line.items() if k in columns}
        )
        for index, line in enumerate(lines)
    ]
    return rows, unknown


def parse_json_body(data: bytes) -> Any:
    """JSON with every number read as Decimal (never through a float).

    Raises:
        PackageFileError: not JSON.
    """
    try:
        return json.loads(data, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageFileError(f"the body is not valid JSON: {exc}") from None
