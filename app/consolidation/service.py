"""Consolidation runs: make one (load, consolidate, seal), read them back.

A run is sealed: its canonical inputs and its presented result are stored with their SHA-256 hashes and
never change (no update, no delete); running again makes a new run, with the same hashes when nothing it
reads has changed. A run whose intercompany pairs differ by more than the tolerance is stored as
`unreconciled` and lists them (DOMAIN Part 1 "Consolidation runs").
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.consolidation import domain as cd
from app.consolidation import repository
from app.consolidation.documents import inputs_document, result_document, seal
from app.consolidation.domain.periods import add_months
from app.consolidation.errors import RunInputError, RunMissingRateError, RunNotFoundError, RunRequestError
from app.consolidation.errors import from_engine as problem_from_engine
from app.consolidation.inputs_loader import RunInputs, load_inputs
from app.consolidation.models import ConsolidationRun
from app.consolidation.repository import RunHeader
from app.consolidation.run_schemas import RunIdentity
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import violation
from app.core.heap import collection_paused
from app.entities import service as entities_service

ZERO = Decimal(0)


def _request_problems(
    *, as_of: date, start: date, tolerance: Decimal, difference_account: str | None
) -> list[dict[str, Any]]:
    out = []
    if start > as_of:
        out.append(violation(("body", "period_start"), "after as_of", "period_order"))
    elif add_months(start, 12) <= as_of:
        out.append(violation(("body", "period_start"), "a period is at most a year", "period_too_long"))
    if tolerance > 0 and difference_account is None:
        out.append(
            violation(("body", "difference_account_code"), "required with a tolerance above zero", "missing")
        )
    return out


def _consolidate(inputs: RunInputs) -> cd.ConsolidationResult:
    try:
        return cd.consolidate(
            parent=inputs.parent,
            as_of=inputs.as_of,
            period_start=inputs.period_start,
            presentation_currency=inputs.currency,
            accounts=inputs.chart.accounts,
            books=inputs.books,
            scope=inputs.scope,
            acquisitions=inputs.acquisitions,
            associates=inputs.associates,
            adjustments=inputs.adjustments,
            unrealized_profits=inputs.unrealized_profits,
            asset_transfers=inputs.asset_transfers,
            fx_rates=inputs.fx_rates,
            policy=inputs.policy,
            pooled_balances=inputs.pooled_balances,
        )
    except cd.ConsolidationError as error:
        raise problem_from_engine(error) from error


@collection_paused()
def run_consolidation(
    session: Session,
    *,
    actor: Actor,
    parent_id: str,
    as_of: date,
    now: datetime,
    currency: str | None = None,
    period_start: date | None = None,
    intercompany_tolerance: Decimal | None = None,
    difference_account_code: str | None = None,
) -> ConsolidationRun:
    """Consolidate `parent_id`'s group on `as_of` for the period from `period_start` (default: 1 January).

    Raises:
        EntityNotFoundError: the parent is unknown or not visible to the actor.
        RunRequestError: the period is reversed or longer than a year; a tolerance without an account.
        RunInputError: the recorded data cannot be consolidated (every violation listed: a subsidiary
            without an acquisition, unbalanced books, unknown accounts, ...).
        RunMissingRateError: exchange rates needed for the translation are not recorded (all listed).
        OwnershipStateError: the holdings on `as_of` cannot be evaluated.
    """
    with atomic(session):
        parent = entities_service.get_entity(session, actor=actor, entity_id=parent_id)
        start = period_start or date(as_of.year, 1, 1)
        tolerance = intercompany_tolerance or ZERO
        problems = _request_problems(
            as_of=as_of, start=start, tolerance=tolerance, difference_account=difference_account_code
        )
        if problems:
            raise RunRequestError("the consolidation cannot be run", errors=problems)
        inputs, notes = load_inputs(
            session,
            actor=actor,
            parent_id=parent.id,
            as_of=as_of,
            period_start=start,
            currency=currency or parent.functional_currency,
            policy=cd.ConsolidationPolicy(
                intercompany_tolerance=tolerance, difference_account=difference_account_code
            ),
        )
        if notes.rates.missing:
            missing = notes.rates.missing_violations()
            try:
                _consolidate(inputs)
            except RunMissingRateError as engine:
                missing += [v for v in engine.violations if v not in missing]
            except RunInputError:
                pass
            raise problem_from_engine(cd.MissingExchangeRateError(missing))
        if notes.problems:
            raise problem_from_engine(cd.ConsolidationInputError(notes.problems))
        result = _consolidate(inputs)
        input_text, input_hash = seal(inputs_document(inputs))
        result_text, result_hash = seal(result_document(result, inputs))
        row = ConsolidationRun(
            parent_id=parent.id,
            as_of=as_of,
            period_start=start,
            currency=inputs.currency,
            status="consolidated" if result.consolidated else "unreconciled",
            input_hash=input_hash,
            result_hash=result_hash,
            inputs=input_text,
            result=result_text,
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="consolidation.run.created",
            subject_type="consolidation_run",
            subject_id=row.id,
            at=now,
            entity_id=parent.id,
            after={
                "as_of": as_of,
                "period_start": start,
                "currency": row.currency,
                "status": row.status,
                "input_hash": row.input_hash,
                "result_hash": row.result_hash,
                "differences": len(result.intercompany_differences),
            },
        )
        return row


def get_run(session: Session, *, actor: Actor, run_id: str) -> ConsolidationRun:
    """Raises: RunNotFoundError (unknown, or its parent not visible to the actor)."""
    row = repository.get_run(session, run_id)
    if row is None or not actor.can_see(row.parent_id):
        raise RunNotFoundError(f"no consolidation run {run_id}")
    return row


def _identity(row: ConsolidationRun) -> RunIdentity:
    return RunIdentity(
        id=row.id,
        input_hash=row.input_hash,
        result_hash=row.result_hash,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def run_text(row: ConsolidationRun) -> str:
    """The run's body as JSON text: its identity (`RunIdentity`, serialized as the API serializes it) merged
    into the stored result document's text, which is neither parsed nor re-encoded (it is already the API
    shape, presented: `documents.result_document`). The same members as `run_body`'s."""
    return f"{_identity(row).model_dump_json()[:-1]},{row.result[1:]}"


def run_body(row: ConsolidationRun) -> dict[str, Any]:
    """The stored result document with the run's own identity (API.md shape)."""
    body: dict[str, Any] = json.loads(row.result)
    body.update(_identity(row).model_dump())
    return body


def list_runs(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    parent_id: str | None = None,
    as_of: date | None = None,
) -> list[RunHeader]:
    return repository.list_runs(
        session, after_id=after_id, limit=limit, parent_id=parent_id, as_of=as_of, entity_ids=actor.entity_ids
    )
