"""The pure parts of the exports: canonical cells, formula neutralization, the CSV / JSON Lines / XLSX
writers and the deterministic package."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.exports import writers
from app.exports.columns import Column, Kind, cells, money_text, neutralize, neutralized_row, timestamp_text
from app.exports.package import MANIFEST, SUMS, PackageWriter, export_id_for, file_entry, manifest_bytes
from app.exports.writers import Tally, hashing_file, write_csv, write_jsonl, write_xlsx

COLUMNS = (
    Column("code"),
    Column("memo"),
    Column("line", Kind.INT),
    Column("on", Kind.DATE),
    Column("debit", Kind.MONEY, total=True),
    Column("credit", Kind.MONEY, total=True),
    Column("currency", machine=True),
    Column("share", Kind.RATIO),
    Column("at", Kind.TIMESTAMP),
    Column("ok", Kind.BOOL),
    Column("after", Kind.JSON),
)
WHEN = datetime(2026, 11, 26, 9, 30, 1, 5, tzinfo=UTC)


def _rows() -> list[tuple[object, ...]]:
    return [
        cells(
            COLUMNS,
            [
                "A1",
                "=SUM(A1)",
                1,
                date(2026, 1, 31),
                Decimal("-12.5"),
                Decimal(0),
                "CNY",
                Decimal("0.8"),
                WHEN,
                True,
                {"b": 1, "a": [Decimal("1.50")]},
            ],
        ),
        cells(COLUMNS, ["A2", "", 2, None, Decimal("0"), Decimal("7.00005"), "USD", None, None, False, None]),
        cells(
            COLUMNS,
            [
                "-A3",
                'say "hi", then\nleave',
                3,
                None,
                Decimal("1"),
                Decimal("0"),
                "CNY",
                None,
                None,
                None,
                None,
            ],
        ),
    ]


class TestCells:
    def test_values_have_one_fixed_text(self) -> None:
        row = _rows()[0]

        assert list(row) == [
            "A1",
            "=SUM(A1)",
            1,
            "2026-01-31",
            "-12.5000",
            "0.0000",
            "CNY",
            "0.800000000000",
            "2026-11-26T09:30:01.000005Z",
            "true",
            '{"a":["1.50"],"b":1}',
        ]

    def test_money_rounds_half_up_and_never_shows_minus_zero(self) -> None:
        assert money_text(Decimal("2.00005")) == "2.0001"
        assert money_text(Decimal("-2.00005")) == "-2.0001"
        assert money_text(Decimal("-0.00001")) == "0.0000"

    def test_naive_timestamps_are_refused(self) -> None:
        with pytest.raises(ValueError, match="naive"):
            timestamp_text(datetime(2026, 1, 1))  # noqa: DTZ001

    @pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
    def test_text_that_starts_a_formula_gets_an_apostrophe(self, start: str) -> None:
        assert neutralize(f"{start}1+2") == f"'{start}1+2"

    def test_only_text_columns_are_neutralized(self) -> None:
        row = ("-1", "-12.5000", "=x")

        assert neutralized_row(row, [0, 2]) == ["'-1", "-12.5000", "'=x"]
        assert neutralized_row(("a", "b"), [0, 1]) == ("a", "b")

    @settings(max_examples=60, deadline=None)
    @given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=6))
    def test_money_text_is_the_amount_at_four_places(self, amount: Decimal) -> None:
        text = money_text(amount)

        assert text is not None
        assert Decimal(text) == amount.quantize(Decimal("0.0001"), rounding="ROUND_HALF_UP")
        assert len(text.split(".")[1]) == 4

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=20))
    def test_no_neutralized_text_starts_a_formula(self, value: str) -> None:
        shown = neutralize(value)

        assert not shown or shown[0] not in "=+-@\t\r"
        assert shown.removeprefix("'") == value or shown == value


class TestWriters:
    def test_csv_counts_totals_and_quotes(self, tmp_path: Path) -> None:
        reported: list[int] = []
        tally = Tally(columns=COLUMNS, currency_column="currency", on_progress=reported.append)

        with hashing_file(tmp_path / "a.csv") as out:
            written = write_csv(name="a.csv", out=out, columns=COLUMNS, rows=_rows(), tally=tally)

        data = (tmp_path / "a.csv").read_bytes()
        parsed = list(csv.reader(io.StringIO(data.decode())))
        assert parsed[0] == [c.name for c in COLUMNS]
        assert parsed[1][1] == "'=SUM(A1)"
        assert parsed[1][4] == "-12.5000"
        assert parsed[2][1] == ""
        assert parsed[2][3] == ""
        assert parsed[3][0] == "'-A3"
        assert parsed[3][1] == 'say "hi", then\nleave'
        assert data.count(b"\r\n") == 0
        assert written.rows == 3
        assert reported == [3]
        assert written.size == len(data)
        assert written.sha256 == hashlib.sha256(data).hexdigest()
        assert written.totals == {"debit": Decimal("-11.5000"), "credit": Decimal("7.0001")}
        assert written.by_currency == {
            "CNY": {"debit": Decimal("-11.5000"), "credit": Decimal("0.0000")},
            "USD": {"debit": Decimal("0.0000"), "credit": Decimal("7.0001")},
        }

    def test_json_lines_keep_types(self, tmp_path: Path) -> None:
        with hashing_file(tmp_path / "a.jsonl") as out:
            write_jsonl(name="a.jsonl", out=out, columns=COLUMNS, rows=_rows(), tally=Tally(columns=COLUMNS))

        first, second, _ = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
        assert first["memo"] == "=SUM(A1)"
        assert first["debit"] == "-12.5000"
        assert first["line"] == 1
        assert first["ok"] is True
        assert first["after"] == {"a": ["1.50"], "b": 1}
        assert second["on"] is None
        assert second["ok"] is False

    def test_xlsx_numbers_text_and_sheets(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
        huge = cells(
            COLUMNS,
            ["B", "x", 4, None, Decimal("1234567890123.4567"), Decimal(0), "CNY", None, None, None, None],
        )
        path = tmp_path / "a.xlsx"

        written = write_xlsx(
            name="a.xlsx",
            path=path,
            columns=COLUMNS,
            rows=[*_rows(), huge],
            tally=Tally(columns=COLUMNS),
            sheet="lines",
            tmpdir=tmp_path,
        )

        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["lines", "lines (2)"]
        first = [list(r) for r in book["lines"].iter_rows(values_only=True)]
        second = [list(r) for r in book["lines (2)"].iter_rows(values_only=True)]
        assert first[1][1] == "'=SUM(A1)"
        assert first[1][4] == -12.5
        assert book["lines"]["E2"].number_format == "0.0000"
        assert second[0] == [c.name for c in COLUMNS]
        assert second[2][4] == "1234567890123.4567"
        assert written.rows == 4

    def test_xlsx_is_the_same_bytes_twice(self, tmp_path: Path) -> None:
        for name in ("a.xlsx", "b.xlsx"):
            write_xlsx(
                name=name,
                path=tmp_path / name,
                columns=COLUMNS,
                rows=_rows(),
                tally=Tally(columns=COLUMNS),
                sheet="s",
                tmpdir=tmp_path,
            )

        assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def _package(target: Path, rows: list[tuple[object, ...]]) -> bytes:
    with PackageWriter(target) as package:
        with package.data_file("b.csv") as out:
            b = write_csv(name="b.csv", out=out, columns=COLUMNS, rows=rows, tally=Tally(columns=COLUMNS))
        with package.data_file("a.csv") as out:
            a = write_csv(name="a.csv", out=out, columns=COLUMNS, rows=rows[:1], tally=Tally(columns=COLUMNS))
        manifest = manifest_bytes(
            export_id=export_id_for(kind="k", format="csv", parameters={}),
            kind="k",
            format="csv",
            parameters={},
            files=[file_entry(f, format="csv") for f in (a, b)],
        )
        package.finish(files=[a, b], manifest=manifest)
    return target.read_bytes()


class TestPackage:
    def test_the_same_files_make_the_same_zip(self, tmp_path: Path) -> None:
        first = _package(tmp_path / "one.zip", _rows())
        second = _package(tmp_path / "two.zip", _rows())

        archive = zipfile.ZipFile(io.BytesIO(first))
        assert first == second
        assert archive.namelist() == ["SHA256SUMS", "a.csv", "b.csv", MANIFEST]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        sums = archive.read(SUMS).decode().splitlines()
        assert [s.split("  ")[1] for s in sums] == ["a.csv", "b.csv", MANIFEST]
        for line in sums:
            sha, name = line.split("  ")
            assert hashlib.sha256(archive.read(name)).hexdigest() == sha
        manifest = json.loads(archive.read(MANIFEST))
        assert [f["name"] for f in manifest["files"]] == ["a.csv", "b.csv"]
        assert manifest["files"][1]["control_totals"] == {"credit": "7.0001", "debit": "-11.5000"}

    def test_a_failed_package_leaves_nothing(self, tmp_path: Path) -> None:
        target = tmp_path / "x.zip"

        def write_twice() -> None:
            with PackageWriter(target) as package:
                with package.data_file("a.csv") as out:
                    out.write(b"x")
                with package.data_file("a.csv"):
                    pass

        with pytest.raises(ValueError, match="unique"):
            write_twice()

        assert list(tmp_path.iterdir()) == []

    def test_the_export_id_names_the_question(self) -> None:
        same = export_id_for(kind="journal", format="csv", parameters={"to": "2026-01-31", "from": None})
        again = export_id_for(kind="journal", format="csv", parameters={"from": None, "to": "2026-01-31"})
        other = export_id_for(kind="journal", format="xlsx", parameters={"to": "2026-01-31", "from": None})

        assert same == again != other
        assert len(same) == 32
