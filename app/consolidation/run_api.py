"""HTTP: consolidation runs (API.md "Consolidation").

Controllers and admins run consolidations (APPROVERS); every role reads them. Runs are sealed: there is no
PATCH or DELETE. A user limited to some entities sees only the runs of parents it sees (404 otherwise).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Response

from app.consolidation import service
from app.consolidation.api import IdQuery, Reader, after
from app.consolidation.models import ConsolidationRun
from app.consolidation.run_schemas import RunCreate, RunRead, RunSummary
from app.consolidation.xlsx import statements_workbook
from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import APPROVERS
from app.users.auth import allow

runs_router = feature_router(tag="consolidation", prefix="/consolidations")
Approver = Annotated[Actor, Depends(allow(*APPROVERS))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_response(
    row: ConsolidationRun, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The stored run as its response, from its stored text (`service.run_text`): the sealed result document
    is `RunRead`'s shape already (the case tests check every run they make against the model), so it is
    sent as stored rather than parsed, validated and encoded again."""
    return Response(
        content=service.run_text(row), media_type="application/json", status_code=status_code, headers=headers
    )


@runs_router.post(
    "",
    response_model=RunRead,
    status_code=201,
    operation_id="run_consolidation",
    responses=problem_responses(404, 409),
)
def run_consolidation(body: RunCreate, actor: Approver, session: SessionDep, now: NowDep) -> Response:
    """Consolidate the parent's group on `as_of`: scope and methods from the ownership engine, books from
    the ledger, the recorded acquisitions, adjustments and unrealised profits, rates from the FX table. The
    run is stored sealed with the SHA-256 of its canonical inputs and of its result; intercompany
    differences above the tolerance make it `unreconciled` (and are listed). Everything that prevents the
    consolidation (a subsidiary without an acquisition, a missing rate, ...) is reported at once (422)."""
    row = service.run_consolidation(
        session,
        actor=actor,
        parent_id=body.parent_id,
        as_of=body.as_of,
        now=now,
        currency=body.currency,
        period_start=body.period_start,
        intercompany_tolerance=body.intercompany_tolerance,
        difference_account_code=body.difference_account_code,
    )
    return run_response(row, status_code=201, headers={"Location": f"/api/v1/consolidations/{row.id}"})


@runs_router.get("", response_model=Page[RunSummary], operation_id="list_consolidations")
def list_consolidations(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    parent_id: IdQuery = None,
    as_of: Annotated[date | None, Query(description="runs of that reporting date")] = None,
) -> Page[RunSummary]:
    """Runs, oldest first, without their statements (read one run for those)."""
    rows = service.list_runs(
        session, actor=actor, limit=limit + 1, after_id=after(cursor), parent_id=parent_id, as_of=as_of
    )
    items = [RunSummary.model_validate(r._asdict()) for r in rows[:limit]]
    return Page[RunSummary](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(rows) > limit else None
    )


@runs_router.get(
    "/{run_id}", response_model=RunRead, operation_id="read_consolidation", responses=problem_responses(404)
)
def read_consolidation(run_id: str, actor: Reader, session: ReadSessionDep) -> Response:
    return run_response(service.get_run(session, actor=actor, run_id=run_id))


@runs_router.get(
    "/{run_id}/statements.xlsx",
    response_class=Response,
    operation_id="read_consolidation_statements_xlsx",
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "workbook",
        },
        **problem_responses(404),
    },
)
def read_consolidation_statements_xlsx(run_id: str, actor: Reader, session: ReadSessionDep) -> Response:
    """The run's statements, figures, elimination journal, differences and scope as a workbook; the same
    run always gives the same bytes."""
    row = service.get_run(session, actor=actor, run_id=run_id)
    content = statements_workbook(service.run_body(row))
    return Response(
        content=content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="consolidation-{row.as_of}-{row.id}.xlsx"'},
    )
