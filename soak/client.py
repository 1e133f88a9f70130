"""One soak client process: a loop of real API calls until the deadline, journaled to a JSON-lines file.

Each write carries an Idempotency-Key and the same value as X-Request-ID (so the audit trail can tell which
logical request wrote what). A lost connection (the server was killed) is retried with the same key until
the server answers; a share of requests is deliberately invalid, and a share is sent twice with the same key
to check the replay. Operations are enabled only when the server's OpenAPI document has their route, so the
soak grows with the features.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"
GROUP_METHODS = {"parent", "subsidiary"}
RETRY_SLEEP = 0.2
IN_FLIGHT_GIVE_UP_SECONDS = 8.0
# Accounts of the CAS group chart the soak posts to (leaf accounts of a fresh database).
CASH, BANK, RECEIVABLE, PAYABLE, REVENUE, COST, ADMIN_EXPENSE = (
    "1001",
    "1002",
    "1122",
    "2202",
    "6001",
    "6401",
    "6602",
)


# The journal's name of each operation, where it differs from the method's.
_OP_NAMES = {
    "consolidate": "run_consolidation",
    "post_entry": "post_journal_entry",
    "reverse_entry": "reverse_journal_entry",
    "import_package": "import_trial_balance",
    "request_transfer": "request_asset_transfer",
    "refresh_entities": "list_entities",
    "verify_audit": "verify_audit_chain",
}


def _shape(path: str) -> str:
    """A route template with its parameter names blanked: `/a/{x}/b` and `/a/{y}/b` are one route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


@dataclass
class Call:
    """One logical request: sent (and re-sent after a crash) under one key."""

    op: str
    method: str
    path: str
    role: str
    json_body: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "normal"  # normal | invalid
    write: bool = True


@dataclass
class Outcome:
    status: int | None  # None: never answered (gave up)
    body: Any
    headers: dict[str, str]
    raw: bytes
    attempts: int
    reason: str = ""


@dataclass
class ClientConfig:
    index: int
    base_url: str
    tokens: dict[str, str]
    deadline: float
    seed: int
    journal: str
    invalid_rate: float
    duplicate_rate: float
    routes: list[tuple[str, str]]
    as_of: str
    parent_id: str | None
    skip: list[str] = field(default_factory=list)


