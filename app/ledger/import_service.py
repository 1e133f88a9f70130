"""Importing reporting packages: validate every row, then post the adjusting entries.

The rules (what the package means, why the adjustment balances) are in `domain/packages.py`. Here: the whole
file is checked before anything is decided, a bad file is refused with every problem and nothing is written;
a good file is compared with the books on `as_of` and the difference is posted as one entry with source
"import" (nothing when there is no difference); a dry run answers the same entry without writing.

A real import records its audit event first: that takes the audit chain's lock, which every posting takes,
so the balances it compares against cannot change before its entry is posted (two imports of the same package
at once post once).

`import_packages` does the same for a whole group at a close: one file with an `entity_code` column holding
every company's package, all validated first (one problem anywhere refuses the file), then one entry per
company posted set-based (`service.post_entries`): the chart, the entities, the local charts and the current
balances are each read once for the group, not once per company.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.heap import collection_paused
from app.entities.models import LegalEntity
from app.ledger import package_repository, repository
from app.ledger.access import visible_entity
from app.ledger.domain.calendar import fiscal_period_of, is_month_end, month_start
from app.ledger.domain.entries import LineDraft
from app.ledger.domain.packages import (
    AdjustmentLine,
    Loc,
    PackageProblem,
    RawRow,
    adjustment_lines,
    read_package,
)
from app.ledger.domain.trial_balance import AccountNature, Key, Movement, net_balances
from app.ledger.errors import EntityNotPostableError, PackageRejectedError
from app.ledger.report_service import ChartIncompleteError
from app.ledger.service import BookedEntry, EntryToPost, post_entries

GROUP_CODES = "group"
LOCAL_CODES = "local"


@dataclass(frozen=True)
class ImportOutcome:
    entity_id: str
    entity_code: str
    as_of: date
    codes: str
    dry_run: bool
    lines_read: int
    digest: str
    adjustment: list[AdjustmentLine]
    entry: BookedEntry | None


@dataclass(frozen=True)
class GroupImportOutcome:
    as_of: date
    codes: str
    dry_run: bool
    lines_read: int
    digest: str
    packages: list[ImportOutcome]


def package_digest(*, as_of: date, codes: str, rows: Sequence[RawRow]) -> str:
    """A fingerprint of the package's content (not of its file format), kept as the entry's source_ref."""
    digest = hashlib.sha256(f"{as_of.isoformat()}|{codes}".encode())
    order: dict[frozenset[str], list[str]] = {}
    for row in rows:
        cells = row.cells
        names = order.get(frozenset(cells))
        if names is None:
            names = order[frozenset(cells)] = sorted(cells)
        digest.update("|".join([f"{k}={cells.get(k)}" for k in names]).encode("utf-8"))
    return digest.hexdigest()


def _file_digest(*, as_of: date, codes: str, digests: Mapping[str, str]) -> str:
    """A group file's fingerprint: of each company's package fingerprint, in file order (each row is hashed
    once, for its company's package)."""
    content = "|".join(f"{code}={digest}" for code, digest in digests.items())
    return hashlib.sha256(f"{as_of.isoformat()}|{codes}|{content}".encode()).hexdigest()


def _problem_dict(problem: PackageProblem) -> dict[str, Any]:
    return {
        "loc": list(problem.loc),
        "msg": problem.reason,
        "type": problem.type,
        "row": problem.row,
        "column": problem.column,
    }


def _unknown_key_problems(unknown_keys: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    return [
        {
            "loc": ["body", "lines", index, key],
            "msg": f"unknown column {key!r}",
            "type": "unknown_column",
            "row": index + 1,
            "column": key,
        }
        for index, key in unknown_keys
    ]


def _refuse(problems: list[dict[str, Any]]) -> PackageRejectedError:
    problems.sort(key=lambda p: (p["row"] is None, p["row"] or 0))
    return PackageRejectedError(
        f"The package has {len(problems)} problem(s); nothing was written", errors=problems
    )


@dataclass(frozen=True)
class _Chart:
    """The group chart as the import needs it, read once: codes, natures and the retained-earnings account."""

    identity: dict[str, str]
    natures: dict[str, AccountNature]
    retained: str | None

    @classmethod
    def read(cls, session: Session) -> _Chart:
        rows = package_repository.chart_rows(session)
        retained = [row.code for row in rows if row.role == "retained_earnings"]
        return cls(
            identity={row.code: row.code for row in rows},
            natures={row.code: AccountNature(type=row.type, normal_side=row.normal_side) for row in rows},
            retained=retained[0] if retained else None,
        )

    def retained_code(self) -> str:
        if self.retained is None:
            raise ChartIncompleteError("no account has the role retained_earnings", role="retained_earnings")
        return self.retained


_GROUP_LABEL = "group chart"
_LOCAL_LABEL = "entity's local chart (map it under /local-accounts)"


def _counterparty_codes(rows: Iterable[RawRow]) -> set[str]:
    return {str(row.cells.get("counterparty_code") or "").strip() for row in rows} - {""}


def _movements_of(session: Session, *, entity_ids: Collection[str], as_of: date) -> dict[str, list[Movement]]:
    """Each entity's movements up to `as_of` inclusive, as `report_service.movements_to` reads them for one:
    kept months, plus the lines of `as_of`'s month unless it ends it."""
    year, month = fiscal_period_of(as_of)
    if is_month_end(as_of):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        return package_repository.kept_movements_of(
            session, entity_ids=entity_ids, before_year=next_year, before_month=next_month
        )
    kept = package_repository.kept_movements_of(
        session, entity_ids=entity_ids, before_year=year, before_month=month
    )
    lines = package_repository.line_movements_of(
        session, entity_ids=entity_ids, date_from=month_start(year, month), date_to=as_of
    )
    return {entity_id: kept[entity_id] + lines[entity_id] for entity_id in entity_ids}


def _current(chart: _Chart, *, movements: list[Movement], as_of: date) -> dict[Key, Decimal]:
    return net_balances(
        as_of_year=as_of.year,
        movements=movements,
        accounts=chart.natures,
        retained_earnings_code=chart.retained_code(),
    )


def _draft_lines(adjustment: Sequence[AdjustmentLine]) -> list[LineDraft]:
    return [
        LineDraft(
            account_code=line.account_code,
            debit=line.debit or None,
            credit=line.credit or None,
            counterparty_entity_id=line.counterparty_entity_id,
        )
        for line in adjustment
    ]


def _description(as_of: date) -> str:
    return f"Reporting package as of {as_of.isoformat()}"


@collection_paused()
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
        ChartIncompleteError: the chart has no retained-earnings account.
    """
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        if entity.kind != "company" or not entity.active_on(as_of):
            raise EntityNotPostableError(
                f"{entity.code} keeps no books on {as_of.isoformat()}", entity_id=entity.id
            )
        chart = _Chart.read(session)
        if codes == GROUP_CODES:
            account_for_code, label = chart.identity, _GROUP_LABEL
        else:
            account_for_code, label = repository.local_map(session, entity_id=entity.id), _LOCAL_LABEL
        reading = read_package(
            rows=rows,
            entity_id=entity.id,
            entity_code=entity.code,
            account_for_code=account_for_code,
            entity_for_code=repository.entity_ids_by_code(session, codes=_counterparty_codes(rows)),
            chart_label=label,
            root_loc=root_loc,
        )
        problems = [_problem_dict(p) for p in reading.problems] + _unknown_key_problems(unknown_keys)
        if problems:
            raise _refuse(problems)
        targets = reading.targets()
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
        movements = _movements_of(session, entity_ids=[entity.id], as_of=as_of)[entity.id]
        adjustment = adjustment_lines(
            target=targets, current=_current(chart, movements=movements, as_of=as_of)
        )
        entry = None
        if adjustment and not dry_run:
            (entry,) = post_entries(
                session,
                actor=actor,
                entries=[
                    EntryToPost(
                        entity_id=entity.id,
                        entry_date=as_of,
                        description=_description(as_of),
                        lines=_draft_lines(adjustment),
                        source="import",
                        source_ref=f"sha256:{digest}",
                    )
                ],
                now=now,
            )
        return ImportOutcome(
            entity_id=entity.id,
            entity_code=entity.code,
            as_of=as_of,
            codes=codes,
            dry_run=dry_run,
            lines_read=len(rows),
            digest=digest,
            adjustment=adjustment,
            entry=entry,
        )


def _group_by_entity(
    rows: Sequence[RawRow], root_loc: Loc
) -> tuple[dict[str, list[RawRow]], list[dict[str, Any]]]:
    """The rows of each entity code, in file order, and the problems of rows without one."""
    by_code: dict[str, list[RawRow]] = {}
    problems: list[dict[str, Any]] = []
    if not rows:
        problems.append(
            {
                "loc": list(root_loc),
                "msg": "the file has no lines",
                "type": "empty_package",
                "row": None,
                "column": None,
            }
        )
    for row in rows:
        code = str(row.cells.get("entity_code") or "").strip()
        if not code:
            problems.append(
                {
                    "loc": [*row.loc, "entity_code"],
                    "msg": "is required",
                    "type": "missing",
                    "row": row.row,
                    "column": "entity_code",
                }
            )
            continue
        by_code.setdefault(code, []).append(row)
    return by_code, problems


def _entity_problem(rows: list[RawRow], code: str, msg: str, type_: str) -> dict[str, Any]:
    first = rows[0]
    return {
        "loc": [*first.loc, "entity_code"],
        "msg": msg,
        "type": type_,
        "row": first.row,
        "column": "entity_code",
        "entity_code": code,
    }


@collection_paused()
def import_packages(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    codes: str,
    rows: list[RawRow],
    unknown_keys: list[tuple[int, str]],
    dry_run: bool,
    now: datetime,
    root_loc: Loc = ("file",),
) -> GroupImportOutcome:
    """Bring every company of the file to its package on `as_of`: one adjusting entry per company whose books
    differ, all in one transaction, exactly as `import_package` would for each.

    Every row of every package is checked first; a problem anywhere refuses the whole file (every problem
    listed, with its row, the package-level ones naming the entity) and nothing is written.

    Raises:
        PackageRejectedError: the file has problems, including entity codes that are unknown, invisible to
            the actor, outside parties or companies that do not exist on `as_of`.
        PeriodClosedError: `as_of`'s month is closed for a company that has something to post.
        ChartIncompleteError: the chart has no retained-earnings account.
    """
    with atomic(session):
        by_code, problems = _group_by_entity(rows, root_loc)
        problems += _unknown_key_problems(unknown_keys)
        found = package_repository.entities_by_code(session, codes=by_code)
        entities: dict[str, LegalEntity] = {}
        for code, package_rows in by_code.items():
            entity = found.get(code)
            if entity is None or not actor.can_see(entity.id):
                problems.append(
                    _entity_problem(package_rows, code, f"no entity has the code {code}", "unknown_entity")
                )
            elif entity.kind != "company" or not entity.active_on(as_of):
                problems.append(
                    _entity_problem(
                        package_rows,
                        code,
                        f"{code} keeps no books on {as_of.isoformat()}",
                        "entity_not_postable",
                    )
                )
            else:
                entities[code] = entity
        chart = _Chart.read(session)
        local = (
            package_repository.local_maps(session, entity_ids=[e.id for e in entities.values()])
            if codes == LOCAL_CODES
            else {}
        )
        counterparty_ids = repository.entity_ids_by_code(session, codes=_counterparty_codes(rows))
        targets: dict[str, dict[Key, Decimal]] = {}
        for code, entity in entities.items():
            reading = read_package(
                rows=by_code[code],
                entity_id=entity.id,
                entity_code=code,
                account_for_code=chart.identity if codes == GROUP_CODES else local[entity.id],
                entity_for_code=counterparty_ids,
                chart_label=_GROUP_LABEL if codes == GROUP_CODES else _LOCAL_LABEL,
                root_loc=root_loc,
            )
            for problem in reading.problems:
                found_problem = _problem_dict(problem)
                if problem.row is None:
                    found_problem["msg"] = f"{code}: {problem.reason}"
                    found_problem["entity_code"] = code
                problems.append(found_problem)
            targets[code] = reading.targets()
        if problems:
            raise _refuse(problems)
        digests = {
            code: package_digest(as_of=as_of, codes=codes, rows=package_rows)
            for code, package_rows in by_code.items()
        }
        digest = _file_digest(as_of=as_of, codes=codes, digests=digests)
        if not dry_run:
            audit.record(
                session,
                actor=actor,
                action="ledger.packages.imported",
                subject_type="package_file",
                subject_id=digest,
                at=now,
                after={
                    "as_of": as_of,
                    "codes": codes,
                    "lines": len(rows),
                    "sha256": digest,
                    "packages": [
                        {
                            "entity_id": entities[code].id,
                            "lines": len(by_code[code]),
                            "sha256": digests[code],
                        }
                        for code in by_code
                    ],
                },
            )
        movements = _movements_of(session, entity_ids=[e.id for e in entities.values()], as_of=as_of)
        adjustments = {
            code: adjustment_lines(
                target=targets[code], current=_current(chart, movements=movements[entity.id], as_of=as_of)
            )
            for code, entity in entities.items()
        }
        to_post = [code for code in by_code if adjustments[code]]
        booked: dict[str, BookedEntry] = {}
        if to_post and not dry_run:
            posted = post_entries(
                session,
                actor=actor,
                entries=[
                    EntryToPost(
                        entity_id=entities[code].id,
                        entry_date=as_of,
                        description=_description(as_of),
                        lines=_draft_lines(adjustments[code]),
                        source="import",
                        source_ref=f"sha256:{digests[code]}",
                    )
                    for code in to_post
                ],
                now=now,
            )
            booked = dict(zip(to_post, posted, strict=True))
        return GroupImportOutcome(
            as_of=as_of,
            codes=codes,
            dry_run=dry_run,
            lines_read=len(rows),
            digest=digest,
            packages=[
                ImportOutcome(
                    entity_id=entities[code].id,
                    entity_code=code,
                    as_of=as_of,
                    codes=codes,
                    dry_run=dry_run,
                    lines_read=len(by_code[code]),
                    digest=digests[code],
                    adjustment=adjustments[code],
                    entry=booked.get(code),
                )
                for code in by_code
            ],
        )
