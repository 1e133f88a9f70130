"""The merger scenario through HTTP: two parts makers merged by absorption.

P owns S (capital 1,000) and A (capital 500) outright. Both make parts and carry plant; A lent S 50 (an
intercompany balance in both books); A holds 30% of T and S 20% (an outsider E the other 50%). A is absorbed
into S on 1 July 2025 at one unit of S's capital per unit of A's. Afterwards: every balance of A is in S's
books (plant with its cost and depreciation), the loan is gone, S's books balance, S holds 50% of T, P holds
all of S with capital 1,500, A is `merged` and still answers for 30 June, and the group's consolidated
position is what it was.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.api.events.events_api_helpers import Group, call, figures, without_ids

MERGERS = "/api/v1/mergers"
BEFORE, ON = "2025-06-30", "2025-07-01"
INVESTMENTS = {"151101", "151102", "151103", "1512"}
CONTRIBUTED = {"4001", "4002"}


def build(client: TestClient, headers: dict[str, str]) -> Group:
    g = Group(client, headers)
    g.entities("P", "S", "A", "T")
    g.entity("E", kind="external")
    g.stake("P", "S", "1", capital="1000")
    g.stake("P", "A", "1", capital="500")
    g.stake("A", "T", "0.3", capital="300")
    g.stake("S", "T", "0.2", capital="200")
    g.stake("E", "T", "0.5", capital="500")
    g.post("P", "2025-01-02", ("151101", 1000, 0, "S"), ("151101", 500, 0, "A"), ("4001", 0, 1500))
    g.post(
        "S",
        "2025-01-02",
        ("1002", 900, 0),
        ("1601", 2000, 0),
        ("1602", 0, 300),
        ("151102", 200, 0, "T"),
        ("4001", 0, 1000),
        ("4104", 0, 1800),
    )
    g.post(
        "A",
        "2025-01-02",
        ("1002", 100, 0),
        ("1601", 800, 0),
        ("1602", 0, 200),
        ("151102", 300, 0, "T"),
        ("4001", 0, 500),
        ("4104", 0, 500),
    )
    g.post("T", "2025-01-02", ("1002", 1000, 0), ("4001", 0, 1000))
    g.post("A", "2025-03-01", ("1221", 50, 0, "S"), ("1002", 0, 50))
    g.post("S", "2025-03-01", ("1002", 50, 0), ("2241", 0, 50, "A"))
    g.post("S", "2025-04-01", ("1002", 100, 0), ("6001", 0, 100))
    g.post("A", "2025-04-01", ("6602", 20, 0), ("1002", 0, 20))
    return g


def merger_body(g: Group) -> dict[str, Any]:
    return {
        "kind": "absorption",
        "survivor_id": g["S"],
        "absorbed_ids": [g["A"]],
        "merged_on": ON,
        "exchange_ratios": [{"entity_id": g["A"], "value": "1"}],
    }


def group_position(g: Group, companies: list[str], as_of: str) -> dict[str, Decimal]:
    """The group's consolidated position by account: the companies' balances added up, without what is
    internal to the group (balances tagged with a group company; investments in group companies against
    their contributed capital). Equity is compared as a total: a merger may move amounts between reserves
    of one company, never the group's equity."""
    members = {g[c] for c in companies}
    out: dict[str, Decimal] = {}
    equity = Decimal(0)
    for company in companies:
        for (code, cp), amount in g.balances(company, as_of).items():
            internal = cp is not None and g[cp] in members
            if internal or code in CONTRIBUTED:
                continue
            if code.startswith(("4", "6")):
                equity += amount
                continue
            out[code] = out.get(code, Decimal(0)) + amount
    out["equity (retained, reserves, profit)"] = equity
    return {k: v for k, v in out.items() if v}


