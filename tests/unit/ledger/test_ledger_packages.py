"""Reporting packages: every problem with row and column; the adjustment that adopts the package."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ledger.domain.packages import PackageReading, RawRow, adjustment_lines, parse_amount, read_package

D = Decimal
CHART = {code: code for code in ("1002", "1122", "2202", "4001", "4104", "6001", "6401")}


def rows(*cells: dict[str, object]) -> list[RawRow]:
    return [RawRow(row=i + 2, loc=("file", i + 2), cells=c) for i, c in enumerate(cells)]


def read(raw: list[RawRow], account_for_code: dict[str, str] = CHART) -> PackageReading:
    return read_package(
        rows=raw,
        entity_id="S",
        entity_code="SUB",
        account_for_code=account_for_code,
        entity_for_code={"PAR": "P"},
        chart_label="group chart",
        root_loc=("file",),
    )


class TestParseAmount:
    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            (None, D(0)),
            ("", D(0)),
            ("1,234.50", D("1234.50")),
            (" 12 ", D("12")),
            (1500, D("1500")),
            (0.1, D("0.1")),
            (D("3.1400"), D("3.14")),
        ],
    )
    def test_reads_cells(self, cell: object, expected: Decimal) -> None:
        assert parse_amount(cell) == expected

    @pytest.mark.parametrize(
        ("cell", "reason"),
        [
            ("abc", "is not a number"),
            ("-5", "must not be negative"),
            ("1.00001", "more than 4 decimal places"),
            (True, "is not a number"),
            ("NaN", "is not a number"),
            ("1e20", "must be less than"),
        ],
    )
    def test_refuses_bad_cells(self, cell: object, reason: str) -> None:
        with pytest.raises(ValueError, match=reason):
            parse_amount(cell)


class TestReadPackage:
    def test_reads_a_good_package(self) -> None:
        raw = rows(
            {"account_code": "1122", "debit": "100", "credit": "", "counterparty_code": "PAR"},
            {"account_code": "4001", "debit": None, "credit": "100"},
        )

        reading = read(raw)

        assert reading.problems == []
        assert reading.targets() == {("1122", "P"): D("100"), ("4001", None): D("-100")}

    def test_lists_every_problem_with_row_and_column(self) -> None:
        raw = rows(
            {"account_code": "9999", "debit": "10", "credit": ""},
            {"account_code": "1002", "debit": "x", "credit": "-3"},
            {"account_code": "", "debit": "1", "credit": "1"},
            {"account_code": "2202", "debit": "", "credit": "5", "counterparty_code": "NOPE"},
            {"account_code": "2202", "debit": "", "credit": "5", "counterparty_code": "NOPE"},
            {"account_code": "1122", "debit": "5", "credit": "", "counterparty_code": "SUB"},
        )

        reading = read(raw)

        assert [(p.row, p.column, p.type) for p in reading.problems] == [
            (2, "account_code", "unknown_account"),
            (3, "debit", "invalid_amount"),
            (3, "credit", "invalid_amount"),
            (4, "account_code", "missing"),
            (4, "credit", "debit_and_credit"),
            (5, "counterparty_code", "unknown_counterparty"),
            (6, "counterparty_code", "unknown_counterparty"),
            (6, "account_code", "duplicate_line"),
            (7, "counterparty_code", "self_counterparty"),
        ]
        assert reading.problems[0].loc == ("file", 2, "account_code")

    def test_refuses_an_unbalanced_package(self) -> None:
        reading = read(
            rows({"account_code": "1002", "debit": "100"}, {"account_code": "4001", "credit": "90"})
        )

        assert [(p.row, p.type, p.reason) for p in reading.problems] == [
            (None, "unbalanced", "the package does not balance: debits 100, credits 90, difference 10")
        ]

    def test_refuses_an_empty_package(self) -> None:
        assert [p.type for p in read([]).problems] == ["empty_package"]

    def test_adds_up_local_codes_that_map_to_one_group_account(self) -> None:
        local = {"1001": "1002", "1012": "1002", "3001": "4001"}
        raw = rows(
            {"account_code": "1001", "debit": "30"},
            {"account_code": "1012", "debit": "70"},
            {"account_code": "3001", "credit": "100"},
        )

        reading = read(raw, local)

        assert reading.targets() == {("1002", None): D("100"), ("4001", None): D("-100")}


class TestAdjustment:
    def test_posts_exactly_the_differences(self) -> None:
        target = {("1002", None): D("150"), ("4001", None): D("-100"), ("6001", "P"): D("-50")}
        current = {("1002", None): D("100"), ("4001", None): D("-100"), ("2202", None): D("0")}

        lines = adjustment_lines(target=target, current=current)

        assert [(ln.account_code, ln.counterparty_entity_id, ln.debit, ln.credit) for ln in lines] == [
            ("1002", None, D("50"), D(0)),
            ("6001", "P", D(0), D("50")),
        ]

    def test_nothing_when_the_books_already_agree(self) -> None:
        target = {("1002", None): D("100"), ("4001", None): D("-100")}

        assert adjustment_lines(target=target, current=dict(target)) == []

    def test_refuses_an_unbalanced_side(self) -> None:
        with pytest.raises(ValueError, match="does not balance"):
            adjustment_lines(target={("1002", None): D("1")}, current={})


balances = st.dictionaries(
    st.tuples(st.sampled_from(sorted(CHART)), st.sampled_from([None, "P"])),
    st.decimals(D("-100000"), D("100000"), places=2),
    max_size=8,
)


def _balanced(values: dict[tuple[str, str | None], Decimal]) -> dict[tuple[str, str | None], Decimal]:
    out = dict(values)
    out[("4104", None)] = out.get(("4104", None), D(0)) - sum(values.values(), D(0))
    return out


@settings(max_examples=150, deadline=None)
@given(target=balances, current=balances)
def test_the_adjustment_takes_any_balanced_books_to_any_balanced_package(
    target: dict[tuple[str, str | None], Decimal],
    current: dict[tuple[str, str | None], Decimal],
) -> None:
    target, current = _balanced(target), _balanced(current)

    lines = adjustment_lines(target=target, current=current)

    after = dict(current)
    for line in lines:
        key = (line.account_code, line.counterparty_entity_id)
        after[key] = after.get(key, D(0)) + line.debit - line.credit
    assert {k: v for k, v in after.items() if v} == {k: v for k, v in target.items() if v}
    assert sum(ln.debit for ln in lines) == sum(ln.credit for ln in lines)
    assert adjustment_lines(target=target, current=after) == []
