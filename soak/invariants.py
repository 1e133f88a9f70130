"""What must hold after a soak (with or without kills), checked against the database itself.

One function per invariant; each returns a `Result` whose status is "ok", "failed" or "not applicable yet"
(the feature it speaks of has no table yet). The functions read tables through the metadata by name, so a
feature that lands is checked as soon as its tables exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, inspect, select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table in the metadata)
from app.audit.service import verify_chain
from app.core.db import Base

OK, FAILED, NOT_YET = "ok", "failed", "not applicable yet"
_SHOWN = 5  # examples of a failure kept in the result
# Rows that are not changes of business state, and the audit trail itself.
_NOT_AUDITED = {"audit_event", "audit_chain_head", "idempotency_record", "login_throttle"}


@dataclass
class Result:
    name: str
    status: str
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "figures": self.figures}


@dataclass
class Journal:
    """What the clients saw: one dict per logical request (see soak.client.Client.record)."""

    rows: list[dict[str, Any]]

    def first_answers(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["kind"] != "duplicate"]

    def duplicates(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["kind"] == "duplicate"]


def _table(name: str, conn: Connection) -> Table | None:
    """The table, when the models have it and the database has it too (a feature may be half landed)."""
    table = Base.metadata.tables.get(name)
    return table if table is not None and inspect(conn).has_table(name) else None


def _has(table: Table | None, *columns: str) -> bool:
    return table is not None and set(columns) <= set(table.c.keys())


# --- books -----------------------------------------------------------------------------------------------


def entries_balanced(conn: Connection) -> Result:
    """Every journal entry has lines, and its debits equal its credits."""
    name = "every entry balanced"
    lines, entries = _table("journal_line", conn), _table("journal_entry", conn)
    if not _has(lines, "entity_id", "entry_id", "debit", "credit") or entries is None or lines is None:
        return Result(name, NOT_YET, "no journal tables")
    sums = conn.execute(
        select(
            lines.c.entity_id,
            lines.c.entry_id,
            func.sum(lines.c.debit),
            func.sum(lines.c.credit),
            func.count(),
        ).group_by(lines.c.entity_id, lines.c.entry_id)
    ).all()
    unbalanced = [f"{e}/{i}: {d} != {c}" for e, i, d, c, _ in sums if Decimal(d) != Decimal(c)]
    entry_count = conn.execute(select(func.count()).select_from(entries)).scalar_one()
    without_lines = entry_count - len(sums)
    figures = {
        "entries": entry_count,
        "lines": sum(n for *_, n in sums),
        "unbalanced": len(unbalanced),
        "entries_without_lines": without_lines,
    }
    if unbalanced or without_lines:
        return Result(
            name, FAILED, "; ".join(unbalanced[:_SHOWN]) or f"{without_lines} entries have no lines", figures
        )
    return Result(name, OK, f"{entry_count} entries, all balanced", figures)


def kept_balances_equal_lines(conn: Connection) -> Result:
    """The kept monthly balances equal the sums of the posted lines, month by month."""
    name = "kept balances equal lines"
    lines, entries, kept = (
        _table("journal_line", conn),
        _table("journal_entry", conn),
        _table("account_balance", conn),
    )
    if (
        lines is None
        or entries is None
        or kept is None
        or not _has(kept, "entity_id", "account_code", "counterparty_key", "year", "month", "debit", "credit")
    ):
        return Result(name, NOT_YET, "no kept balances table")
    from_lines: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    joined = select(
        lines.c.entity_id,
        lines.c.account_code,
        lines.c.counterparty_entity_id,
        entries.c.entry_date,
        lines.c.debit,
        lines.c.credit,
    ).join(entries, (entries.c.entity_id == lines.c.entity_id) & (entries.c.id == lines.c.entry_id))
    for entity, account, counterparty, day, debit, credit in conn.execute(joined):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        key = (entity, account, counterparty or "", day.year, day.month)
        from_lines[key][0] += Decimal(debit)
        from_lines[key][1] += Decimal(credit)
    stored = {
        (e, a, c, y, m): [Decimal(d), Decimal(k)]
        for e, a, c, y, m, d, k in conn.execute(
            select(
                kept.c.entity_id,
                kept.c.account_code,
                kept.c.counterparty_key,
                kept.c.year,
                kept.c.month,
                kept.c.debit,
                kept.c.credit,
            )
        )
    }
    differ = [
        f"{key}: kept {stored.get(key)} lines {from_lines.get(key)}"
        for key in set(stored) | set(from_lines)
        if stored.get(key, [Decimal(0), Decimal(0)]) != from_lines.get(key, [Decimal(0), Decimal(0)])
    ]
    figures = {"kept_rows": len(stored), "line_groups": len(from_lines), "differences": len(differ)}
    if differ:
        return Result(name, FAILED, "; ".join(sorted(differ)[:_SHOWN]), figures)
    return Result(name, OK, f"{len(stored)} kept month balances equal the lines", figures)


# --- structure -------------------------------------------------------------------------------------------


def shares_at_most_one(conn: Connection) -> Result:
    """On every day, the capital shares held in each company sum to at most 1."""
    name = "shares in each company sum to at most 1"
    stakes = _table("equity_stake", conn)
    if not _has(stakes, "investee_id", "share", "valid_from", "valid_to") or stakes is None:
        return Result(name, NOT_YET, "no stakes table")
    by_investee: dict[str, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for investee, share, start, end in conn.execute(
        select(stakes.c.investee_id, stakes.c.share, stakes.c.valid_from, stakes.c.valid_to)
    ):
        by_investee[investee].append((start, end, Decimal(share)))
    over = []
    for investee, spans in by_investee.items():
        # The sum only changes where a holding starts: checking every start date covers every day.
        for day in {start for start, _, _ in spans}:
            total = sum(
                (s for start, end, s in spans if start <= day and (end is None or end > day)), Decimal(0)
            )
            if total > 1:
                over.append(f"{investee} on {day}: {total}")
    figures = {
        "stakes": sum(len(v) for v in by_investee.values()),
        "investees": len(by_investee),
        "over_allocated": len(over),
    }
    if over:
        return Result(name, FAILED, "; ".join(sorted(over)[:_SHOWN]), figures)
    return Result(name, OK, f"{figures['stakes']} stakes in {len(by_investee)} companies", figures)


def assets_single_holder(conn: Connection) -> Result:
    """Every asset not disposed of is held by exactly one company: one open book, of the card's holder."""
    name = "every asset held by exactly one company"
    assets, books, entities = (
        _table("fixed_asset", conn),
        _table("asset_book", conn),
        _table("legal_entity", conn),
    )
    if (
        assets is None
        or books is None
        or entities is None
        or not _has(assets, "id", "holder_entity_id", "status")
        or not _has(books, "asset_id", "entity_id", "valid_to")
    ):
        return Result(name, NOT_YET, "no asset tables")
    cards = conn.execute(
        select(assets.c.id, assets.c.holder_entity_id, assets.c.status, entities.c.kind).outerjoin(
            entities, entities.c.id == assets.c.holder_entity_id
        )
    ).all()
    open_books: dict[str, list[str]] = defaultdict(list)
    for asset_id, entity_id in conn.execute(
        select(books.c.asset_id, books.c.entity_id).where(books.c.valid_to.is_(None))
    ):
        open_books[asset_id].append(entity_id)
    bad = []
    for asset_id, holder, status, kind in cards:
        held = open_books.get(asset_id, [])
        if status == "disposed":
            if held:
                bad.append(f"{asset_id}: disposed but open in {held}")
        elif held != [holder] or kind != "company":
            bad.append(f"{asset_id}: holder {holder} ({kind}), open books in {held}")
    figures = {"assets": len(cards), "disposed": sum(1 for c in cards if c[2] == "disposed"), "bad": len(bad)}
    if bad:
        return Result(name, FAILED, "; ".join(bad[:_SHOWN]), figures)
    return Result(name, OK, f"{len(cards)} assets, each with one company holder (or disposed)", figures)


