"""Reading uploaded packages: CSV encodings, XLSX cells, and the guards against oversized or hostile files."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from app.ledger import package_files
from app.ledger.errors import PackageFileError


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestCsv:
    def test_reads_gb18030_written_by_chinese_software_and_skips_blank_rows(self) -> None:
        data = '科目名称,account_code,debit,credit\n银行存款,1002,"1,000.50",\n\n实收资本,4001,,1000.50\n'

        rows = package_files.read_csv(data.encode("gb18030"))

        assert [(r.row, dict(r.cells)) for r in rows] == [
            (2, {"account_code": "1002", "debit": "1,000.50", "credit": ""}),
            (4, {"account_code": "4001", "debit": "", "credit": "1000.50"}),
        ]

    def test_reads_utf8_with_a_byte_order_mark(self) -> None:
        rows = package_files.read_csv("\ufeffACCOUNT_CODE,Debit,Credit\n1002,1,\n".encode())

        assert rows[0].cells == {"account_code": "1002", "debit": "1", "credit": ""}

    def test_caps_the_number_of_rows(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(package_files, "MAX_ROWS", 2)

        with pytest.raises(PackageFileError, match="at most 2 lines"):
            package_files.read_csv(b"account_code,debit,credit\n1002,1,\n1002,1,\n1002,1,\n")


class TestXlsx:
    def test_reads_the_first_sheet_with_numeric_cells(self) -> None:
        data = workbook(
            [
                ["account_code", "debit", "credit", "counterparty_code"],
                [1002, 1234.56, None, None],
                [4001, None, 1234.56, "PAR"],
            ]
        )

        rows = package_files.read_xlsx(data)

        assert [(r.row, r.cells["account_code"], r.cells["debit"], r.cells["credit"]) for r in rows] == [
            (2, 1002, 1234.56, None),
            (3, 4001, None, 1234.56),
        ]

    def test_refuses_a_workbook_that_unpacks_too_large(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(package_files, "MAX_UNCOMPRESSED_BYTES", 1000)

        with pytest.raises(PackageFileError, match="unpacks to"):
            package_files.read_xlsx(workbook([["account_code", "debit", "credit"], [1002, 1, None]]))

    def test_refuses_what_is_not_a_zip(self) -> None:
        with pytest.raises(PackageFileError, match="not an XLSX workbook"):
            package_files.read_xlsx(b"account_code,debit,credit\n")


class TestJson:
    def test_reads_numbers_exactly_and_reports_unknown_keys(self) -> None:
        body = package_files.parse_json_body(
            b'{"lines": [{"account_code": "1002", "debit": 0.1, "memo": "x"}]}'
        )

        rows, unknown = package_files.read_json_lines(body["lines"])

        assert rows[0].cells == {"account_code": "1002", "debit": Decimal("0.1")}
        assert rows[0].loc == ("body", "lines", 0)
        assert unknown == [(0, "memo")]
