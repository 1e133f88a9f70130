"""Exports and the change feed on the wire."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.wire import DecimalStr, MoneyStr

ExportKind = Literal[
    "journal",
    "trial_balance",
    "chart",
    "assets",
    "equity",
    "entities",
    "intercompany",
    "consolidation",
    "audit_trail",
    "users",
    "saft",
]
ExportFormat = Literal["csv", "xlsx", "jsonl", "xml"]
JobStatus = Literal["queued", "running", "done", "failed"]
EntityId = Annotated[str, Field(min_length=1, max_length=36)]


class ExportCreate(BaseModel):
    """What to export. `to` is the "as of" date of the trial balance, assets, intercompany and SAF-T
    exports (required there); `from`..`to` (inclusive) limit the journal by entry date, the audit trail by
    event date, and stakes to those in force in the period; the asset roll-forward and SAF-T run from `from`
    (default: 1 January of `to`'s year)."""

    model_config = ConfigDict(extra="forbid")

    kind: ExportKind = Field(
        description="journal lines; trial_balance; chart (accounts and local mappings); assets (register and "
        "roll-forward); equity (entities, stakes with their history, method overrides); entities; "
        "intercompany (tagged balances and matching); consolidation (a run's scope, statements, figures, "
        "eliminations, intercompany differences and workings); audit_trail; users (users, roles, API "
        "keys); saft (SAF-T 2.0-style XML of each company's ledger and assets)"
    )
    format: ExportFormat = Field(default="csv", description="csv, xlsx or jsonl; xml for the saft kind")
    entity_ids: list[EntityId] | None = Field(
        default=None, max_length=10_000, description="only these entities (default: every entity you see)"
    )
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    bom: bool = Field(default=False, description="CSV only: start each file with a UTF-8 byte order mark")
    tolerance: Annotated[MoneyStr, Field(ge=0, le=10**12)] | None = Field(
        default=None, description="intercompany only: differences up to this are matched (default 0)"
    )
    after_seq: int | None = Field(
        default=None, ge=0, le=2**62, description="audit_trail only: events after this sequence number"
    )
    run_id: str | None = Field(
        default=None, min_length=1, max_length=36, description="consolidation only: the run's workpapers"
    )


class ExportLinks(BaseModel):
    self: str
    package: str | None = Field(description="where the finished package downloads from")


class ExportJobRead(BaseModel):
    id: str
    kind: ExportKind
    format: ExportFormat
    status: JobStatus
    export_id: str = Field(description="the hash of the question: the same export has the same id")
    params: dict[str, Any]
    entity_ids: list[str] | None = Field(description="the entities the package may hold (null: all)")
    progress_rows: int
    total_rows: int | None
    progress: DecimalStr | None = Field(description="fraction of the rows written, when the total is known")
    manifest_sha256: str | None
    package_sha256: str | None
    package_bytes: int | None
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    links: ExportLinks


class FeedItem(BaseModel):
    seq: int = Field(description="the change's position in commit order (gapless)")
    id: str
    at: datetime
    action: str
    subject_type: str
    subject_id: str
    entity_id: str | None
    actor_name: str
    after: Any = Field(description="the state after the change, as the audit trail recorded it")


class FeedRead(BaseModel):
    items: list[FeedItem]
    next_cursor: str = Field(description="ask with this cursor next time (also when no item was new)")
    has_more: bool = Field(description="more changes are waiting: ask again at once")


def progress_of(rows: int, total: int | None, status: str) -> Decimal | None:
    if status == "done":
        return Decimal(1)
    if not total:
        return None
    return min(Decimal(rows) / Decimal(total), Decimal(1)).quantize(Decimal("0.0001"))
