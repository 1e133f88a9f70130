"""Fixed-asset datasets: the register and the roll-forward, per company and for the group."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import report_service as asset_reports
from app.core.context import Actor
from app.entities.models import LegalEntity
from app.exports.columns import Column, Kind, Row, cells
from app.exports.datasets.base import ExportQuery, Table
from app.exports.datasets.books import as_of_date

REGISTER_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("as_of", Kind.DATE),
    Column("currency"),
    Column("tag"),
    Column("asset_id"),
    Column("name"),
    Column("category"),
    Column("location"),
    Column("acquired_on", Kind.DATE),
    Column("status"),
    Column("method"),
    Column("useful_life_months", Kind.INT),
    Column("residual_value", Kind.MONEY),
    Column("cost", Kind.MONEY, total=True),
    Column("accumulated_depreciation", Kind.MONEY, total=True),
    Column("impairment", Kind.MONEY, total=True),
    Column("carrying_amount", Kind.MONEY, total=True),
)
ROLL_FORWARD_AMOUNTS = (
    "opening",
    "additions",
    "transfers_in",
    "transfers_out",
    "disposals",
    "depreciation",
    "impairment",
    "closing",
)
ROLL_FORWARD_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("currency"),
    Column("period_start", Kind.DATE),
    Column("period_end", Kind.DATE),
    *(Column(name, Kind.MONEY, total=True) for name in ROLL_FORWARD_AMOUNTS),
)
GROUP_ROLL_FORWARD_COLUMNS = (
    Column("view"),
    Column("period_start", Kind.DATE),
    Column("period_end", Kind.DATE),
    *(Column(name, Kind.MONEY, total=True) for name in ROLL_FORWARD_AMOUNTS),
)


def period_start(query: ExportQuery) -> date:
    """`from`, or 1 January of the year of `to`."""
    end = as_of_date(query)
    return query.date_from or date(end.year, 1, 1)


def asset_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    as_of = as_of_date(query)
    start = period_start(query)
    entities = {e.id: e for e in session.execute(select(LegalEntity)).scalars()}

    def register() -> Iterator[Row]:
        for line in asset_reports.asset_register(session, actor=actor, as_of=as_of):
            entity = entities[line.entity_id]
            a, p = line.asset, line.position
            yield cells(
                REGISTER_COLUMNS,
                [
                    entity.code,
                    entity.id,
                    as_of,
                    entity.functional_currency,
                    a.tag,
                    a.id,
                    a.name,
                    a.category,
                    a.location,
                    a.acquired_on,
                    line.status,
                    a.method,
                    a.useful_life_months,
                    a.residual_value,
                    p.cost,
                    p.accumulated_depreciation,
                    p.impairment,
                    p.carrying_amount,
                ],
            )

    report_cache: list[asset_reports.RollForwardReport] = []

    def report() -> asset_reports.RollForwardReport:
        if not report_cache:
            report_cache.append(
                asset_reports.asset_roll_forward(session, actor=actor, start=start, end=as_of)
            )
        return report_cache[0]

    def roll_forward() -> Iterator[Row]:
        by_entity = report().by_entity
        for entity_id in sorted(by_entity, key=lambda e: entities[e].code):
            entity, line = entities[entity_id], by_entity[entity_id]
            yield cells(
                ROLL_FORWARD_COLUMNS,
                [entity.code, entity.id, entity.functional_currency, start, as_of]
                + [getattr(line, name) for name in ROLL_FORWARD_AMOUNTS],
            )

    def group() -> Iterator[Row]:
        line = report().group
        yield cells(
            GROUP_ROLL_FORWARD_COLUMNS,
            ["group", start, as_of] + [getattr(line, n) for n in ROLL_FORWARD_AMOUNTS],
        )

    return [
        Table(name="asset_register", columns=REGISTER_COLUMNS, rows=register, currency_column="currency"),
        Table(
            name="asset_roll_forward",
            columns=ROLL_FORWARD_COLUMNS,
            rows=roll_forward,
            currency_column="currency",
        ),
        Table(name="asset_roll_forward_group", columns=GROUP_ROLL_FORWARD_COLUMNS, rows=group),
    ]
