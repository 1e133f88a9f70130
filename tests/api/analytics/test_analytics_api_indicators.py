"""Every indicator against the hand-computed small group of `analytics_helpers` (year 2025).

Hand computations (CNY):
    A: revenue 1,000, cost 700, profit 1,000 - 700 - 100 - 40 = 160; assets 2,200 -> 2,360 (cash 310,
       receivable 1,000, plant 1,300 - 300, construction 50); liabilities 60 (dividends); net fixed assets
       800 -> 1,000; dividends 60, depreciation 100, capex 300 + 50 = 350.
       net margin 160/1000 = 0.16; gross (1000-700)/1000 = 0.3; ROA 160/((2200+2360)/2) = 0.0701754.. ;
       retention (160-60)/160 = 0.625; IGF 160+100 = 260; self-financing 260/(350+60) = 0.6341463..;
       turnover 1000/((800+1000)/2) = 1.1111..
    B: revenue 400, profit 400-380-50 = -30; assets 1,100 -> 1,070; dividends 20; ROA -30/1085 = -0.0276497..;
       net margin -0.075; gross 0.05; retention none (a loss); self-financing -30/(0+20) = -1.5;
       turnover 400/600 = 0.6667
    C: revenue 600, profit 150; assets 800 -> 950; ROA 150/875 = 0.1714285..; retention 150/150 = 1;
       self-financing none (no investment, no dividends); turnover 600/500 = 1.2
    castings (A+B): revenue 1,400, profit 130, assets 3,300 -> 3,430, ROA 130/3365 = 0.0386329..;
       margin 130/1400 = 0.0928571..; retention (130-80)/130 = 0.3846153..; self-financing
       230/430 = 0.5348837..; turnover 1400/1500 = 0.9333..
    group (P, A, B, C): revenue 2,000, profit 280, assets 7,000 -> 7,280, ROA 280/7140 = 0.0392156..;
       retention 200/280 = 0.7142857..; self-financing 380/430 = 0.8837209..; turnover 2000/2000 = 1;
       gross (2000-1530)/2000 = 0.235
"""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from tests.api.analytics.analytics_helpers import API, build, d, indicators
from tests.conftest import Users


def test_company_indicators_match_the_hand_computation(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)

    rows = indicators(client, as_admin, level="company", parent_id=g["P"])

    a, b, c = rows[g["A"]], rows[g["B"]], rows[g["C"]]
    assert a["figures"]["revenue"] == "1000.0000"
    assert a["figures"]["net_profit"] == "160.0000"
    assert a["figures"]["total_assets_opening"] == "2200.0000"
    assert a["figures"]["total_assets"] == "2360.0000"
    assert a["figures"]["total_liabilities"] == "60.0000"
    assert a["figures"]["equity"] == "2300.0000"
    assert a["figures"]["fixed_assets_net_opening"] == "800.0000"
    assert a["figures"]["fixed_assets_net"] == "1000.0000"
    assert a["figures"]["dividends_declared"] == "60.0000"
    assert a["figures"]["depreciation"] == "100.0000"
    assert a["figures"]["capex"] == "350.0000"
    assert a["figures"]["internally_generated_funds"] == "260.0000"
    assert a["indicators"] == {
        "net_margin": "0.160000",
        "gross_margin": "0.300000",
        "return_on_assets": "0.070175",
        "retention_ratio": "0.625000",
        "self_financing_ratio": "0.634146",
        "fixed_asset_turnover": "1.111111",
        "idle_asset_share": None,
    }
    assert b["figures"]["net_profit"] == "-30.0000"
    assert b["indicators"]["net_margin"] == "-0.075000"
    assert b["indicators"]["gross_margin"] == "0.050000"
    assert b["indicators"]["return_on_assets"] == "-0.027650"
    assert b["indicators"]["retention_ratio"] is None
    assert b["indicators"]["self_financing_ratio"] == "-1.500000"
    assert b["indicators"]["fixed_asset_turnover"] == "0.666667"
    assert c["indicators"]["return_on_assets"] == "0.171429"
    assert c["indicators"]["retention_ratio"] == "1.000000"
    assert c["indicators"]["self_financing_ratio"] is None
    assert c["indicators"]["fixed_asset_turnover"] == "1.200000"
    assert a["company"]["segment"] == "castings"
    assert a["companies"] == 1


