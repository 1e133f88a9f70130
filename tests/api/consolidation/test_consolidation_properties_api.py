"""Invariants of a run made through HTTP, for random small groups (the engine's own properties are in
tests/unit/consolidation): the balance sheet balances, the elimination journal nets to zero, parent equity
plus NCI is total equity, and running again on the same records gives the same hashes."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.consolidation.consolidation_helpers import (
    CASH,
    INVENTORY,
    INVESTMENT_IN_SUBSIDIARIES,
    PAYABLE,
    RECEIVABLE,
    RETAINED_EARNINGS,
    SHARE_CAPITAL,
    D,
    Group,
)
from tests.conftest import Users

shares = st.integers(min_value=51, max_value=100).map(lambda n: Decimal(n) / 100)
amounts = st.integers(min_value=0, max_value=50000)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    share=shares,
    capital=st.integers(min_value=1, max_value=50000),
    earned=st.integers(min_value=-500, max_value=20000),
    consideration=amounts,
    owed=st.integers(min_value=0, max_value=1000),
    held=st.integers(min_value=0, max_value=1000),
    markup=st.integers(min_value=1, max_value=100).map(lambda n: Decimal(n) / 100),
)
def test_a_run_balances_and_is_reproducible(
    client: TestClient,
    users: Users,
    share: Decimal,
    capital: int,
    earned: int,
    consideration: int,
    owed: int,
    held: int,
    markup: Decimal,
) -> None:
    g = Group(client, users)
    g.companies("P", "S")
    g.package("S", "2025-01-01", {CASH: capital, SHARE_CAPITAL: capital})
    g.acquire("P", "S", "2025-01-01", str(share), consideration)
    g.package(
        "P",
        "2025-12-31",
        {
            (INVESTMENT_IN_SUBSIDIARIES, "S"): consideration,
            (RECEIVABLE, "S"): owed,
            SHARE_CAPITAL: consideration + owed,
        },
    )
    g.package(
        "S",
        "2025-12-31",
        {
            CASH: capital + earned + owed - held,
            INVENTORY: held,
            (PAYABLE, "P"): owed,
            SHARE_CAPITAL: capital,
            RETAINED_EARNINGS: earned,
        },
    )
    g.unrealized("P", "S", "2025-12-31", held, markup_on_cost=markup)

    first, second = g.run("P", "2025-12-31"), g.run("P", "2025-12-31")

    f = first.figures
    debits = sum(D(e["debit"]) for e in first.body["eliminations"])
    credits = sum(D(e["credit"]) for e in first.body["eliminations"])
    cent = Decimal("0.0002")  # figures are rounded one by one to 4 places
    assert abs(f["total_assets"] - f["total_liabilities"] - f["total_equity"]) <= cent
    assert abs(f["equity_attributable_to_parent"] + f["non_controlling_interest"] - f["total_equity"]) <= cent
    assert abs(debits - credits) <= Decimal("0.0001") * len(first.body["eliminations"])
    assert first.body["status"] == "consolidated"
    assert (first.body["input_hash"], first.body["result_hash"]) == (
        second.body["input_hash"],
        second.body["result_hash"],
    )
