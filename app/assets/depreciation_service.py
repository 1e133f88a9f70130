"""Depreciation runs: a month's run posts, per company, one entry with every month of every book that is due
up to that month and not yet posted (so a month missed, or a book started late, is caught up).

One unit of work per run (`atomic`), with the lock order of `app.assets.service`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import ZERO, load_facts
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    Method,
    book_charges,
    unposted_charges,
)
from app.assets.domain.periods import (
    Period,
)
from app.assets.domain.workflow import (
    Violation,
)
from app.assets.errors import (
    AssetValidationError,
    DepreciationUnitsMissingError,
    problem_errors,
)
from app.assets.models import (
    AssetUsage,
    DepreciationRun,
)
from app.assets.posting import Due, asset_accounts, month_closed, post_due
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.ledger.errors import PeriodClosedError

# ---------------------------------------------------------------------------------------- depreciation


@dataclass(frozen=True)
class RunView:
    run: DepreciationRun
    created: bool


@dataclass(frozen=True)
class RunsResult:
    period: str
    runs: list[RunView]
    skipped: list[dict[str, str]]


def _run_entity(
    session: Session,
    *,
    actor: Actor,
    entity: LegalEntity,
    period: Period,
    units: Mapping[str, Decimal],
    used_units: set[str],
    accounts: acc.AssetAccounts,
    now: datetime,
) -> RunView:
    label = str(period)
    existing = repository.get_run(session, entity_id=entity.id, period=label)
    if existing is not None:
        return RunView(run=existing, created=False)
    rows = repository.books_of_entity(session, entity_id=entity.id, until=period.last_day)
    asset_ids = sorted({r.asset_id for r in rows})
    repository.lock_assets(session, asset_ids)
    facts = load_facts(session, asset_ids)
    posted = repository.posted_periods(session, [r.id for r in rows])
    missing: list[Violation] = []
    due: list[Due] = []
    for row in rows:
        item = facts[row.asset_id]
        book = item.domain_book(row)
        months = book_charges(book, through=period)
        in_service = bool(months) and months[-1].period == period
        if row.method == Method.UNITS_OF_PRODUCTION and in_service and label not in posted[row.id]:
            known = Period.parse(label) in item.units_of(row)
            if row.asset_id in units:
                used_units.add(row.asset_id)
                if not known:
                    session.add(
                        AssetUsage(
                            book_id=row.id, asset_id=row.asset_id, period=label, units=units[row.asset_id]
                        )
                    )
                    item.usage.append(
                        AssetUsage(
                            book_id=row.id, asset_id=row.asset_id, period=label, units=units[row.asset_id]
                        )
                    )
            elif not known:
                missing.append(
                    Violation(
                        "units",
                        f"units produced by {item.asset.tag} in {label}",
                        "units_required",
                        {"asset_id": row.asset_id},
                    )
                )
                continue
        for charge in unposted_charges(
            book, through=period, posted=[Period.parse(p) for p in posted[row.id]], units=item.units_of(row)
        ):
            due.append(Due(row, charge))
    if missing:
        raise DepreciationUnitsMissingError(
            f"units of production missing for {len(missing)} asset(s) of {entity.code}",
            errors=problem_errors(missing),
        )
    run = DepreciationRun(
        entity_id=entity.id,
        period=label,
        total=sum((d.charge.amount for d in due), ZERO),
        asset_count=len({d.book.asset_id for d in due}),
        created_at=now,
        created_by=actor.username,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        concurrent = repository.get_run(session, entity_id=entity.id, period=label)
        assert concurrent is not None
        return RunView(run=concurrent, created=False)
    run.entry_id = post_due(
        session,
        actor=actor,
        entity_id=entity.id,
        entry_date=period.last_day,
        description=f"Depreciation {label}",
        due=due,
        accounts=accounts,
        source_ref=run.id,
        run_id=run.id,
        now=now,
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="asset.depreciation.run",
        subject_type="depreciation_run",
        subject_id=run.id,
        at=now,
        entity_id=entity.id,
        after={"period": label, "total": run.total, "assets": run.asset_count, "entry_id": run.entry_id},
    )
    return RunView(run=run, created=True)


def run_depreciation(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    now: datetime,
    entity_id: str | None = None,
    units: Mapping[str, Decimal] | None = None,
) -> RunsResult:
    """Post a month's depreciation: one entry per company, once (running it again posts nothing).

    Each company's entry holds, per expense account, every month due up to `period` and not yet posted. Units
    of production assets need the month's units (`units`: asset id -> units). Without `entity_id`, every
    company the actor may see that has assets is run; those whose month is closed are skipped and listed.

    Raises:
        EntityNotFoundError: `entity_id` unknown or invisible.
        PeriodClosedError: the month is closed for `entity_id`.
        DepreciationUnitsMissingError: units missing for some units-of-production assets (all listed).
        AssetValidationError: units given for assets that do not take them this month.
    """
    with atomic(session):
        wanted = units or {}
        accounts = asset_accounts(session)
        if entity_id is not None:
            targets = [entities_service.get_entity(session, actor=actor, entity_id=entity_id)]
        else:
            ids = [
                e for e in repository.entities_with_books(session, until=period.last_day) if actor.can_see(e)
            ]
            targets = list(entities_service.entities_by_id(session, entity_ids=ids).values())
            targets.sort(key=lambda e: e.id)
        runs: list[RunView] = []
        skipped: list[dict[str, str]] = []
        used: set[str] = set()
        for entity in targets:
            if entity.kind != "company" or not entity.active_on(period.last_day):
                if entity_id is not None:
                    raise AssetValidationError(
                        f"{entity.code} keeps no books on {period.last_day}",
                        errors=problem_errors(
                            [Violation("entity_id", "not a company on that date", "not_postable")]
                        ),
                    )
                continue
            if repository.get_run(session, entity_id=entity.id, period=str(period)) is None and month_closed(
                session, actor=actor, entity_id=entity.id, day=period.last_day
            ):
                if entity_id is not None:
                    raise PeriodClosedError(
                        f"{period} is closed for {entity.code}", entity_id=entity.id, period=str(period)
                    )
                skipped.append({"entity_id": entity.id, "reason": "period-closed"})
                continue
            runs.append(
                _run_entity(
                    session,
                    actor=actor,
                    entity=entity,
                    period=period,
                    units=wanted,
                    used_units=used,
                    accounts=accounts,
                    now=now,
                )
            )
        created = any(r.created for r in runs)
        unused = sorted(set(wanted) - used)
        if unused and created:
            raise AssetValidationError(
                "units were given for assets that take none this month",
                errors=problem_errors(
                    [
                        Violation(
                            "units",
                            "no units-of-production charge for this asset in this month",
                            "units_not_used",
                            {"asset_id": a},
                        )
                        for a in unused
                    ]
                ),
            )
        return RunsResult(period=str(period), runs=runs, skipped=skipped)