def test_segment_and_group_indicators_are_those_of_the_summed_figures(
    client: TestClient, as_admin: dict[str, str]
) -> None:
    g = build(client, as_admin)

    segments = indicators(client, as_admin, level="segment", parent_id=g["P"])
    group = indicators(client, as_admin, level="group", parent_id=g["P"])["group"]

    castings = segments["castings"]
    assert castings["companies"] == 2
    assert castings["figures"]["revenue"] == "1400.0000"
    assert castings["figures"]["net_profit"] == "130.0000"
    assert castings["indicators"]["return_on_assets"] == "0.038633"
    assert castings["indicators"]["net_margin"] == "0.092857"
    assert castings["indicators"]["retention_ratio"] == "0.384615"
    assert castings["indicators"]["self_financing_ratio"] == "0.534884"
    assert castings["indicators"]["fixed_asset_turnover"] == "0.933333"
    assert segments["holding"]["indicators"]["net_margin"] is None
    assert group["companies"] == 4
    assert group["figures"]["total_assets"] == "7280.0000"
    assert group["figures"]["revenue"] == "2000.0000"
    assert group["indicators"]["return_on_assets"] == "0.039216"
    assert group["indicators"]["retention_ratio"] == "0.714286"
    assert group["indicators"]["self_financing_ratio"] == "0.883721"
    assert group["indicators"]["fixed_asset_turnover"] == "1.000000"
    assert group["indicators"]["gross_margin"] == "0.235000"
    assert group["indicators"]["net_margin"] == "0.140000"


def test_a_period_of_one_quarter_reads_its_own_flows(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)

    rows = indicators(
        client, as_admin, level="company", parent_id=g["P"], **{"from": "2025-04-01", "to": "2025-06-30"}
    )

    a = rows[g["A"]]
    # only the depreciation of June falls in the second quarter: a loss of 100, no revenue
    assert a["figures"]["revenue"] == "0.0000"
    assert a["figures"]["net_profit"] == "-100.0000"
    assert (
        a["figures"]["total_assets_opening"] == "2500.0000"
    )  # 31 March: cash 700, receivable 1,000, plant 800
    assert a["indicators"]["net_margin"] is None
    assert a["figures"]["dividends_declared"] == "60.0000"


def test_idle_share_comes_from_the_asset_register(client: TestClient, as_admin: dict[str, str]) -> None:
    """A registers two assets on 31 December 2024 (nothing posted): a press bought December 2022, cost 1,200
    over 120 months, 240 depreciated by then (10 a month: 1,200 - 240 - 120 = 840 at the end of 2025), and an
    idle line bought December 2024, cost 600 over 60 months (10 a month: 480). Idle share 480 / 1,320."""
    g = build(client, as_admin)
    for body in (
        {
            "tag": "press",
            "cost": "1200",
            "useful_life_months": 120,
            "accumulated_depreciation": "240",
            "acquired_on": "2022-12-15",
        },
        {
            "tag": "idle-line",
            "cost": "600",
            "useful_life_months": 60,
            "status": "idle",
            "acquired_on": "2024-12-15",
        },
    ):
        response = client.post(
            f"{API}/assets",
            json={
                "entity_id": g["A"],
                "name": "设备 equipment",
                "category": "machinery",
                "opening_balance_on": "2024-12-31",
                "residual_value": "0",
                "method": "straight_line",
                **body,
                "tag": f"{body['tag']}-{g.suffix}",
            },
            headers=as_admin,
        )
        assert response.status_code == 201, response.text

    a = indicators(client, as_admin, level="company", parent_id=g["P"])[g["A"]]

    assert a["figures"]["register_carrying_amount"] == "1320.0000"
    assert a["figures"]["idle_carrying_amount"] == "480.0000"
    assert a["indicators"]["idle_asset_share"] == "0.363636"


