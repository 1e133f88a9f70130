"""Builders for consolidation tests through HTTP: companies, stakes, reporting packages, rates, acquisitions,
adjustments, unrealised profits and runs. Amounts are given in the natural sign of their account (assets and
expenses positive as debits; liabilities, equity and income positive as credits)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi.testclient import TestClient

from app.consolidation.run_schemas import RunRead
from app.ledger.chart_data import load_group_chart
from tests.conftest import Users

API = "/api/v1"
TYPES = {a.code: a.type for a in load_group_chart()}

CASH = "1002"
RECEIVABLE = "1122"
OTHER_RECEIVABLE = "1221"
INVENTORY = "1405"
INVESTMENT_IN_SUBSIDIARIES = "151101"
INVESTMENT_IN_ASSOCIATES = "151102"
PPE = "1601"
ACCUMULATED_DEPRECIATION = "1602"
GOODWILL = "1711"
DEFERRED_TAX_ASSET = "1811"
PAYABLE = "2202"
OTHER_PAYABLE = "2241"
PROVISIONS = "2801"
DEFERRED_TAX_LIABILITY = "2901"
SHARE_CAPITAL = "4001"
CAPITAL_RESERVE = "4002"
OCI = "4003"
CTA = "400301"
RETAINED_EARNINGS = "4104"
NCI = "4301"
REVENUE = "6001"
INVESTMENT_INCOME = "6111"
SHARE_OF_ASSOCIATES = "611101"
GAIN_ON_DISPOSAL = "6115"
NON_OPERATING_INCOME = "6301"
COST_OF_SALES = "6401"
ADMIN_EXPENSE = "6602"
IMPAIRMENT_LOSS = "6701"
INCOME_TAX = "6801"

Amounts = Mapping[str | tuple[str, str], int | str | Decimal]


def D(value: Any) -> Decimal:
    return Decimal(str(value))


def unit(value: Any) -> Decimal:
    """Rounded to the unit, ROUND_HALF_UP, as the published answers are."""
    return D(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def problem(response: Any) -> tuple[int, str]:
    """(status, problem slug) of an error answer."""
    return response.status_code, str(response.json()["type"]).rsplit("/", 1)[-1]


class Group:
    """One test's group, built through the API as an admin (runs as a controller)."""

    def __init__(self, client: TestClient, users: Users) -> None:
        self.client = client
        self.users = users
        self.admin = users.headers("admin")
        self.controller = users.headers("controller")
        self.ids: dict[str, str] = {}
        self.codes: dict[str, str] = {}

    def post(self, path: str, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> Any:
        response = self.client.post(f"{API}{path}", json=body, headers=headers or self.admin)
        assert response.status_code in (200, 201), f"POST {path}: {response.status_code} {response.text}"
        return response.json()

    def company(self, name: str, *, currency: str = "CNY", kind: str = "company") -> str:
        code = f"{name}-{uuid.uuid4().hex[:6]}".upper()
        body = {"code": code, "name": f"{name}公司", "kind": kind, "functional_currency": currency}
        entity = self.post("/entities", body)
        self.ids[name], self.codes[name] = entity["id"], code
        return str(entity["id"])

    def companies(self, *names: str, currency: str = "CNY") -> None:
        for name in names:
            self.company(name, currency=currency)

    def stake(self, holder: str, investee: str, share: str, valid_from: str, **extra: Any) -> Any:
        body = {
            "holder_id": self.ids[holder],
            "investee_id": self.ids[investee],
            "share": share,
            "valid_from": valid_from,
            **extra,
        }
        return self.post("/stakes", body)

    def package(self, name: str, as_of: str, amounts: Amounts) -> Any:
        """Import a reporting package: the company's whole trial balance on `as_of`."""
        lines = []
        for key, value in amounts.items():
            account, counterparty = (key, None) if isinstance(key, str) else key
            amount = D(value)
            debit_natural = TYPES[account] in ("asset", "expense")
            debit = amount if debit_natural else -amount
            line: dict[str, Any] = {
                "account_code": account,
                "debit": str(debit) if debit > 0 else "0",
                "credit": str(-debit) if debit < 0 else "0",
            }
            if counterparty is not None:
                line["counterparty_code"] = self.codes[counterparty]
            lines.append(line)
        return self.post(
            f"/entities/{self.ids[name]}/trial-balance-imports", {"as_of": as_of, "lines": lines}
        )

    def entry(self, name: str, on: str, *lines: tuple[str, str | None, str | None]) -> Any:
        """A journal entry: (account, debit, credit) lines."""
        body = {
            "entity_id": self.ids[name],
            "entry_date": on,
            "description": "test entry",
            "lines": [
                {"account_code": a, **({"debit": d} if d else {}), **({"credit": c} if c else {})}
                for a, d, c in lines
            ],
        }
        return self.post("/journal-entries", body)

    def rate(self, currency: str, quote: str, kind: str, on: str, rate: str) -> Any:
        return self.post(
            "/fx-rates", {"currency": currency, "quote_currency": quote, "kind": kind, "on": on, "rate": rate}
        )

    def acquire(
        self, acquirer: str, acquiree: str, acquired_on: str, share: str, consideration: Any, **extra: Any
    ) -> Any:
        body = {
            "acquirer_id": self.ids[acquirer],
            "acquiree_id": self.ids[acquiree],
            "acquired_on": acquired_on,
            "share": share,
            "consideration": str(consideration),
            **extra,
        }
        return self.post("/acquisitions", body)

    def adjust(self, name: str, as_of: str, *lines: dict[str, Any], description: str = "adjustment") -> Any:
        return self.post(
            "/consolidation-adjustments",
            {"as_of": as_of, "entity_id": self.ids[name], "description": description, "lines": list(lines)},
        )

    def unrealized(self, seller: str, buyer: str, as_of: str, held: Any, **basis: Any) -> Any:
        body = {
            "as_of": as_of,
            "seller_id": self.ids[seller],
            "buyer_id": self.ids[buyer],
            "inventory_at_transfer_price": str(held),
            **{k: str(v) for k, v in basis.items()},
        }
        return self.post("/unrealized-profits", body)

    def run(self, parent: str, as_of: str, **extra: Any) -> Run:
        body = self.post(
            "/consolidations",
            {"parent_id": self.ids[parent], "as_of": as_of, **extra},
            headers=self.controller,
        )
        check_run_body(body)
        again = self.client.get(f"{API}/consolidations/{body['id']}", headers=self.controller)
        assert again.status_code == 200
        assert again.json() == body
        return Run(body, self)


def check_run_body(body: dict[str, Any]) -> None:
    """The body (sent from the run's stored text, not through the model) is exactly what `RunRead` makes of
    it: no member missing, none extra, every value in the model's wire form."""
    assert RunRead.model_validate(body).model_dump(mode="json") == body


class Run:
    """A run's answer with lookups by account and by the test's own entity names."""

    def __init__(self, body: dict[str, Any], group: Group) -> None:
        self.body = body
        self.group = group
        self.names = {v: k for k, v in group.ids.items()}

    @property
    def figures(self) -> dict[str, Decimal]:
        return {k: D(v) for k, v in self.body["figures"].items()}

    def line(self, account: str) -> Decimal:
        for line in [*self.body["balance_sheet"], *self.body["income_statement"]]:
            if line["account_code"] == account:
                return D(line["amount"])
        return Decimal(0)

    def subsidiary(self, name: str) -> dict[str, Any]:
        return next(s for s in self.body["subsidiaries"] if s["entity_id"] == self.group.ids[name])

    def profit_of(self, name: str) -> Decimal:
        return next(
            D(p["profit"]) for p in self.body["profit_by_entity"] if p["entity_id"] == self.group.ids[name]
        )

    def journal(self, reason: str) -> dict[str, Decimal]:
        """Debit-positive totals by account of the elimination lines with that reason."""
        out: dict[str, Decimal] = {}
        for e in self.body["eliminations"]:
            if e["reason"] == reason:
                out[e["account_code"]] = (
                    out.get(e["account_code"], Decimal(0)) + D(e["debit"]) - D(e["credit"])
                )
        return {k: v for k, v in out.items() if v != 0}