# --- audit and idempotency -------------------------------------------------------------------------------


def audit_chain_verifies(conn: Connection) -> Result:
    name = "audit chain verifies"
    session = Session(bind=conn)
    try:
        check = verify_chain(session)
    finally:
        session.close()
    figures = {"events": check.checked}
    if not check.ok:
        return Result(name, FAILED, f"event {check.first_bad}: {check.reason}", figures)
    return Result(name, OK, f"{check.checked} events verified", figures)


# References that say where a row belongs without making it part of that object's change.
_CONTEXT_TABLES = {"legal_entity", "app_user", "account"}


def _owner_columns(table: Table) -> list[str]:
    """Foreign-key columns naming the object a row is part of (an asset's book names its asset)."""
    return [
        c.name
        for c in table.columns
        if c.name != "id" and any(fk.column.table.name not in _CONTEXT_TABLES for fk in c.foreign_keys)
    ]


def id_snapshot(conn: Connection) -> dict[str, dict[str, tuple[str, ...]]]:
    """For every audited table with an `id` column: each row's id and the ids of the objects it is part of."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    present = set(inspect(conn).get_table_names())
    for name, table in Base.metadata.tables.items():
        if name in _NOT_AUDITED or "id" not in table.c or name not in present:
            continue
        owners = _owner_columns(table)
        rows = conn.execute(select(table.c.id, *[table.c[o] for o in owners]))
        out[name] = {str(r[0]): tuple(str(v) for v in r[1:] if v is not None) for r in rows}
    return out


def _events_by_request(conn: Connection, keys: Iterable[str]) -> dict[str, list[tuple[int, Any, str]]]:
    events = _table("audit_event", conn)
    assert events is not None
    wanted = set(keys)
    out: dict[str, list[tuple[int, Any, str]]] = defaultdict(list)
    for seq, request_id, at, action in conn.execute(
        select(events.c.seq, events.c.request_id, events.c.at, events.c.action).where(
            events.c.request_id.is_not(None)
        )
    ):
        if request_id in wanted:
            out[request_id].append((seq, at, action))
    return out


def one_audit_event_per_change(
    conn: Connection, *, before: dict[str, dict[str, tuple[str, ...]]], journal: Journal
) -> Result:
    """Every row the soak created is audited (as itself, or as part of the object it belongs to); every
    accepted write left events, every refused one none."""
    name = "one audit event per committed change"
    events = _table("audit_event", conn)
    assert events is not None
    subjects = {str(v) for v in conn.execute(select(events.c.subject_id)).scalars()}
    after = id_snapshot(conn)
    unaudited = []
    created = 0
    for table, rows in after.items():
        new = set(rows) - set(before.get(table, {}))
        created += len(new)
        unaudited += [
            f"{table}:{i}" for i in sorted(new) if i not in subjects and not subjects.intersection(rows[i])
        ]
    writes = [r for r in journal.first_answers() if r["write"] and r["status"] is not None]
    by_request = _events_by_request(conn, (r["key"] for r in writes))
    accepted_without = [
        f"{r['op']} {r['key']}"
        for r in writes
        if 200 <= r["status"] < 300 and not r.get("noop") and not by_request.get(r["key"])
    ]
    # A refusal after a lost connection may follow an attempt that did commit (a PATCH sent again after a kill
    # meets its own new version: 412): only refusals at the first attempt must have left nothing.
    refused_with = [
        f"{r['op']} {r['key']} ({r['status']})"
        for r in writes
        if r["status"] >= 400 and r["attempts"] == 1 and by_request.get(r["key"])
    ]
    figures = {
        "rows_created": created,
        "rows_unaudited": len(unaudited),
        "accepted_writes": sum(1 for r in writes if 200 <= r["status"] < 300),
        "accepted_without_event": len(accepted_without),
        "refused_writes": sum(1 for r in writes if r["status"] >= 400),
        "refused_with_event": len(refused_with),
    }
    problems = unaudited[:_SHOWN] + accepted_without[:_SHOWN] + refused_with[:_SHOWN]
    if problems:
        return Result(name, FAILED, "; ".join(problems), figures)
    return Result(name, OK, f"{created} new rows audited; refused writes left nothing", figures)


def no_replay_applied_twice(conn: Connection, *, journal: Journal) -> Result:
    """A key's events come from one transaction (one `at`), and every duplicate got the first answer back."""
    name = "no replayed request applied twice"
    keys = {r["key"] for r in journal.rows if r["write"]}
    by_request = _events_by_request(conn, keys)
    twice = [
        f"{key}: {len({at for _, at, _ in evs})} transactions ({evs[0][2]})"
        for key, evs in by_request.items()
        if len({at for _, at, _ in evs}) > 1
    ]
    dups = [r for r in journal.duplicates() if r["status"] is not None and r.get("first_status") is not None]
    # Accepted requests are remembered under their key and must come back identical, marked as replayed.
    # Refusals are not remembered by design (nothing was written; the key stays free): re-run, not replayed.
    accepted = [r for r in dups if 200 <= r["first_status"] < 300]
    not_replayed = [
        f"{r['op']} {r['key']}: {r['first_status']} then {r['status']}"
        for r in accepted
        if not (r.get("same_answer") and r.get("was_replayed"))
    ]
    figures = {
        "keys": len(keys),
        "duplicates_sent": len(dups),
        "duplicates_of_accepted": len(accepted),
        "replayed_identical": len(accepted) - len(not_replayed),
        "duplicates_of_refused_rerun": len(dups) - len(accepted),
        "applied_twice": len(twice),
        "retried_after_connection_loss": sum(1 for r in journal.rows if r["attempts"] > 1),
    }
    if twice or not_replayed:
        return Result(name, FAILED, "; ".join(twice[:_SHOWN] + not_replayed[:_SHOWN]), figures)
    return Result(name, OK, f"{len(dups)} duplicates replayed; no key applied twice", figures)


