"""Importing a subsidiary's reporting package: validate every row, then post the one adjusting entry.

The rules (what the package means, why the adjustment balances) are in `domain/packages.py`. Here: the whole
file is checked before anything is decided, a bad file is refused with every problem and nothing is written;
a good file is compared with the books on `as_of` and the difference is posted as one entry with source
"import" (nothing when there is no difference); a dry run answers the same entry without writing.

A real import records its audit event first: that takes the audit chain's lock, which every posting takes,
so the balances it compares against cannot change before its entry is posted (two imports of the same package
at once post once).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.ledger import repository
from app.ledger.access import visible_entity
from app.ledger.domain.entries import LineDraft
from app.ledger.domain.packages import (
    AdjustmentLine,
    Loc,
    PackageProblem,
    RawRow,
    adjustment_lines,
    read_package,
)
from app.ledger.domain.trial_balance import Key
from app.ledger.entry_records import PostedEntry
from app.ledger.errors import EntityNotPostableError, PackageRejectedError
from app.ledger.report_service import current_balances
from app.ledger.service import post_entry

GROUP_CODES = "group"
LOCAL_CODES = "local"


@dataclass(frozen=True)
class ImportOutcome:
    entity_id: str
    as_of: date
    codes: str
    dry_run: bool
    lines_read: int
    digest: str
    adjustment: list[AdjustmentLine]
    entry: PostedEntry | None


def package_digest(*, as_of: date, codes: str, rows: list[RawRow]) -> str:
    """A fingerprint of the package's content (not of its file format), kept as the entry's source_ref."""
    digest = hashlib.sha256(f"{as_of.isoformat()}|{codes}".encode())
    for row in rows:
        digest.update("|".join(f"{k}={row.cells.get(k)}" for k in sorted(row.cells)).encode("utf-8"))
    return digest.hexdigest()


def _problem_dict(problem: PackageProblem) -> dict[str, Any]:
    return {
        "loc": list(problem.loc),
        "msg": problem.reason,
        "type": problem.type,
        "row": problem.row,
        "column": problem.column,
    }


def validate_package(
    session: Session,
    *,
    entity_id: str,
    entity_code: str,
    codes: str,
    rows: list[RawRow],
    unknown_keys: list[tuple[int, str]],
    root_loc: Loc,
) -> dict[Key, Decimal]:
    """Every problem of the package at once, or its target balances per (group account, counterparty).

    Raises:
        PackageRejectedError: at least one problem; `errors` lists each with row, column and reason.
    """
    if codes == GROUP_CODES:
        account_for_code = {account.code: account.code for account in repository.all_accounts(session)}
        label = "group chart"
    else:
        account_for_code = repository.local_map(session, entity_id=entity_id)
        label = "entity's local chart (map it under /local-accounts)"
    counterparty_codes = {str(row.cells.get("counterparty_code") or "").strip() for row in rows} - {""}
    reading = read_package(
        rows=rows,
        entity_id=entity_id,
        entity_code=entity_code,
        account_for_code=account_for_code,
        entity_for_code=repository.entity_ids_by_code(session, codes=counterparty_codes),
        chart_label=label,
        root_loc=root_loc,
    )
    problems = [_problem_dict(p) for p in reading.problems]
    problems += [
        {
            "loc": ["body", "lines", index, key],
            "msg": f"unknown column {key!r}",
            "type": "unknown_column",
            "row": index + 1,
            "column": key,
        }
        for index, key in unknown_keys
    ]
    if problems:
        problems.sort(key=lambda p: (p["row"] is None, p["row"] or 0))
        raise PackageRejectedError(
            f"The package has {len(problems)} problem(s); nothing was written", errors=problems
        )
    return reading.targets()


def import_package(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    as_of: date,
    codes: str,
    rows: list[RawRow],
    unknown_keys: list[tuple[int, str]],
    dry_run: bool,
    now: datetime,
    root_loc: Loc = ("body", "lines"),
) -> ImportOutcome:
    """Bring the entity's books on `as_of` to the package's balances with one posted entry.

    Raises:
        EntityNotFoundError: unknown or invisible entity.
        EntityNotPostableError: an outside party, or a company that does not exist on `as_of`.
        PackageRejectedError: the package has problems (all listed; nothing written).
        PeriodClosedError: `as_of`'s month is closed (and there is something to post).
    """
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        if entity.kind != "company" or not entity.active_on(as_of):
            raise EntityNotPostableError(
                f"{entity.code} keeps no books on {as_of.isoformat()}", entity_id=entity.id
            )
        targets = validate_package(
            session,
            entity_id=entity.id,
            entity_code=entity.code,
            codes=codes,
            rows=rows,
            unknown_keys=unknown_keys,
            root_loc=root_loc,
        )
        digest = package_digest(as_of=as_of, codes=codes, rows=rows)
        if not dry_run:
            audit.record(
                session,
                actor=actor,
                action="ledger.package.imported",
                subject_type="entity",
                subject_id=entity.id,
                at=now,
                entity_id=entity.id,
                after={"as_of": as_of, "codes": codes, "lines": len(rows), "sha256": digest},
            )
        current = current_balances(session, entity_id=entity.id, as_of=as_of)
        adjustment = adjustment_lines(target=targets, current=current)
        entry = None
        if adjustment and not dry_run:
            entry = post_entry(
                session,
                actor=actor,
                entity_id=entity.id,
                entry_date=as_of,
                description=f"Reporting package as of {as_of.isoformat()}",
                source="import",
                source_ref=f"sha256:{digest}",
                now=now,
                lines=[
                    LineDraft(
                        account_code=line.account_code,
                        debit=line.debit or None,
                        credit=line.credit or None,
                        counterparty_entity_id=line.counterparty_entity_id,
                    )
                    for line in adjustment
                ],
            )
        return ImportOutcome(
            entity_id=entity.id,
            as_of=as_of,
            codes=codes,
            dry_run=dry_run,
            lines_read=len(rows),
            digest=digest,
            adjustment=adjustment,
            entry=entry,
        )
