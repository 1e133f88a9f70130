"""C-09 (Allen White, Direct Consolidation 8.3) end to end through the HTTP API.

A buys an asset for 300 (10 years, straight-line: 30 a year) and after 3 years sells it for 280 to B, a
sister company; B depreciates 280 over the 7 years left (40 a year) and at the start of year 3 sells it for
260 to an outside party. Published figures: A's statutory result 70, 0, 0; B's -40, -40, +60; B's NBV at the
end of year 2 is 200; group view: gain 70 eliminated, released 10 a year, group gain on the final sale 110
(260 - 150), consolidated NBV 180 and depreciation 30 in year 1.

The case works in whole years with the transfer and the sale on 1 January, so the asset uses the
`full_month_first` convention (a full month in the month added, none in the month it leaves); under the
Chinese default the seller would still be charged January of the transfer year.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.assets.helpers import (
    API,
    approve,
    balances,
    make_asset,
    make_entity,
    make_group,
    request_transfer,
    run,
)
from tests.conftest import Users

D = Decimal
YEAR1, YEAR2, YEAR3 = 2024, 2025, 2026


def _result(tb: dict[str, Decimal]) -> Decimal:
    """Profit for the year to date from a trial balance: income (6xxx credit) less expenses."""
    income = {"6115"}
    expenses = {"6602", "6711", "6701"}
    return sum((tb.get(c, D(0)) for c in income), D(0)) - sum((tb.get(c, D(0)) for c in expenses), D(0))


@pytest.fixture
def c09(client: TestClient, users: Users) -> dict[str, Any]:
    admin, acct, ctl = users.headers("admin"), users.headers("accountant"), users.headers("controller")
    _, (a, b) = make_group(client, admin)
    outsider = make_entity(client, admin, kind="external")
    asset = make_asset(
        client,
        acct,
        entity_id=a,
        tag="C09-ASSET",
        acquired_on="2021-01-01",
        cost="300.00",
        residual_value="0",
        useful_life_months=120,
        method="straight_line",
        convention="full_month_first",
    )
    yearly_a = [
        run(client, acct, period=f"{y}-12", entity_id=a)["runs"][0]["total"] for y in (2021, 2022, 2023)
    ]
    transfer = request_transfer(
        client,
        acct,
        asset_id=asset["id"],
        to_entity_id=b,
        kind="sale",
        price="280.00",
        transfer_on=f"{YEAR1}-01-01",
    ).json()
    executed = approve(client, ctl, transfer["id"]).json()
    yearly_b = [run(client, acct, period=f"{y}-12", entity_id=b)["runs"][0]["total"] for y in (YEAR1, YEAR2)]
    sold = client.post(
        f"{API}/assets/{asset['id']}/dispose",
        json={
            "disposed_on": f"{YEAR3}-01-01",
            "kind": "sale",
            "proceeds": "260.00",
            "counterparty_entity_id": outsider,
        },
        headers=acct,
    ).json()
    return {
        "a": a,
        "b": b,
        "asset": asset["id"],
        "acct": acct,
        "transfer": executed,
        "sale": sold,
        "yearly_a": yearly_a,
        "yearly_b": yearly_b,
    }


def test_statutory_books_of_seller_and_buyer(client: TestClient, c09: dict[str, Any]) -> None:
    acct, transfer = c09["acct"], c09["transfer"]
    a_tb = [balances(client, acct, entity_id=c09["a"], as_of=f"{y}-12-31") for y in (YEAR1, YEAR2, YEAR3)]
    b_tb = [balances(client, acct, entity_id=c09["b"], as_of=f"{y}-12-31") for y in (YEAR1, YEAR2, YEAR3)]
    a_years, b_years = [_result(tb) for tb in a_tb], [_result(tb) for tb in b_tb]

    # Inputs: A depreciates 30 a year and sells at NBV 210 for 280; B depreciates 280 over 7 years.
    assert c09["yearly_a"] == ["30.00", "30.00", "30.00"]
    assert (transfer["status"], transfer["carrying_amount"], transfer["price"], transfer["gain"]) == (
        "executed",
        "210.00",
        "280.00",
        "70.00",
    )
    assert c09["yearly_b"] == ["40.00", "40.00"]
    # Statutory results by year.
    assert a_years == [D(70), D(0), D(0)]
    assert b_years == [D(-40), D(-40), D(60)]
    assert [x + y for x, y in zip(a_years, b_years, strict=True)] == [D(30), D(-40), D(60)]
    assert sum(a_years + b_years) == D(50)
    # The seller: cost and accumulated depreciation gone, 90 of earlier depreciation in retained earnings.
    assert a_tb[0] == {"1002": D(-300), "1221": D(280), "6115": D(70), "4104": D(-90)}
    # The buyer: NBV 200 at the end of year 2; sold for 260, gain 60.
    assert a_tb[0]["1221"] == b_tb[1]["2241"] == D(280)
    assert b_tb[1]["1601"] - b_tb[1]["1602"] == D(200)
    assert (c09["sale"]["carrying_amount"], c09["sale"]["gain"]) == ("200.00", "60.00")
    assert b_tb[2] == {"1002": D(260), "2241": D(280), "4104": D(-80), "6115": D(60)}


def test_the_group_view(client: TestClient, c09: dict[str, Any]) -> None:
    acct = c09["acct"]
    urp = {
        y: next(
            i
            for i in client.get(
                f"{API}/unrealized-asset-profits", params={"as_of": f"{y}-12-31"}, headers=acct
            ).json()["items"]
            if i["record"]["asset_id"] == c09["asset"]
        )
        for y in (YEAR1, YEAR2, YEAR3)
    }
    year1 = client.get(
        f"{API}/asset-roll-forward", params={"from": f"{YEAR1}-01-01", "to": f"{YEAR1}-12-31"}, headers=acct
    ).json()

    assert c09["transfer"]["unrealized_profit"]["gain"] == "70.00"
    assert [(urp[y]["arising"], urp[y]["released"], urp[y]["unrealized"]) for y in (YEAR1, YEAR2, YEAR3)] == [
        ("70.00", "10.00", "60.00"),
        ("0.00", "10.00", "50.00"),
        ("0.00", "50.00", "0.00"),
    ]
    # Consolidated result per year: statutory total less the gain arising plus what is released.
    assert [
        D(s) - D(urp[y]["arising"]) + D(urp[y]["released"])
        for s, y in zip(("30", "-40", "60"), (YEAR1, YEAR2, YEAR3), strict=True)
    ] == [D(-30), D(-30), D(110)]
    assert (c09["sale"]["group_carrying_amount"], c09["sale"]["group_gain"]) == ("150.00", "110.00")
    assert (year1["group"]["depreciation"], year1["group"]["closing"]) == ("30.00", "180.00")