def no_server_errors(journal: Journal) -> Result:
    name = "no 5xx answers"
    errors = [r for r in journal.rows if r["status"] is not None and r["status"] >= 500]
    figures = {"server_errors": len(errors)}
    if errors:
        return Result(
            name, FAILED, "; ".join(f"{r['op']} {r['status']} {r['key']}" for r in errors[:_SHOWN]), figures
        )
    return Result(name, OK, "none", figures)


def invalid_requests_refused(journal: Journal) -> Result:
    name = "invalid requests refused"
    invalid = [r for r in journal.first_answers() if r["kind"] == "invalid" and r["status"] is not None]
    accepted = [r for r in invalid if r["status"] < 400]
    figures = {"invalid_sent": len(invalid), "accepted": len(accepted)}
    if accepted:
        return Result(name, FAILED, "; ".join(f"{r['op']} {r['key']}" for r in accepted[:_SHOWN]), figures)
    return Result(name, OK, f"{len(invalid)} invalid requests, all refused", figures)


def check_all(
    conn: Connection, *, before: dict[str, dict[str, tuple[str, ...]]], journal: Journal
) -> list[Result]:
    return [
        entries_balanced(conn),
        kept_balances_equal_lines(conn),
        assets_single_holder(conn),
        shares_at_most_one(conn),
        audit_chain_verifies(conn),
        one_audit_event_per_change(conn, before=before, journal=journal),
        no_replay_applied_twice(conn, journal=journal),
        no_server_errors(journal),
        invalid_requests_refused(journal),
    ]
