"""Writers of one data file from a stream of canonical rows: CSV, JSON Lines and XLSX.

Each writer reads its rows once, in order, and keeps only a batch of them (constant memory for any size);
while writing it counts rows, adds up the control-total columns (exact decimals) and reports progress, and
it returns the file's size and SHA-256. Formats:

- CSV: UTF-8 (with a byte order mark on request, for Excel), a header row, `\\n` line ends (as PostgreSQL's
  COPY writes them; every spreadsheet and CSV reader takes them), fields quoted only when needed (RFC 4180
  quoting); empty for null and for empty text alike.
- JSON Lines: one compact JSON object per row, keys in column order; decimals stay strings, integers and
  booleans are JSON numbers and booleans, JSON columns are embedded as JSON, null for null.
- XLSX (XlsxWriter in constant-memory mode): one sheet per 1,048,575 rows, a frozen bold header; money as
  numbers formatted `0.0000`, ratios `0.000000000000`, dates as dates `yyyy-mm-dd`, integers `0`;
  timestamps and booleans as the same text as in the CSV. A decimal with more than 15 significant digits is
  written as text, since a spreadsheet number (a binary double) would not keep it exactly. Excel holds at
  most 32,767 characters in a cell: longer texts are cut there (the CSV and JSON Lines keep them whole).
  The workbook's creation time is fixed, so the same rows give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter  # type: ignore[import-untyped]

from app.exports.columns import DECIMAL_KINDS, TEXT_KINDS, Cell, Column, Kind, Row, neutralized_row

ProgressFn = Callable[[int], None]
BATCH = 2000
PROGRESS_EVERY = 5000
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
XLSX_MAX_DIGITS = 15
#: Workbook properties are fixed so the file is the same byte for byte (XlsxWriter uses `created` for the
#: document properties and for the timestamps inside the workbook's zip).
WORKBOOK_CREATED = datetime(2000, 1, 1)  # noqa: DTZ001  (a fixed, zone-less document property)
CHUNK = 1 << 20


@dataclass
class Tally:
    """Rows and control totals of one file as it is written; `currency` splits the totals by a column."""

    columns: Sequence[Column]
    currency_column: str | None = None
    on_progress: ProgressFn | None = None
    rows: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    by_currency: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._total_idx = [(i, c.name) for i, c in enumerate(self.columns) if c.total]
        self.totals = {name: Decimal(0) for _, name in self._total_idx}
        names = [c.name for c in self.columns]
        self._currency_idx = names.index(self.currency_column) if self.currency_column else None
        self._reported = 0

    def add(self, row: Row) -> None:
        self.rows += 1
        if self._total_idx:
            bucket = None
            if self._currency_idx is not None:
                currency = str(row[self._currency_idx] or "")
                bucket = self.by_currency.get(currency)
                if bucket is None:
                    bucket = self.by_currency[currency] = {n: Decimal(0) for _, n in self._total_idx}
            for i, name in self._total_idx:
                value = row[i]
                if value is not None:
                    amount = Decimal(value)
                    self.totals[name] += amount
                    if bucket is not None:
                        bucket[name] += amount
        if self.on_progress is not None and self.rows - self._reported >= PROGRESS_EVERY:
            self.on_progress(self.rows - self._reported)
            self._reported = self.rows

    def flush(self) -> None:
        """Report the rows not yet reported."""
        if self.on_progress is not None and self.rows > self._reported:
            self.on_progress(self.rows - self._reported)
            self._reported = self.rows

    def counted(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            self.add(row)
            yield row
        self.flush()


@dataclass(frozen=True)
class WrittenFile:
    """A data file as written: its name, size and hash, and what the tally found."""

    name: str
    size: int
    sha256: str
    columns: tuple[Column, ...]
    rows: int
    totals: dict[str, Decimal]
    by_currency: dict[str, dict[str, Decimal]]


class HashingWriter(io.RawIOBase):
    """A binary stream that hashes and counts what passes through it to `target` (a file or a zip entry,
    which stays open: its owner closes it)."""

    def __init__(self, target: BinaryIO) -> None:
        super().__init__()
        self._target = target
        self._hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._hash.update(view)
        self._target.write(view)
        self.size += len(view)
        return len(view)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


@contextmanager
def hashing_file(path: Path) -> Iterator[HashingWriter]:
    """A HashingWriter onto a new file at `path`."""
    with path.open("wb") as handle:
        yield HashingWriter(handle)


def file_digest(path: Path) -> tuple[int, str]:
    """(size, SHA-256 hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _text_indexes(columns: Sequence[Column]) -> list[int]:
    return [i for i, c in enumerate(columns) if c.kind in TEXT_KINDS]


def _text_stream(out: HashingWriter) -> io.TextIOWrapper[io.BufferedWriter[HashingWriter]]:
    """UTF-8 text onto `out` through a buffer; closing it flushes but leaves `out`'s target open."""
    return io.TextIOWrapper(io.BufferedWriter(out, CHUNK), encoding="utf-8", newline="")


def write_csv(
    *,
    name: str,
    out: HashingWriter,
    columns: Sequence[Column],
    rows: Iterable[Row],
    tally: Tally,
    bom: bool = False,
) -> WrittenFile:
    text_idx = _text_indexes(columns)
    with _text_stream(out) as handle:
        if bom:
            handle.write("\ufeff")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        batch: list[Row] = []
        for row in tally.counted(rows):
            batch.append(neutralized_row(row, text_idx) if text_idx else row)
            if len(batch) >= BATCH:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    return _written(name, out.size, out.sha256, columns, tally)


def _json_converter(kind: Kind) -> Callable[[Any], Any] | None:
    if kind is Kind.BOOL:
        return lambda v: v == "true"
    if kind is Kind.JSON:
        return json.loads
    return None


def write_jsonl(
    *, name: str, out: HashingWriter, columns: Sequence[Column], rows: Iterable[Row], tally: Tally
) -> WrittenFile:
    names = [c.name for c in columns]
    converters = [(i, conv) for i, c in enumerate(columns) if (conv := _json_converter(c.kind)) is not None]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
    with _text_stream(out) as handle:
        batch: list[str] = []
        for row in tally.counted(rows):
            values: list[Any] = list(row)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            batch.append(dumps(dict(zip(names, values, strict=True))))
            if len(batch) >= BATCH:
                handle.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            handle.write("\n".join(batch) + "\n")
    return _written(name, out.size, out.sha256, columns, tally)


def _exact_as_number(text: str) -> bool:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return len(digits) <= XLSX_MAX_DIGITS


_WIDTHS = {
    Kind.TEXT: 18,
    Kind.INT: 10,
    Kind.MONEY: 18,
    Kind.RATIO: 18,
    Kind.DATE: 12,
    Kind.TIMESTAMP: 28,
    Kind.BOOL: 8,
    Kind.JSON: 40,
}


def sheet_title(name: str, part: int) -> str:
    """The sheet of rows part `part` (1-based): Excel allows 31 characters and no `[]:*?/\\`."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return base[:31] if part == 1 else f"{base[:24]} ({part})"


def write_xlsx(
    *,
    name: str,
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Row],
    tally: Tally,
    sheet: str,
    tmpdir: Path,
) -> WrittenFile:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(tmpdir),
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"created": WORKBOOK_CREATED, "title": sheet, "comments": "GroupLedger export"})
    header = workbook.add_format({"bold": True})
    formats: dict[Kind, Any] = {
        Kind.MONEY: workbook.add_format({"num_format": "0.0000"}),
        Kind.RATIO: workbook.add_format({"num_format": "0.000000000000"}),
        Kind.DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        Kind.INT: workbook.add_format({"num_format": "0"}),
    }
    text_idx = set(_text_indexes(columns))
    kinds = [c.kind for c in columns]

    def new_sheet(part: int) -> Any:
        worksheet = workbook.add_worksheet(sheet_title(sheet, part))
        for i, column in enumerate(columns):
            worksheet.set_column(i, i, _WIDTHS[column.kind])
        for i, column in enumerate(columns):
            worksheet.write_string(0, i, column.name, header)
        worksheet.freeze_panes(1, 0)
        return worksheet

    part = 1
    worksheet = new_sheet(part)
    r = 0
    for row in tally.counted(rows):
        r += 1
        if r >= XLSX_MAX_ROWS:
            part += 1
            worksheet = new_sheet(part)
            r = 1
        shown = neutralized_row(row, sorted(text_idx)) if text_idx else row
        for c, value in enumerate(shown):
            if value is None:
                continue
            _write_cell(worksheet, r, c, kinds[c], value, formats)
    workbook.close()
    size, sha = file_digest(path)
    return _written(name, size, sha, columns, tally)


def _write_cell(worksheet: Any, r: int, c: int, kind: Kind, value: Cell, formats: dict[Kind, Any]) -> None:
    if kind is Kind.INT:
        worksheet.write_number(r, c, int(value), formats[Kind.INT])  # type: ignore[arg-type]
    elif kind in DECIMAL_KINDS:
        text = str(value)
        if _exact_as_number(text):
            worksheet.write_number(r, c, float(text), formats[kind])
        else:
            worksheet.write_string(r, c, text)
    elif kind is Kind.DATE:
        worksheet.write_datetime(r, c, date.fromisoformat(str(value)), formats[Kind.DATE])
    else:
        worksheet.write_string(r, c, str(value)[:XLSX_MAX_CELL])


def _written(name: str, size: int, sha: str, columns: Sequence[Column], tally: Tally) -> WrittenFile:
    return WrittenFile(
        name=name,
        size=size,
        sha256=sha,
        columns=tuple(columns),
        rows=tally.rows,
        totals=dict(tally.totals),
        by_currency={k: dict(v) for k, v in sorted(tally.by_currency.items())},
    )
