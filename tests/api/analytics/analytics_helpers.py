"""A small hand-computed group for the analytics tests, built through the HTTP API.

P (holding) owns A and B (castings) and C (brakes) outright. Opening balances are posted on 31 December
2024, the year's books in 2025 (amounts in CNY):

    A  opening: cash 1,400, plant 1,000, depreciation (200), capital 1,000, retained 1,200
       2025: sales 1,000 on credit, cost 700 paid; depreciation 100; dividends declared 60;
             plant bought 300 and construction 50 paid; admin 40 paid
    B  opening: cash 500, plant 600, capital 1,100
       2025: sales 400 on credit, cost 380 paid; interest 50 paid; dividends declared 20 (a loss-maker
             paying out)
    C  opening: cash 300, plant 500, capital 800
       2025: sales 600 in cash, cost 450 paid
    P  opening: investments in A 1,000, B 1,100, C 800; capital 2,900
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"
_COUNTER = itertools.count(1)

Line = tuple[str, int | str, int | str] | tuple[str, int | str, int | str, str]


class SmallGroup:
    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.suffix = f"{next(_COUNTER)}X{id(self) % 100000}"
        self.ids: dict[str, str] = {}

    def __getitem__(self, code: str) -> str:
        return self.ids[code]

    def entity(self, code: str, segment: str | None, *, kind: str = "company") -> str:
        body: dict[str, Any] = {
            "code": f"AN{code}{self.suffix}",
            "name": f"北京测试{code}有限公司",
            "kind": kind,
            "functional_currency": "CNY",
            "established_on": "2000-01-01",
        }
        if segment is not None:
            body["segment"] = segment
        response = self.client.post(f"{API}/entities", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        self.ids[code] = str(response.json()["id"])
        return self.ids[code]

    def stake(self, holder: str, investee: str, share: str = "1", capital: str | None = None) -> None:
        body: dict[str, Any] = {
            "holder_id": self[holder],
            "investee_id": self[investee],
            "share": share,
            "valid_from": "2001-01-01",
        }
        if capital is not None:
            body["capital_subscribed"] = capital
        response = self.client.post(f"{API}/stakes", json=body, headers=self.headers)
        assert response.status_code == 201, response.text

    def post(self, entity: str, on: str, *lines: Line) -> None:
        items = []
        for line in lines:
            item: dict[str, Any] = {"account_code": line[0]}
            if Decimal(str(line[1])):
                item["debit"] = str(line[1])
            if Decimal(str(line[2])):
                item["credit"] = str(line[2])
            if len(line) > 3:
                item["counterparty_entity_id"] = self[str(line[3])]
            items.append(item)
        body = {"entity_id": self[entity], "entry_date": on, "description": "analytics test", "lines": items}
        response = self.client.post(f"{API}/journal-entries", json=body, headers=self.headers)
        assert response.status_code == 201, response.text


def build(client: TestClient, headers: dict[str, str]) -> SmallGroup:
    g = SmallGroup(client, headers)
    g.entity("P", "holding")
    g.entity("A", "castings")
    g.entity("B", "castings")
    g.entity("C", "brakes")
    g.stake("P", "A", capital="1000")
    g.stake("P", "B", capital="1100")
    g.stake("P", "C", capital="800")
    opening = "2024-12-31"
    g.post(
        "A",
        opening,
        ("1002", 1400, 0),
        ("1601", 1000, 0),
        ("1602", 0, 200),
        ("4001", 0, 1000),
        ("4104", 0, 1200),
    )
    g.post("B", opening, ("1002", 500, 0), ("1601", 600, 0), ("4001", 0, 1100))
    g.post("C", opening, ("1002", 300, 0), ("1601", 500, 0), ("4001", 0, 800))
    g.post(
        "P",
        opening,
        ("151101", 1000, 0, "A"),
        ("151101", 1100, 0, "B"),
        ("151101", 800, 0, "C"),
        ("4001", 0, 2900),
    )
    g.post("A", "2025-03-31", ("1122", 1000, 0), ("6001", 0, 1000), ("6401", 700, 0), ("1002", 0, 700))
    g.post("A", "2025-06-30", ("6602", 100, 0), ("1602", 0, 100))
    g.post("A", "2025-06-30", ("4104", 60, 0), ("2232", 0, 60))
    g.post("A", "2025-09-30", ("1601", 300, 0), ("1604", 50, 0), ("1002", 0, 350))
    g.post("A", "2025-10-31", ("6602", 40, 0), ("1002", 0, 40))
    g.post("B", "2025-05-31", ("1122", 400, 0), ("6001", 0, 400), ("6401", 380, 0), ("1002", 0, 380))
    g.post("B", "2025-06-30", ("6603", 50, 0), ("1002", 0, 50))
    g.post("B", "2025-06-30", ("4104", 20, 0), ("2232", 0, 20))
    g.post("C", "2025-07-31", ("1002", 600, 0), ("6001", 0, 600), ("6401", 450, 0), ("1002", 0, 450))
    return g


def indicators(
    client: TestClient, headers: dict[str, str], *, level: str, parent_id: str, **params: str
) -> dict[str, dict[str, Any]]:
    """The indicator rows of the year 2025 by key (entity id, segment or `group`), for P's group."""
    query = {"from": "2025-01-01", "to": "2025-12-31", "level": level, "parent_id": parent_id, **params}
    response = client.get(f"{API}/analytics/indicators", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return {item["key"]: item for item in response.json()["items"]}


def d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
