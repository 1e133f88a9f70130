"""The check a backup and a restore run: the audit chain's state and two digests, one of every table's content
and one of every entity's trial balance (see `service`). A restore that does not give back the same check
is reported as failed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, inspect, select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table in the metadata, so the digest covers them all)
from app.audit.service import verify_chain
from app.core.db import Base, make_engine
from app.core.jsonable import to_jsonable


@dataclass(frozen=True)
class DatabaseCheck:
    """What a backup promises to give back: the audit chain's state and digests of every figure."""

    audit_ok: bool
    audit_checked: int
    audit_reason: str | None
    content_digest: str
    trial_balance_digest: str | None
    row_counts: dict[str, int] = field(default_factory=dict)


def _jsonable_cell(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return to_jsonable(value)


def _table_rows(conn: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execute(select(table).order_by(*order)).yield_per(1000)
    for row in result:
        yield tuple(row)


def content_digest(conn: Connection) -> tuple[str, dict[str, int]]:
    """SHA-256 over every row of every table the database has (in name and key order), and row counts.

    Values are read through the column types (Decimal money, aware UTC times), so the digest speaks of
    figures, not of storage bytes.
    """
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    present = set(inspect(conn).get_table_names())
    for name in sorted(set(Base.metadata.tables) & present):
        table = Base.metadata.tables[name]
        digest.update(f"\x1e{name}\x1f".encode())
        n = 0
        for row in _table_rows(conn, table):
            line = json.dumps([_jsonable_cell(v) for v in row], separators=(",", ":"), ensure_ascii=False)
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
            n += 1
        counts[name] = n
    return digest.hexdigest(), counts


def trial_balance_digest(conn: Connection) -> str | None:
    """SHA-256 of every entity's trial balance (debit and credit per account and counterparty, all dates),
    computed from the journal lines; None while the ledger does not exist."""
    lines = Base.metadata.tables.get("journal_line")
    if (
        lines is None
        or not inspect(conn).has_table("journal_line")
        or not {"entity_id", "account_code", "debit", "credit"} <= set(lines.c.keys())
    ):
        return None
    keys = [lines.c.entity_id, lines.c.account_code]
    if "counterparty_entity_id" in lines.c:
        keys.append(lines.c.counterparty_entity_id)
    rows = conn.execute(
        select(*keys, func.sum(lines.c.debit), func.sum(lines.c.credit)).group_by(*keys).order_by(*keys)
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([_jsonable_cell(v) for v in row], separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def check_connection(conn: Connection) -> DatabaseCheck:
    """Verify the audit chain and compute both digests over what this connection sees."""
    session = Session(bind=conn)
    try:
        chain = verify_chain(session)
    finally:
        session.close()
    digest, counts = content_digest(conn)
    return DatabaseCheck(
        audit_ok=chain.ok,
        audit_checked=chain.checked,
        audit_reason=chain.reason,
        content_digest=digest,
        trial_balance_digest=trial_balance_digest(conn),
        row_counts=counts,
    )


def check_database(*, url: str) -> DatabaseCheck:
    """The check of the database at `url`, in one read transaction."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return check_connection(conn)
    finally:
        engine.dispose()
