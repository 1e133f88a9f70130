"""Preview == commit, for every event kind, over generated events (hypothesis), through HTTP.

Each generated event gets a fresh group (so a failing example replays alone); it is previewed, then
committed on the same state:
- when the preview has no violation, the commit answers the same plan document, the entries it posted are
  exactly the planned book entries, and the holdings in force from the event date are the planned ones;
- when it has violations, the commit is a 422 listing the same violations, and nothing is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.events.events_api_helpers import Group, without_ids

COMPANIES = ("P", "S1", "S2", "T")
HOLDERS = ("P", "S1", "S2", "E", "O")
ON = date(2025, 3, 10).isoformat()


def build(client: TestClient, headers: dict[str, str]) -> Group:
    g = Group(client, headers)
    g.entities(*COMPANIES)
    g.entities("E", "O", kind="external")
    g.stake("P", "S1", "0.8", capital="800")
    g.stake("O", "S1", "0.2", capital="200")
    g.stake("P", "S2", "1", capital="500")
    g.stake("S1", "T", "0.3", capital="300")
    g.stake("E", "T", "0.7", capital="700")
    g.post(
        "P",
        "2024-12-01",
        ("151101", 800, 0, "S1"),
        ("151101", 500, 0, "S2"),
        ("1002", 100000, 0),
        ("4001", 0, 101300),
    )
    g.post(
        "S1", "2024-12-01", ("1002", 5000, 0), ("151102", 300, 0, "T"), ("4001", 0, 1000), ("4104", 0, 4300)
    )
    g.post(
        "S2",
        "2024-12-01",
        ("1002", 3000, 0),
        ("1601", 900, 0),
        ("1602", 0, 100),
        ("4001", 0, 500),
        ("4002", 0, 3300),
    )
    g.post("T", "2024-12-01", ("1002", 2000, 0), ("4001", 0, 1000), ("4104", 0, 1000))
    g.post("S1", "2024-12-02", ("1122", 40, 0, "S2"), ("1002", 0, 40))
    g.post("S2", "2024-12-02", ("1002", 40, 0), ("2202", 0, 40, "S1"))
    return g


@st.composite
def events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(
        st.sampled_from(
            [
                "share_transfer",
                "disposal",
                "capital_increase",
                "capital_reduction",
                "common_control",
                "merger",
            ]
        )
    )
    investee = draw(st.sampled_from(["S1", "S2", "T"]))
    amount = str(draw(st.sampled_from([0, 50, 120, 800])))
    if kind in ("share_transfer", "disposal"):
        seller = draw(st.sampled_from([None, *HOLDERS]))
        buyer = draw(st.sampled_from([None, *HOLDERS]))
        share = str(draw(st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("0.3")])))
        return kind, {
            "investee": investee,
            "seller": seller,
            "buyer": buyer,
            "share": share,
            "amount": amount,
        }
    if kind in ("capital_increase", "capital_reduction"):
        holder = draw(st.sampled_from(HOLDERS))
        capital = str(draw(st.sampled_from([50, 100, 300])))
        return kind, {"investee": investee, "holder": holder, "capital": capital, "amount": amount}
    if kind == "common_control":
        acquirer, acquiree = draw(st.permutations(["S1", "S2"]))
        return kind, {"acquirer": acquirer, "acquiree": acquiree, "amount": amount}
    survivor, absorbed = draw(st.permutations(["S1", "S2"]))
    return kind, {"survivor": survivor, "absorbed": absorbed}


def request(g: Group, kind: str, p: dict[str, Any], on: str) -> tuple[str, dict[str, Any]]:
    def ref(code: str | None) -> str | None:
        return g[code] if code else None

    if kind == "share_transfer":
        return "/api/v1/share-transfers", {
            "investee_id": g[p["investee"]],
            "seller_id": ref(p["seller"]),
            "buyer_id": ref(p["buyer"]),
            "transfer_on": on,
            "share": p["share"],
            "consideration": p["amount"],
            "retained_interest_fair_value": "10",
            "previously_held_fair_value": "10",
            "seller_carrying_amount": "1",
        }
    if kind == "disposal":
        return "/api/v1/disposals", {
            "holder_id": g[p["seller"] or "P"],
            "investee_id": g[p["investee"]],
            "buyer_id": ref(p["buyer"]),
            "disposed_on": on,
            "share": p["share"],
            "consideration": p["amount"],
            "retained_interest_fair_value": "10",
            "seller_carrying_amount": "1",
        }
    if kind == "capital_increase":
        return "/api/v1/capital-increases", {
            "investee_id": g[p["investee"]],
            "increased_on": on,
            "previously_held_fair_value": "10",
            "subscriptions": [
                {
                    "holder_id": g[p["holder"]],
                    "capital_amount": p["capital"],
                    "contribution": str(Decimal(p["capital"]) + Decimal(p["amount"])),
                }
            ],
        }
    if kind == "capital_reduction":
        return "/api/v1/capital-reductions", {
            "investee_id": g[p["investee"]],
            "reduced_on": on,
            "retained_interest_fair_value": "10",
            "seller_carrying_amount": "1",
            "withdrawals": [
                {"holder_id": g[p["holder"]], "capital_amount": p["capital"], "refund": p["amount"]}
            ],
        }
    if kind == "common_control":
        return "/api/v1/common-control-combinations", {
            "acquirer_id": g[p["acquirer"]],
            "acquiree_id": g[p["acquiree"]],
            "seller_id": g["P"],
            "combined_on": on,
            "share": "0.6",
            "consideration": {"cash": p["amount"]},
        }
    return "/api/v1/mergers", {
        "kind": "absorption",
        "survivor_id": g[p["survivor"]],
        "absorbed_ids": [g[p["absorbed"]]],
        "merged_on": on,
        "exchange_ratios": [{"entity_id": g[p["absorbed"]], "value": "1"}],
    }


def posted_entries(client: TestClient, headers: dict[str, str], event_id: str, on: str) -> set[Any]:
    response = client.get("/api/v1/journal-entries", params={"from": on, "limit": 1000}, headers=headers)
    assert response.status_code == 200
    return {
        (
            e["entity_id"],
            tuple(
                sorted(
                    (
                        ln["account_code"],
                        Decimal(ln["debit"]),
                        Decimal(ln["credit"]),
                        ln.get("counterparty_entity_id"),
                    )
                    for ln in e["lines"]
                )
            ),
        )
        for e in response.json()["items"]
        if e["source_ref"] == event_id
    }


def planned_entries(document: dict[str, Any]) -> set[Any]:
    return {
        (
            e["entity_id"],
            tuple(
                sorted(
                    (
                        ln["account_code"],
                        Decimal(ln["debit"]),
                        Decimal(ln["credit"]),
                        ln["counterparty_entity_id"],
                    )
                    for ln in e["lines"]
                )
            ),
        )
        for e in document["entries"]
        if e["layer"] == "books"
    }


class TestPreviewIsCommit:
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(event=events())
    def test_commit_executes_the_preview(
        self, client: TestClient, as_admin: dict[str, str], event: tuple[str, dict[str, Any]]
    ) -> None:
        g = build(client, as_admin)
        on = ON
        kind, params = event
        path, body = request(g, kind, params, on)
        events_before = len(client.get("/api/v1/group-events", headers=as_admin).json()["items"])
        preview = client.post(f"{path}/preview", json=body, headers=as_admin)
        assert preview.status_code == 200, preview.text

        commit = client.post(path, json=body, headers=as_admin)

        planned = preview.json()
        if planned["ok"]:
            assert commit.status_code == 201, commit.text
            answer = commit.json()
            assert without_ids(answer) == without_ids(planned)
            assert posted_entries(client, as_admin, answer["id"], on) == planned_entries(planned)
            stakes = client.get(
                "/api/v1/stakes", params={"as_of": on, "limit": 1000}, headers=as_admin
            ).json()
            held = {(s["holder_id"], s["investee_id"]): Decimal(s["share"]) for s in stakes["items"]}
            for change in planned["stake_changes"]:
                pair = (change["holder_id"], change["investee_id"])
                expected = Decimal(change["after"]["share"]) if change["after"] else None
                assert held.get(pair) == expected
        else:
            assert commit.status_code == 422, commit.text
            errors = [(e["loc"], e["type"]) for e in commit.json()["errors"]]
            assert errors == [(v["loc"], v["type"]) for v in planned["violations"]]
            assert len(client.get("/api/v1/group-events", headers=as_admin).json()["items"]) == events_before
