"""Trial-balance maths: balance sheet cumulative, P&L year to date, earlier profit in retained earnings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ledger.domain.trial_balance import AccountNature, Movement, net_balances, trial_balance

D = Decimal
NATURES = {
    "1002": AccountNature("asset", "debit"),
    "1602": AccountNature("asset", "credit"),
    "2202": AccountNature("liability", "credit"),
    "4104": AccountNature("equity", "credit"),
    "6001": AccountNature("income", "credit"),
    "6401": AccountNature("expense", "debit"),
}
MOVEMENTS = [
    Movement("1002", None, 2025, D("1000"), D("300")),
    Movement("6001", "E2", 2025, D("0"), D("1000")),
    Movement("6401", None, 2025, D("300"), D("0")),
    Movement("1002", None, 2026, D("500"), D("0")),
    Movement("6001", None, 2026, D("0"), D("500")),
    Movement("1602", None, 2026, D("0"), D("40")),
    Movement("6401", None, 2026, D("40"), D("0")),
]


class TestTrialBalance:
    def test_rolls_prior_years_profit_into_retained_earnings_across_the_year_boundary(self) -> None:
        lines = trial_balance(
            as_of_year=2026, movements=MOVEMENTS, accounts=NATURES, retained_earnings_code="4104"
        )

        assert [
            (ln.account_code, ln.counterparty_entity_id, ln.debit, ln.credit, ln.balance) for ln in lines
        ] == [
            ("1002", None, D("1200"), D("0"), D("1200")),
            ("1602", None, D("0"), D("40"), D("40")),
            ("4104", None, D("0"), D("700"), D("700")),
            ("6001", None, D("0"), D("500"), D("500")),
            ("6401", None, D("40"), D("0"), D("40")),
        ]
        assert sum(ln.debit for ln in lines) == sum(ln.credit for ln in lines) == D("1240")

    def test_keeps_counterparties_within_the_year(self) -> None:
        lines = trial_balance(
            as_of_year=2025, movements=MOVEMENTS[:3], accounts=NATURES, retained_earnings_code="4104"
        )

        assert [(ln.account_code, ln.counterparty_entity_id, ln.credit) for ln in lines if ln.credit] == [
            ("6001", "E2", D("1000"))
        ]

    def test_a_balance_against_the_normal_side_is_negative(self) -> None:
        lines = trial_balance(
            as_of_year=2026,
            movements=[
                Movement("2202", None, 2026, D("5"), D("0")),
                Movement("1002", None, 2026, D("0"), D("5")),
            ],
            accounts=NATURES,
            retained_earnings_code="4104",
        )

        assert [(ln.account_code, ln.balance) for ln in lines] == [("1002", D("-5")), ("2202", D("-5"))]

    def test_refuses_movements_after_the_year(self) -> None:
        with pytest.raises(ValueError, match="after the trial balance year"):
            net_balances(
                as_of_year=2025, movements=MOVEMENTS, accounts=NATURES, retained_earnings_code="4104"
            )


codes = st.sampled_from(sorted(NATURES))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(codes, codes, st.integers(2023, 2026), st.decimals(D("0.01"), D("99999"), places=2)),
        max_size=20,
    )
)
def test_balanced_movements_give_a_balanced_trial_balance_in_any_year(
    postings: list[tuple[str, str, int, Decimal]],
) -> None:
    movements = [
        m
        for debit, credit, year, amount in postings
        for m in (Movement(debit, None, year, amount, D(0)), Movement(credit, None, year, D(0), amount))
    ]

    lines = trial_balance(
        as_of_year=2026, movements=movements, accounts=NATURES, retained_earnings_code="4104"
    )

    assert sum(ln.debit for ln in lines) == sum(ln.credit for ln in lines)
    pnl_of_this_year = [
        m for m in movements if m.year == 2026 and NATURES[m.account_code].type in ("income", "expense")
    ]
    assert sum(ln.net for ln in lines if NATURES[ln.account_code].type in ("income", "expense")) == sum(
        (m.debit - m.credit for m in pnl_of_this_year), D(0)
    )
