"""The restructuring planner: a planned absorption merger shows the figures its commit then produces."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.context import SYSTEM_ACTOR
from app.events import service as events_service
from tests.api.analytics.analytics_helpers import API, build
from tests.conftest import Users

PREVIEW = f"{API}/analytics/plans/preview"
NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _merger(survivor: str, absorbed: str, on: str = "2025-07-01") -> dict[str, Any]:
    return {
        "type": "merger",
        "kind": "absorption",
        "survivor_id": survivor,
        "absorbed_ids": [absorbed],
        "merged_on": on,
        "exchange_ratios": [{"entity_id": absorbed, "value": "1"}],
    }


def _state(client: TestClient, headers: dict[str, str], parent_id: str) -> dict[str, Any]:
    """The indicators of 2025 at every level, as the preview's `before`/`after` shows them."""
    out: dict[str, Any] = {}
    for level, key in (("company", "companies"), ("segment", "segments"), ("group", "group")):
        response = client.get(
            f"{API}/analytics/indicators",
            params={"from": "2025-01-01", "to": "2025-12-31", "level": level, "parent_id": parent_id},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        out[key] = items[0] if level == "group" else items
    concentration = client.get(
        f"{API}/analytics/concentration",
        params={"from": "2025-01-01", "to": "2025-12-31", "parent_id": parent_id},
        headers=headers,
    )
    out["concentration"] = concentration.json()["segments"]
    return out


def test_a_planned_absorption_merger_equals_its_commit(
    client: TestClient, as_admin: dict[str, str], session: Session
) -> None:
    g = build(client, as_admin)
    body = {
        "from": "2025-01-01",
        "to": "2025-12-31",
        "parent_id": g["P"],
        "events": [_merger(g["A"], g["B"])],
    }
    before = _state(client, as_admin, g["P"])

    preview = client.post(PREVIEW, json=body, headers=as_admin)
    events_service.commit_event(
        session,
        actor=SYSTEM_ACTOR,
        request=events_service.MergerRequest(
            kind="absorption",
            survivor_id=g["A"],
            absorbed_ids=(g["B"],),
            on=date(2025, 7, 1),
            exchange_ratios={g["B"]: Decimal(1)},
        ),
        request_document={"planned": "by the analytics test"},
        now=NOW,
    )
    session.commit()
    committed = _state(client, as_admin, g["P"])

    assert preview.status_code == 200, preview.text
    answer = preview.json()
    assert answer["ok"] is True
    assert answer["events"][0]["plan"]["kind"] == "merger_absorption"
    assert answer["before"] == before
    assert answer["after"] == committed
    # what changed: B is emptied (its opening and own flows stay its own), A carries B's year, the castings
    # segment has one maker left, the group's figures are those it had
    after_companies = {c["key"]: c for c in answer["after"]["companies"]}
    assert after_companies[g["B"]]["figures"]["total_assets"] == "0.0000"
    assert after_companies[g["B"]]["figures"]["revenue"] == "0.0000"
    assert after_companies[g["B"]]["figures"]["dividends_declared"] == "20.0000"
    assert after_companies[g["A"]]["figures"]["revenue"] == "1400.0000"
    assert after_companies[g["A"]]["figures"]["net_profit"] == "130.0000"
    castings = next(s for s in answer["after"]["concentration"] if s["segment"] == "castings")
    assert castings["hhi"] == "10000.00"
    assert answer["after"]["group"]["figures"] == answer["before"]["group"]["figures"]


def test_an_asset_transfer_moves_the_idle_asset_and_its_carrying_amount(
    client: TestClient, as_admin: dict[str, str]
) -> None:
    """B gives A its idle line (cost 600, 10 a month from January 2025) free on 30 June 2025: B catches up
    six months of depreciation (60) first; the register at the year end moves 480 from B to A."""
    g = build(client, as_admin)
    response = client.post(
        f"{API}/assets",
        json={
            "entity_id": g["B"],
            "tag": f"idle-{g.suffix}",
            "name": "闲置生产线 idle line",
            "category": "production_line",
            "acquired_on": "2024-12-15",
            "opening_balance_on": "2024-12-31",
            "cost": "600",
            "residual_value": "0",
            "useful_life_months": 60,
            "method": "straight_line",
            "status": "idle",
        },
        headers=as_admin,
    )
    assert response.status_code == 201, response.text
    asset_id = response.json()["id"]
    transfer = {
        "type": "asset_transfer",
        "asset_id": asset_id,
        "to_entity_id": g["A"],
        "kind": "free_transfer",
        "transfer_on": "2025-06-30",
    }

    answer = client.post(
        PREVIEW,
        json={"from": "2025-01-01", "to": "2025-12-31", "parent_id": g["P"], "events": [transfer]},
        headers=as_admin,
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    event = body["events"][0]
    assert event["ok"] is True
    assert event["asset_transfer"]["catch_up_depreciation"] == "60.0000"
    assert event["asset_transfer"]["carrying_amount"] == "540.0000"
    before = {c["key"]: c for c in body["before"]["companies"]}
    after = {c["key"]: c for c in body["after"]["companies"]}
    assert before[g["B"]]["figures"]["idle_carrying_amount"] == "480.0000"
    assert after[g["B"]]["figures"]["idle_carrying_amount"] == "0.0000"
    assert after[g["A"]]["figures"]["idle_carrying_amount"] == "480.0000"
    assert after[g["B"]]["figures"]["depreciation"] == "60.0000"
    assert after[g["B"]]["figures"]["net_profit"] == "-90.0000"
    # B's plant leaves at carrying amount through capital reserve; A takes it over: total assets move by 540
    assert (
        Decimal(after[g["A"]]["figures"]["total_assets"]) - Decimal(before[g["A"]]["figures"]["total_assets"])
        == 540
    )


def test_events_naming_one_company_twice_are_refused(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)
    body = {
        "from": "2025-01-01",
        "to": "2025-12-31",
        "events": [_merger(g["A"], g["B"]), _merger(g["C"], g["A"], on="2025-08-01")],
    }

    response = client.post(PREVIEW, json=body, headers=as_admin)

    assert response.status_code == 422
    assert response.json()["type"].endswith("analytics-plan-invalid")
    assert response.json()["errors"][0]["type"] == "events_overlap"


def test_a_plan_naming_a_hidden_company_is_not_found(client: TestClient, users: Users) -> None:
    admin = users.headers("admin")
    g = build(client, admin)
    users.create(f"acc{g.suffix}", "accountant", entity_ids=[g["A"]])
    body = {"from": "2025-01-01", "to": "2025-12-31", "events": [_merger(g["A"], g["B"])]}

    response = client.post(PREVIEW, json=body, headers=users.headers(f"acc{g.suffix}"))
    viewer = client.post(PREVIEW, json=body, headers=users.headers("viewer"))

    assert response.status_code == 404
    assert viewer.status_code == 403


def test_merger_candidates_rank_the_weak_maker_with_reasons(
    client: TestClient, as_admin: dict[str, str]
) -> None:
    """B is a castings maker like A: smaller in assets and revenue than the makers' median (A 2,360 and 1,000,
    B 1,070 and 400, C 950 and 600: medians 1,070 and 600 -> B is not below the assets median but is below
    the revenue one), loss-making, paying dividends it did not earn (weak self-financing). A, the segment's
    largest maker, is the suggested survivor; C has no peer in its segment."""
    g = build(client, as_admin)

    response = client.get(
        f"{API}/analytics/merger-candidates",
        params={"as_of": "2025-12-31", "parent_id": g["P"]},
        headers=as_admin,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert body["benchmarks"]["makers"] == 3
    assert body["benchmarks"]["median_total_assets"] == "1070.0000"
    assert body["benchmarks"]["median_revenue"] == "600.0000"
    [candidate] = body["candidates"]
    assert candidate["company"]["entity_id"] == g["B"]
    assert candidate["suggested_survivor"]["entity_id"] == g["A"]
    assert [r["criterion"] for r in candidate["reasons"]] == [
        "overlap",
        "small_revenue",
        "loss",
        "weak_self_financing",
    ]
    assert candidate["score"] == 4
    assert candidate["segment_share"] == "0.285714"
    assert candidate["combined_share"] == "1.000000"
    assert candidate["hhi_before"] == "5918.37"
    assert candidate["hhi_after"] == "10000.00"
