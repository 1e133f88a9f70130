"""Entry rules: balance per currency, one side per line, known accounts, all violations at once; reversals."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ledger.domain.entries import EntryCheck, LineDraft, check_entry, reversal_lines

ACCOUNTS = {"1002", "1122", "2202", "6001", "6401"}
D = Decimal


def check(lines: list[LineDraft], functional: str = "CNY") -> EntryCheck:
    return check_entry(
        entity_id="E1",
        functional_currency=functional,
        lines=lines,
        known_accounts=ACCOUNTS,
        known_entities={"E2"},
    )


class TestCheckEntry:
    def test_accepts_a_balanced_entry_and_fills_in_currency_and_rate(self) -> None:
        lines = [
            LineDraft("1122", debit=D("113.00"), counterparty_entity_id="E2"),
            LineDraft("6001", credit=D("113")),
        ]

        result = check(lines)

        assert result.ok
        assert [(ln.line_no, ln.currency, ln.amount_in_currency, ln.rate) for ln in result.lines] == [
            (1, "CNY", D("113.00"), D(1)),
            (2, "CNY", D("113"), D(1)),
        ]
        assert result.lines[0].counterparty_entity_id == "E2"

    def test_names_the_imbalance(self) -> None:
        lines = [LineDraft("1002", debit=D("100")), LineDraft("6001", credit=D("90.5"))]

        result = check(lines)

        assert [v.type for v in result.violations] == ["unbalanced"]
        assert result.imbalances[0].currency == "CNY"
        assert result.imbalances[0].difference == D("9.5")
        assert "differ by 9.5" in result.violations[0].msg

    def test_lists_every_violation_at_once(self) -> None:
        lines = [
            LineDraft("9999", debit=D("10")),
            LineDraft("1002", debit=D("-1")),
            LineDraft("6001", debit=D("5"), credit=D("5")),
            LineDraft("6401", credit=D("1.00001")),
            LineDraft("2202"),
            LineDraft("1122", debit=D("1"), counterparty_entity_id="E1"),
            LineDraft("1122", debit=D("1"), counterparty_entity_id="NOPE"),
        ]

        result = check(lines)

        assert sorted((v.loc, v.type) for v in result.violations) == sorted(
            [
                (("body", "lines", 0, "account_code"), "unknown_account"),
                (("body", "lines", 1, "debit"), "negative_amount"),
                (("body", "lines", 2), "debit_and_credit"),
                (("body", "lines", 3, "credit"), "too_many_decimals"),
                (("body", "lines", 4), "no_amount"),
                (("body", "lines", 5, "counterparty_entity_id"), "self_counterparty"),
                (("body", "lines", 6, "counterparty_entity_id"), "unknown_counterparty"),
            ]
        )

    def test_needs_two_lines(self) -> None:
        result = check([LineDraft("1002", debit=D("1"))])

        assert [v.type for v in result.violations] == ["too_few_lines", "unbalanced"]

    def test_reports_imbalance_beside_an_unknown_account(self) -> None:
        result = check([LineDraft("9999", debit=D("2")), LineDraft("6001", credit=D("1"))])

        assert {v.type for v in result.violations} == {"unknown_account", "unbalanced"}


class TestForeignCurrency:
    def test_derives_the_rate_from_the_amounts(self) -> None:
        lines = [
            LineDraft("1002", debit=D("710.50"), currency="USD", amount_in_currency=D("100")),
            LineDraft("6001", credit=D("710.50"), currency="USD", amount_in_currency=D("100")),
        ]

        result = check(lines)

        assert result.ok
        assert result.lines[0].rate == D("7.105000000000")

    def test_refuses_a_rate_that_disagrees_with_the_amounts(self) -> None:
        lines = [
            LineDraft("1002", debit=D("720"), currency="USD", amount_in_currency=D("100"), rate=D("7.1")),
            LineDraft("6001", credit=D("720")),
        ]

        result = check(lines)

        assert [(v.loc, v.type) for v in result.violations] == [
            (("body", "lines", 0, "rate"), "rate_mismatch")
        ]

    def test_needs_the_amount_in_currency(self) -> None:
        result = check([LineDraft("1002", debit=D("7"), currency="USD"), LineDraft("6001", credit=D("7"))])

        assert [v.type for v in result.violations] == ["missing_amount_in_currency"]

    def test_an_entry_wholly_in_one_currency_balances_in_it(self) -> None:
        lines = [
            LineDraft("1002", debit=D("710"), currency="USD", amount_in_currency=D("100")),
            LineDraft("6001", credit=D("710"), currency="USD", amount_in_currency=D("99")),
        ]

        result = check(lines)

        assert [(i.currency, i.difference) for i in result.imbalances] == [("USD", D("1"))]

    def test_a_mixed_currency_entry_balances_in_the_functional_currency(self) -> None:
        lines = [
            LineDraft("1002", debit=D("710"), currency="USD", amount_in_currency=D("100")),
            LineDraft("1002", credit=D("710")),
        ]

        assert check(lines).ok


class TestReversal:
    def test_swaps_sides_and_keeps_tags(self) -> None:
        posted = check(
            [LineDraft("1122", debit=D("50"), counterparty_entity_id="E2"), LineDraft("6001", credit=D("50"))]
        ).lines

        reversed_lines = reversal_lines(posted)

        assert [
            (ln.account_code, ln.debit, ln.credit, ln.counterparty_entity_id) for ln in reversed_lines
        ] == [("1122", D(0), D("50"), "E2"), ("6001", D("50"), D(0), None)]


amounts = st.decimals(min_value=D("0.0001"), max_value=D("1000000"), places=4)


@settings(max_examples=200, deadline=None)
@given(debits=st.lists(amounts, min_size=1, max_size=6), credits=st.lists(amounts, min_size=1, max_size=6))
def test_an_entry_is_accepted_exactly_when_it_balances_and_its_reversal_cancels_it(
    debits: list[Decimal], credits: list[Decimal]
) -> None:
    lines = [LineDraft("1002", debit=d) for d in debits] + [LineDraft("6001", credit=c) for c in credits]

    result = check(lines)

    assert result.ok == (sum(debits) == sum(credits))
    if result.ok:
        both = result.lines + reversal_lines(result.lines)
        assert sum(ln.net for ln in both) == 0
        assert sum(ln.debit for ln in reversal_lines(result.lines)) == sum(credits)