class Client:
    def __init__(self, config: ClientConfig) -> None:
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.http = httpx.Client(base_url=config.base_url, timeout=httpx.Timeout(60.0, connect=2.0))
        self.routes = {(method, _shape(path)) for method, path in config.routes}
        self.journal = Path(config.journal).open("a", encoding="utf-8")  # noqa: SIM115
        self.counter = 0
        self.entities: list[str] = []  # company ids known to this client
        self.entries: list[str] = []  # journal entry ids posted by this client
        self.assets: list[str] = []
        self.transfers: list[str] = []
        self.group: list[str] = []  # the parent and its subsidiaries (assets move between these)

    # --- plumbing -------------------------------------------------------------------------------------

    def has(self, method: str, path: str) -> bool:
        return (method, _shape(API + path)) in self.routes

    def send(self, call: Call, key: str) -> Outcome:
        """Send until answered: connection failures and in-flight 409s are retried with the same key."""
        headers = {
            "Authorization": f"Bearer {self.cfg.tokens[call.role]}",
            "X-Request-ID": key,
            **call.headers,
        }
        if call.method == "POST":
            headers["Idempotency-Key"] = key
        attempts = 0
        in_flight_since: float | None = None
        while True:
            attempts += 1
            try:
                response = self.http.request(
                    call.method, API + call.path, json=call.json_body, params=call.params, headers=headers
                )
            except httpx.TransportError as exc:
                if time.time() > self.cfg.deadline + 60:
                    return Outcome(None, None, {}, b"", attempts, f"unreachable: {type(exc).__name__}")
                time.sleep(RETRY_SLEEP)
                continue
            if response.status_code == 409 and "idempotency-in-flight" in response.text:
                # A request under this key is running, or was cut off by a kill and never finished.
                in_flight_since = in_flight_since or time.monotonic()
                if time.monotonic() - in_flight_since > IN_FLIGHT_GIVE_UP_SECONDS:
                    return Outcome(None, None, {}, b"", attempts, "in-flight forever")
                time.sleep(RETRY_SLEEP)
                continue
            try:
                body = response.json()
            except ValueError:
                body = None
            return Outcome(response.status_code, body, dict(response.headers), response.content, attempts)

    def record(self, call: Call, key: str, outcome: Outcome, **extra: Any) -> None:
        entry = {
            "client": self.cfg.index,
            "op": call.op,
            "method": call.method,
            "kind": call.kind,
            "write": call.write,
            "key": key,
            "status": outcome.status,
            "attempts": outcome.attempts,
            "replayed": outcome.headers.get("idempotent-replayed") == "true",
            "reason": outcome.reason,
            "noop": isinstance(outcome.body, dict) and outcome.body.get("posted") is False,
            "problem": outcome.body.get("type")
            if isinstance(outcome.body, dict) and outcome.status and outcome.status >= 400
            else None,
            **extra,
        }
        self.journal.write(json.dumps(entry) + "\n")

    def do(self, call: Call) -> Outcome:
        key = uuid.uuid4().hex
        outcome = self.send(call, key)
        self.record(call, key, outcome)
        if (
            call.method == "POST"
            and outcome.status is not None
            and self.rng.random() < self.cfg.duplicate_rate
        ):
            again = self.send(call, key)
            same = again.status == outcome.status and again.raw == outcome.raw
            replayed = again.headers.get("idempotent-replayed") == "true"
            dup = Call(**{**call.__dict__, "kind": "duplicate"})
            self.record(dup, key, again, same_answer=same, first_status=outcome.status, was_replayed=replayed)
        return outcome

    def invalid(self) -> bool:
        return self.rng.random() < self.cfg.invalid_rate

    def pick(self, items: list[str]) -> str | None:
        return self.rng.choice(items) if items else None

    def unique(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.cfg.index}x{self.counter}x{self.rng.randrange(10**6)}"

    def day(self) -> str:
        return (date(2026, 1, 1) + timedelta(days=self.rng.randrange(300))).isoformat()

    # --- operations -----------------------------------------------------------------------------------

    def refresh_entities(self) -> None:
        out = self.do(
            Call(
                "list_entities",
                "GET",
                "/entities",
                "viewer",
                params={"limit": 1000, "kind": "company"},
                write=False,
            )
        )
        if out.status == 200 and isinstance(out.body, dict):
            self.entities = [e["id"] for e in out.body["items"] if e.get("status") == "active"]

    def create_entity(self) -> None:
        code = self.unique("S")
        body: dict[str, Any] = {
            "code": code,
            "name": f"压力测试公司 {code}",
            "kind": "company",
            "country": "CN",
        }
        kind = "normal"
        if self.invalid():
            body, kind = {**body, "code": "bad code!", "surprise": 1}, "invalid"
        out = self.do(Call("create_entity", "POST", "/entities", "accountant", json_body=body, kind=kind))
        if out.status == 201 and isinstance(out.body, dict):
            self.entities.append(out.body["id"])

    def update_entity(self) -> None:
        entity_id = self.pick(self.entities)
        if entity_id is None:
            return
        got = self.do(Call("read_entity", "GET", f"/entities/{entity_id}", "viewer", write=False))
        if got.status != 200:
            return
        etag = got.headers.get("etag", '"0"')
        body: dict[str, Any] = {"segment": self.rng.choice(["engines", "chassis", "electrical", "castings"])}
        kind = "normal"
        if self.invalid():
            body, kind = {"version": 99, "status": "dissolved"}, "invalid"
        self.do(
            Call(
                "update_entity",
                "PATCH",
                f"/entities/{entity_id}",
                "controller",
                json_body=body,
                headers={"If-Match": etag},
                kind=kind,
            )
        )

    def create_stake(self) -> None:
        if len(self.entities) < 2:
            return
        holder, investee = self.rng.sample(self.entities, 2)
        share = str(Decimal(self.rng.randrange(1, 60)) / 100)
        body: dict[str, Any] = {
            "holder_id": holder,
            "investee_id": investee,
            "share": share,
            "valid_from": self.day(),
        }
        kind = "normal"
        if self.invalid():
            body, kind = {**body, "share": "1.5"}, "invalid"
        self.do(Call("create_stake", "POST", "/stakes", "controller", json_body=body, kind=kind))

    def end_stake(self) -> None:
        investee = self.pick(self.entities)
        if investee is None:
            return
        listed = self.do(
            Call("list_stakes", "GET", "/stakes", "viewer", params={"investee_id": investee}, write=False)
        )
        if listed.status != 200 or not isinstance(listed.body, dict):
            return
        open_stakes = [s for s in listed.body["items"] if s.get("valid_to") is None]
        if not open_stakes:
            return
        stake = self.rng.choice(open_stakes)
        end = (
            date.fromisoformat(stake["valid_from"]) + timedelta(days=self.rng.randrange(1, 400))
        ).isoformat()
        self.do(
            Call("end_stake", "POST", f"/stakes/{stake['id']}/end", "controller", json_body={"valid_to": end})
        )

    def post_entry(self) -> None:
        entity_id = self.pick(self.entities)
        if entity_id is None:
            return
        amount = f"{self.rng.randrange(1, 10**7)}.{self.rng.randrange(100):02d}"
        debit_account, credit_account = self.rng.choice(
            [
                (CASH, REVENUE),
                (ADMIN_EXPENSE, BANK),
                (RECEIVABLE, REVENUE),
                (COST, PAYABLE),
                (BANK, RECEIVABLE),
            ]
        )
        lines = [
            {"account_code": debit_account, "debit": amount},
            {"account_code": credit_account, "credit": amount},
        ]
        kind = "normal"
        if self.invalid():
            lines, kind = [lines[0], {"account_code": credit_account, "credit": "1.00"}], "invalid"
        body = {"entity_id": entity_id, "entry_date": self.day(), "description": "soak", "lines": lines}
        out = self.do(
            Call("post_journal_entry", "POST", "/journal-entries", "accountant", json_body=body, kind=kind)
        )
        if out.status == 201 and isinstance(out.body, dict):
            self.entries.append(out.body["id"])

    def reverse_entry(self) -> None:
        if not self.entries:
            return
        entry_id = self.entries.pop(self.rng.randrange(len(self.entries)))
        self.do(
            Call(
                "reverse_journal_entry",
                "POST",
                f"/journal-entries/{entry_id}/reverse",
                "accountant",
                json_body={"entry_date": "2026-11-20"},
            )
        )

    def import_package(self) -> None:
        entity_id = self.pick(self.entities)
        if entity_id is None:
            return
        amount = f"{self.rng.randrange(1, 10**6)}.00"
        lines = [
            {"account_code": BANK, "debit": amount, "credit": "0"},
            {"account_code": PAYABLE, "debit": "0", "credit": amount},
        ]
        kind = "normal"
        if self.invalid():
            lines, kind = [{"account_code": "99999", "debit": "x"}], "invalid"
        self.do(
            Call(
                "import_trial_balance",
                "POST",
                f"/entities/{entity_id}/trial-balance-imports",
                "accountant",
                json_body={"as_of": self.cfg.as_of, "lines": lines},
                kind=kind,
            )
        )

    def create_asset(self) -> None:
        entity_id = self.pick(self.group or self.entities)
        if entity_id is None:
            return
        tag = self.unique("A")
        body: dict[str, Any] = {
            "entity_id": entity_id,
            "tag": tag,
            "name": f"机床 {tag}",
            "category": "machinery",
            "acquired_on": "2025-01-15",
            "cost": "120000.00",
            "residual_value": "6000.00",
            "useful_life_months": 120,
            "method": "straight_line",
        }
        kind = "normal"
        if self.invalid():
            body, kind = {**body, "cost": "-5"}, "invalid"
        out = self.do(Call("create_asset", "POST", "/assets", "accountant", json_body=body, kind=kind))
        if out.status == 201 and isinstance(out.body, dict):
            self.assets.append(out.body["id"])

    def request_transfer(self) -> None:
        asset_id = self.pick(self.assets)
        target = self.pick(self.group or self.entities)
        if asset_id is None or target is None:
            return
        body: dict[str, Any] = {
            "asset_id": asset_id,
            "to_entity_id": target,
            "kind": "sale",
            "price": "90000.00",
            "transfer_on": "2026-06-30",
            "reason": "soak: better used there",
        }
        kind = "normal"
        if self.invalid():
            body, kind = {**body, "kind": "theft"}, "invalid"
        out = self.do(
            Call(
                "request_asset_transfer", "POST", "/asset-transfers", "accountant", json_body=body, kind=kind
            )
        )
        if out.status == 201 and isinstance(out.body, dict):
            self.transfers.append(out.body["id"])

    def decide_transfer(self) -> None:
        if not self.transfers:
            return
        transfer_id = self.transfers.pop(self.rng.randrange(len(self.transfers)))
        action = "approve" if self.rng.random() < 0.8 else "reject"
        body = {"comment": "soak"} if action == "approve" else {"reason": "soak: not now"}
        self.do(
            Call(
                f"{action}_asset_transfer",
                "POST",
                f"/asset-transfers/{transfer_id}/{action}",
                "controller2",
                json_body=body,
            )
        )

    def consolidate(self) -> None:
        parent = self.cfg.parent_id
        if not parent:
            return
        body = {"parent_id": parent, "as_of": self.cfg.as_of}
        self.do(Call("run_consolidation", "POST", "/consolidations", "controller", json_body=body))

    def read_ownership(self) -> None:
        """The group as of the soak's date; its parent and subsidiaries are where assets move."""
        parent = self.cfg.parent_id
        if not parent:
            return
        out = self.do(
            Call(
                "read_ownership",
                "GET",
                "/ownership",
                "viewer",
                params={"parent_id": parent, "as_of": self.cfg.as_of},
                write=False,
            )
        )
        if out.status == 200 and isinstance(out.body, dict):
            members = [
                e["entity_id"] for e in out.body.get("entities", []) if e.get("method") in GROUP_METHODS
            ]
            self.group = members or self.group

    def verify_audit(self) -> None:
        self.do(Call("verify_audit_chain", "GET", "/audit-events/verify", "auditor", write=False))

    def operations(self) -> list[tuple[float, Callable[[], None]]]:
        """(weight, operation) for every operation whose route the server has."""
        table: list[tuple[float, tuple[str, str], Callable[[], None]]] = [
            (4, ("POST", "/entities"), self.create_entity),
            (3, ("PATCH", "/entities/{entity_id}"), self.update_entity),
            (8, ("POST", "/stakes"), self.create_stake),
            (2, ("POST", "/stakes/{stake_id}/end"), self.end_stake),
            (14, ("POST", "/journal-entries"), self.post_entry),
            (4, ("POST", "/journal-entries/{entry_id}/reverse"), self.reverse_entry),
            (4, ("POST", "/entities/{entity_id}/trial-balance-imports"), self.import_package),
            (4, ("POST", "/assets"), self.create_asset),
            (4, ("POST", "/asset-transfers"), self.request_transfer),
            (4, ("POST", "/asset-transfers/{transfer_id}/approve"), self.decide_transfer),
            (1, ("POST", "/consolidations"), self.consolidate),
            (3, ("GET", "/ownership"), self.read_ownership),
            (3, ("GET", "/entities"), self.refresh_entities),
            (0.3, ("GET", "/audit-events/verify"), self.verify_audit),
        ]
        return [
            (w, fn)
            for w, (method, path), fn in table
            if self.has(method, path)
            and fn.__name__ not in self.cfg.skip
            and _OP_NAMES.get(fn.__name__) not in self.cfg.skip
        ]

    def run(self) -> None:
        self.refresh_entities()
        if self.has("GET", "/ownership"):
            self.read_ownership()
        ops = self.operations()
        weights = [w for w, _ in ops]
        while time.time() < self.cfg.deadline:
            _, operation = self.rng.choices(ops, weights=weights)[0]
            operation()
        self.journal.close()
        self.http.close()


def run_client(config: ClientConfig) -> None:
    """Process entry point."""
    Client(config).run()