class TestAbsorptionMerger:
    def test_the_merger(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = build(client, as_admin)
        before_a = g.balances("A", BEFORE)
        before_s = g.balances("S", BEFORE)
        position = group_position(g, ["P", "S", "A"], ON)
        preview = call(client, as_admin, f"{MERGERS}/preview", merger_body(g), status=200)

        answer = call(client, as_admin, MERGERS, merger_body(g), status=201)

        assert without_ids(answer) == without_ids(preview)
        assert answer["ok"] is True
        assert answer["status"] == "committed"
        # the absorbed company answers as of the day before, and is empty and merged from the merger date
        assert g.balances("A", BEFORE) == before_a
        assert g.balances("A", ON) == {}
        entity = client.get(f"/api/v1/entities/{g['A']}", headers=as_admin).json()
        assert entity["status"] == "merged"
        # the survivor: every balance taken over, intercompany gone, books balance
        after_s = g.balances("S", ON)
        assert sum(after_s.values()) == 0
        assert ("2241", "A") not in after_s
        assert ("1221", "S") not in after_s
        assert after_s[("1601", None)] == before_s[("1601", None)] + before_a[("1601", None)]
        assert after_s[("1602", None)] == before_s[("1602", None)] + before_a[("1602", None)]
        assert after_s[("151102", "T")] == Decimal("500")
        assert after_s[("6602", None)] == Decimal("20")
        assert after_s[("4001", None)] == Decimal("-1500")
        # the parent's investment now points at the survivor
        assert g.balances("P", ON) == {("151101", "S"): Decimal("1500"), ("4001", None): Decimal("-1500")}
        # holdings: the absorbed company's pass to the survivor; the stakes in T still sum to 1
        stakes = g.stakes(ON)
        assert stakes[("S", "T")]["share"] == "0.5"
        assert Decimal(stakes[("S", "T")]["capital_subscribed"]) == 500
        assert sum(Decimal(s["share"]) for (h, i), s in stakes.items() if i == "T") == 1
        assert stakes[("P", "S")]["share"] == "1"
        assert Decimal(stakes[("P", "S")]["capital_subscribed"]) == 1500
        assert not any("A" in pair for pair in stakes)
        assert g.stakes(BEFORE)[("A", "T")]["share"] == "0.3"
        # the group's consolidated position is unchanged by the merger itself
        assert group_position(g, ["P", "S"], ON) == position
        assert figures(answer)["new_capital_issued"] == Decimal("500")

    def test_the_event_is_stored_and_audited(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = build(client, as_admin)

        answer = call(client, as_admin, MERGERS, merger_body(g), status=201)

        stored = client.get(f"/api/v1/group-events/{answer['id']}", headers=as_admin)
        assert stored.status_code == 200
        assert without_ids(stored.json()) == without_ids(answer)
        listed = client.get("/api/v1/group-events", params={"entity_id": g["A"]}, headers=as_admin).json()
        assert [e["id"] for e in listed["items"]] == [answer["id"]]


class TestNewEstablishmentMerger:
    def test_both_into_a_new_company(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = build(client, as_admin)
        body = {
            "kind": "new_establishment",
            "absorbed_ids": [g["S"], g["A"]],
            "merged_on": ON,
            "exchange_ratios": [{"entity_id": g["S"], "value": "1"}, {"entity_id": g["A"], "value": "1"}],
            "new_entity": {"code": f"N{g.suffix}", "name": "新设汽车零部件有限公司"},
        }
        preview = call(client, as_admin, f"{MERGERS}/preview", body, status=200)

        answer = call(client, as_admin, MERGERS, body, status=201)

        new_id = answer["created_entity_id"]
        previewed = json.loads(json.dumps(without_ids(preview)).replace('"new-entity"', json.dumps(new_id)))
        assert without_ids(answer) == previewed
        g.ids["N"] = new_id
        books = g.balances("N", ON)
        assert sum(books.values()) == 0
        assert books[("4001", None)] == Decimal("-1500")
        assert books[("151102", "T")] == Decimal("500")
        stakes = g.stakes(ON)
        assert stakes[("P", "N")]["share"] == "1"
        assert stakes[("N", "T")]["share"] == "0.5"
        for code in ("S", "A"):
            assert client.get(f"/api/v1/entities/{g[code]}", headers=as_admin).json()["status"] == "merged"