def test_concentration_per_segment(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)

    response = client.get(
        f"{API}/analytics/concentration",
        params={"from": "2025-01-01", "to": "2025-12-31", "parent_id": g["P"]},
        headers=as_admin,
    )

    assert response.status_code == 200, response.text
    segments = {s["segment"]: s for s in response.json()["segments"]}
    castings = segments["castings"]
    # shares 1000/1400 and 400/1400; HHI (29/49) x 10,000 = 5,918.37; CR4 1; 49/29 equal makers
    assert [(s["company"]["entity_id"], s["share"]) for s in castings["shares"]] == [
        (g["A"], "0.714286"),
        (g["B"], "0.285714"),
    ]
    assert castings["hhi"] == "5918.37"
    assert castings["cr4"] == "1.000000"
    assert castings["equivalent_makers"] == "1.69"
    assert castings["makers"] == 2
    assert castings["total_revenue"] == "1400.0000"
    assert segments["brakes"]["hhi"] == "10000.00"
    assert segments["holding"]["hhi"] is None


def test_trends_by_quarter(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)

    response = client.get(
        f"{API}/analytics/trends",
        params={"indicator": "revenue", "level": "group", "periods": 4, "granularity": "quarter",
                "to": "2025-12-31", "parent_id": g["P"]},
        headers=as_admin,
    )  # fmt: skip

    assert response.status_code == 200, response.text
    body = response.json()
    points = body["series"][0]["points"]
    assert [p["value"] for p in points] == ["1000.0000", "400.0000", "600.0000", "0.0000"]
    assert [p["change"] for p in points] == [None, "-600.0000", "200.0000", "-600.0000"]
    assert [p["growth"] for p in points] == [None, "-0.600000", "0.500000", "-1.000000"]
    assert [p["from"] for p in body["periods"]] == ["2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"]


def test_hhi_trend_per_segment(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)

    response = client.get(
        f"{API}/analytics/trends",
        params={"indicator": "hhi", "level": "segment", "periods": 2, "granularity": "quarter",
                "to": "2025-06-30", "parent_id": g["P"]},
        headers=as_admin,
    )  # fmt: skip

    assert response.status_code == 200, response.text
    castings = next(s for s in response.json()["series"] if s["key"] == "castings")
    # Q1: A alone sells (10,000); Q2: B alone sells (10,000)
    assert [p["value"] for p in castings["points"]] == ["10000.00", "10000.00"]


def test_a_limited_user_sees_only_its_companies(client: TestClient, users: Users) -> None:
    admin = users.headers("admin")
    g = build(client, admin)
    users.create(f"lim{g.suffix}", "viewer", entity_ids=[g["A"]])
    limited = users.headers(f"lim{g.suffix}")

    response = client.get(
        f"{API}/analytics/indicators",
        params={"from": "2025-01-01", "to": "2025-12-31", "level": "group"},
        headers=limited,
    )
    hidden_parent = client.get(
        f"{API}/analytics/indicators",
        params={"to": "2025-12-31", "parent_id": g["P"]},
        headers=limited,
    )

    assert response.status_code == 200
    group = response.json()["items"][0]
    assert group["companies"] == 1
    assert group["figures"]["revenue"] == "1000.0000"
    assert hidden_parent.status_code == 404


def test_refusals(client: TestClient, as_admin: dict[str, str]) -> None:
    reversed_period = client.get(
        f"{API}/analytics/indicators", params={"from": "2025-12-31", "to": "2025-01-01"}, headers=as_admin
    )
    wrong_level = client.get(
        f"{API}/analytics/trends",
        params={"indicator": "hhi", "level": "group", "to": "2025-12-31"},
        headers=as_admin,
    )
    ancient = client.get(f"{API}/analytics/indicators", params={"to": "0001-01-01"}, headers=as_admin)

    assert reversed_period.status_code == 422
    assert reversed_period.json()["type"].endswith("analytics-query-invalid")
    assert wrong_level.status_code == 422
    assert ancient.status_code == 422


def test_decimals_travel_as_strings(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)

    group = indicators(client, as_admin, level="group", parent_id=g["P"])["group"]

    assert isinstance(group["figures"]["revenue"], str)
    assert Decimal(group["indicators"]["return_on_assets"]) == d("0.039216")
