"""The merger scenario of issue #7 through HTTP, with assets in the register and consolidation runs.

P bought two parts makers outright in 2025: M1 (capital 1,000, for 1,200: goodwill 200) and M2 (capital
600, for 700: goodwill 100). Each holds a few per cent of a third company C (M1 10%, capital 100; M2 8%,
capital 80; an outsider X the rest). M2 carries a production line (cost 1,200, 10 years) and tooling (cost
600, 5 years, impaired by 100 in March); M1 a press (cost 2,400, 10 years). M1 lent M2 250. The 2026 books
are depreciated through June, and on 30 June 2026 M2 is absorbed into M1 at one unit of M1's capital per
unit of M2's. The group is consolidated as of 30 June 2026 before the merger and again after it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.api.events.events_api_helpers import Group, call, figures, without_ids
from tests.conftest import Users

API = "/api/v1"
BEFORE, ON = "2026-06-29", "2026-06-30"
D = Decimal


def _post(client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), f"{path}: {response.text}"
    return response.json()


def _asset(client: TestClient, headers: dict[str, str], g: Group, holder: str, **body: Any) -> str:
    answer = _post(
        client,
        headers,
        "/assets",
        {
            "entity_id": g[holder],
            "tag": f"{body.pop('tag')}{g.suffix}",
            "acquired_on": "2026-01-05",
            "residual_value": "0",
            "method": "straight_line",
            **body,
        },
    )
    return str(answer["id"])


def build(client: TestClient, headers: dict[str, str]) -> tuple[Group, dict[str, str]]:
    g = Group(client, headers)
    g.entities("P", "M1", "M2", "C")
    g.entity("X", kind="external")
    g.stake("P", "M1", "1", capital="1000", valid_from="2025-01-01")
    g.stake("P", "M2", "1", capital="600", valid_from="2025-01-01")
    g.stake("M1", "C", "0.1", capital="100", valid_from="2025-01-01")
    g.stake("M2", "C", "0.08", capital="80", valid_from="2025-01-01")
    g.stake("X", "C", "0.82", capital="820", valid_from="2025-01-01")
    g.post(
        "P",
        "2026-01-02",
        ("151101", 1200, 0, "M1"),
        ("151101", 700, 0, "M2"),
        ("1002", 100, 0),
        ("4001", 0, 2000),
    )
    g.post("M1", "2026-01-02", ("1002", 4000, 0), ("1507", 100, 0, "C"), ("4001", 0, 1000), ("4104", 0, 3100))
    g.post("M2", "2026-01-02", ("1002", 2600, 0), ("1507", 80, 0, "C"), ("4001", 0, 600), ("4104", 0, 2080))
    g.post("C", "2026-01-02", ("1002", 1000, 0), ("4001", 0, 1000))
    g.post("M1", "2026-03-01", ("1221", 250, 0, "M2"), ("1002", 0, 250))
    g.post("M2", "2026-03-01", ("1002", 250, 0), ("2241", 0, 250, "M1"))
    g.post("M1", "2026-04-01", ("1002", 300, 0), ("6001", 0, 300))
    g.post("M2", "2026-04-01", ("6602", 50, 0), ("1002", 0, 50))
    for acquiree, price, capital in (("M1", "1200", "1000"), ("M2", "700", "600")):
        _post(
            client,
            headers,
            "/acquisitions",
            {
                "acquirer_id": g["P"],
                "acquiree_id": g[acquiree],
                "acquired_on": "2025-01-01",
                "share": "1",
                "consideration": price,
                "combination": "not_under_common_control",
                "nci_measurement": "proportionate",
                "equity_at_acquisition": [{"account_code": "4001", "amount": capital}],
                "fair_value_adjustments": [],
            },
        )
    assets = {
        "line": _asset(
            client,
            headers,
            g,
            "M2",
            tag="LINE",
            name="冲压线",
            category="production_line",
            cost="1200",
            useful_life_months=120,
        ),
        "tooling": _asset(
            client,
            headers,
            g,
            "M2",
            tag="TOOL",
            name="模具",
            category="tooling",
            cost="600",
            useful_life_months=60,
        ),
        "press": _asset(
            client,
            headers,
            g,
            "M1",
            tag="PRESS",
            name="压力机",
            category="machinery",
            cost="2400",
            useful_life_months=120,
        ),
    }
    _post(
        client,
        headers,
        f"/assets/{assets['tooling']}/impair",
        {"impaired_on": "2026-03-31", "amount": "100", "reason": "模具磨损"},
    )
    for month in range(1, 7):
        for company in ("M1", "M2"):
            _post(
                client,
                headers,
                "/depreciation-runs",
                {"entity_id": g[company], "period": f"2026-{month:02d}"},
            )
    return g, assets


def merger_body(g: Group) -> dict[str, Any]:
    return {
        "kind": "absorption",
        "survivor_id": g["M1"],
        "absorbed_ids": [g["M2"]],
        "merged_on": ON,
        "exchange_ratios": [{"entity_id": g["M2"], "value": "1"}],
    }


def asset(client: TestClient, headers: dict[str, str], asset_id: str, as_of: str) -> dict[str, Any]:
    response = client.get(f"{API}/assets/{asset_id}", params={"as_of": as_of}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def statements(run: dict[str, Any]) -> dict[str, Any]:
    """What a run says about the group (not which journals said it)."""
    return {
        "balance_sheet": {line["account_code"]: D(line["amount"]) for line in run["balance_sheet"]},
        "income_statement": {line["account_code"]: D(line["amount"]) for line in run["income_statement"]},
        "figures": {k: D(v) for k, v in run["figures"].items() if v is not None},
    }


class TestMergerByAbsorptionWithAssets:
    def test_the_merger_scenario(self, client: TestClient, as_admin: dict[str, str], users: Users) -> None:
        g, assets = build(client, as_admin)
        controller = users.headers("controller")
        consolidation = {"parent_id": g["P"], "as_of": ON}
        run_before = _post(client, controller, "/consolidations", consolidation)
        before = {name: asset(client, as_admin, a, ON) for name, a in assets.items()}
        before_m2 = g.balances("M2", BEFORE)
        preview = call(client, as_admin, f"{API}/mergers/preview", merger_body(g), status=200)

        answer = call(client, as_admin, f"{API}/mergers", merger_body(g), status=201)
        run_after = _post(client, controller, "/consolidations", consolidation)

        # preview == commit, the assets listed in both
        assert without_ids(answer) == without_ids(preview)
        assert answer["ok"] is True
        assert sorted(r["asset_id"] for r in answer["asset_rehomings"]) == sorted(
            [assets["line"], assets["tooling"]]
        )
        # every asset has one holder and an unbroken history, cost, depreciation and impairment kept
        for name in ("line", "tooling"):
            now = asset(client, as_admin, assets[name], ON)
            then = asset(client, as_admin, assets[name], BEFORE)
            assert now["holder_entity_id"] == g["M1"]
            assert then["holder_entity_id"] == g["M2"]
            books = now["history"]
            assert [b["entity_id"] for b in books] == [g["M2"], g["M1"]]
            assert books[0]["valid_to"] == ON
            assert books[1]["valid_from"] == ON
            assert books[0]["ending"] == "transfer"
            assert books[1]["origin"] == "transfer"
            for figure in ("book_cost", "accumulated_depreciation", "impairment", "carrying_amount"):
                assert D(now[figure]) == D(before[name][figure]), (name, figure)
        line, tooling = (asset(client, as_admin, assets[n], ON) for n in ("line", "tooling"))
        assert (D(line["book_cost"]), D(line["accumulated_depreciation"]), D(line["carrying_amount"])) == (
            D(1200),
            D(50),
            D(1150),
        )
        assert D(tooling["impairment"]) == D(100)
        assert D(tooling["book_cost"]) == D(600)
        assert asset(client, as_admin, assets["press"], ON)["holder_entity_id"] == g["M1"]
        audit = client.get(
            f"{API}/audit-events", params={"subject_id": assets["line"], "limit": 100}, headers=as_admin
        ).json()["items"]
        rehomed = [e for e in audit if e["action"] == "asset.rehomed.merger"]
        assert len(rehomed) == 1
        assert rehomed[0]["after"]["group_event_id"] == answer["id"]
        # the survivor's books balance and hold everything; the intercompany loan is gone
        survivor = g.balances("M1", ON)
        assert sum(survivor.values()) == 0
        assert ("1221", "M2") not in survivor
        assert ("2241", "M1") not in survivor
        assert survivor[("1601", None)] == D(1200 + 600 + 2400)
        register_accumulated = sum(
            (D(asset(client, as_admin, a, ON)["accumulated_depreciation"]) for a in assets.values()), D(0)
        )
        assert -survivor[("1602", None)] == register_accumulated
        assert -survivor[("1603", None)] == D(100)
        assert survivor[("1507", "C")] == D(180)
        assert survivor[("4001", None)] == D(-1600)
        # the absorbed company answers as of the day before, is empty and merged afterwards
        assert g.balances("M2", BEFORE) == before_m2
        assert before_m2[("1601", None)] == D(1800)
        assert g.balances("M2", ON) == {}
        assert client.get(f"{API}/entities/{g['M2']}", headers=as_admin).json()["status"] == "merged"
        # the stakes: M1 holds both holdings in C (18%), C's stakes sum to 1, P holds all of M1
        stakes = g.stakes(ON)
        assert stakes[("M1", "C")]["share"] == "0.18"
        assert D(stakes[("M1", "C")]["capital_subscribed"]) == 180
        assert sum(D(s["share"]) for (_, investee), s in stakes.items() if investee == "C") == 1
        assert stakes[("P", "M1")]["share"] == "1"
        assert D(stakes[("P", "M1")]["capital_subscribed"]) == 1600
        assert not any("M2" in pair for pair in stakes)
        assert g.stakes(BEFORE)[("M2", "C")]["share"] == "0.08"
        assert figures(answer)["new_capital_issued"] == D(600)
        # the consolidated statements as of the same date are unchanged by the merger
        assert statements(run_after) == statements(run_before)
        assert D(run_before["figures"]["goodwill"]) == D(300)
        assert D(run_after["figures"]["total_assets"]) == D(run_before["figures"]["total_assets"])
        assert {s["entity_id"] for s in run_after["scope"]} >= {g["P"], g["M1"]}
        assert g["M2"] not in {s["entity_id"] for s in run_after["scope"] if s.get("method") == "subsidiary"}

    def test_an_open_transfer_request_refuses_the_merger(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        g, assets = build(client, as_admin)
        response = client.post(
            f"{API}/asset-transfers",
            json={
                "asset_id": assets["line"],
                "to_entity_id": g["M1"],
                "kind": "free_transfer",
                "transfer_on": "2026-07-15",
                "reason": "集团内部资产优化配置",
            },
            headers=as_admin,
        )
        assert response.status_code == 201, response.text

        preview = call(client, as_admin, f"{API}/mergers/preview", merger_body(g), status=200)
        refused = client.post(f"{API}/mergers", json=merger_body(g), headers=as_admin)

        assert preview["ok"] is False
        assert [v["type"] for v in preview["violations"]] == ["asset_transfer_open"]
        assert refused.status_code == 422
        assert [e["type"] for e in refused.json()["errors"]] == ["asset_transfer_open"]
        assert asset(client, as_admin, assets["line"], ON)["holder_entity_id"] == g["M2"]
