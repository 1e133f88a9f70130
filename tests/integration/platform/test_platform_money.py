"""The one money column type is exact on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from app.core.db import bulk_rows, bulk_tuples
from app.core.money import Money, NotExactError, Ratio, ratio_units

metadata = MetaData()
probe = Table(
    "money_probe",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", Money()),
    Column("ratio", Ratio()),
)


@pytest.fixture
def probe_table(engine: Engine):  # type: ignore[no-untyped-def]
    metadata.create_all(engine)  # a scratch table for the type only; the schema itself is built by migrations
    yield probe
    metadata.drop_all(engine)


class TestMoneyColumn:
    def test_keeps_a_large_amount_to_the_last_digit(self, engine: Engine, probe_table: Table) -> None:
        with engine.begin() as conn:
            conn.execute(insert(probe_table).values(id=1, amount=Decimal("12345678901234.5678")))

        with engine.connect() as conn:
            value = conn.execute(select(probe_table.c.amount)).scalar_one()

        assert value == Decimal("12345678901234.5678")
        assert isinstance(value, Decimal)

    def test_sums_a_hundred_thousand_small_amounts_exactly(self, engine: Engine, probe_table: Table) -> None:
        rows = [{"id": i, "amount": Decimal("0.0001")} for i in range(100_000)]
        with engine.begin() as conn:
            conn.execute(insert(probe_table), rows)

        with engine.connect() as conn:
            total = conn.execute(select(func.sum(probe_table.c.amount))).scalar_one()

        assert total == Decimal("10.0000")
        assert isinstance(total, Decimal)

    def test_refuses_more_decimals_than_it_keeps(self, engine: Engine, probe_table: Table) -> None:
        with pytest.raises(StatementError) as excinfo, engine.begin() as conn:
            conn.execute(insert(probe_table).values(id=1, amount=Decimal("0.00001")))

        assert isinstance(excinfo.value.orig, NotExactError)

    def test_refuses_floats(self, engine: Engine, probe_table: Table) -> None:
        with pytest.raises(StatementError, match="float"), engine.begin() as conn:
            conn.execute(insert(probe_table).values(id=1, amount=0.1))

    def test_keeps_ratios_to_twelve_places(self, engine: Engine, probe_table: Table) -> None:
        with engine.begin() as conn:
            conn.execute(insert(probe_table).values(id=1, ratio=Decimal("0.421725000001")))

        with engine.connect() as conn:
            value = conn.execute(select(probe_table.c.ratio)).scalar_one()

        assert value == Decimal("0.421725000001")


class TestBulkRows:
    def test_gives_the_values_of_the_typed_read(self, engine: Engine, probe_table: Table) -> None:
        rows = [
            {"id": 1, "amount": Decimal("12345678901234.5678"), "ratio": Decimal("0.421725000001")},
            {"id": 2, "amount": Decimal("-0.0001"), "ratio": Decimal("1")},
            {"id": 3, "amount": None, "ratio": Decimal("0")},
        ]
        with engine.begin() as conn:
            conn.execute(insert(probe_table), rows)
        query = select(probe_table.c.id, probe_table.c.amount, probe_table.c.ratio).order_by(probe_table.c.id)

        with Session(engine) as session:
            typed = [tuple(r) for r in session.execute(query).all()]
            bulk = [tuple(r) for r in bulk_rows(session, query.where(probe_table.c.id.in_([1, 2, 3])))]
            plain = [tuple(r) for r in bulk_tuples(session, query.where(probe_table.c.id.in_([1, 2, 3])))]

        assert bulk == typed
        assert plain == typed
        assert [(str(a), str(r)) for _, a, r in bulk] == [
            ("12345678901234.5678", "0.421725000001"),
            ("-0.0001", "1.000000000000"),
            ("None", "0E-12"),
        ]

    def test_plain_tuples_run_through_sqlalchemys_execution(self, engine: Engine, probe_table: Table) -> None:
        with engine.begin() as conn:
            conn.execute(insert(probe_table), [{"id": 1, "amount": Decimal("1.5"), "ratio": Decimal("0.5")}])
        seen: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            with Session(engine) as session:
                rows = bulk_tuples(session, select(probe_table.c.amount, probe_table.c.ratio))
        finally:
            event.remove(engine, "before_cursor_execute", count)

        assert [tuple(r) for r in rows] == [(Decimal("1.5000"), Decimal("0.500000000000"))]
        assert [s for s in seen if "money_probe" in s] != []


class TestRatioUnits:
    def test_reads_a_ratio_as_its_integer_units_and_none_outside_zero_to_one(
        self, engine: Engine, probe_table: Table
    ) -> None:
        ratios = [
            Decimal("0"),
            Decimal("0.000000000001"),
            Decimal("0.5"),
            Decimal("0.123456789012"),
            Decimal("1"),
        ]
        with engine.begin() as conn:
            conn.execute(insert(probe_table), [{"id": i, "ratio": r} for i, r in enumerate(ratios)])
            conn.execute(insert(probe_table).values(id=99, ratio=Decimal("1.000000000001")))
            # far below 0 the scaled value would not fit a BIGINT: it must read as None, not fail the read
            # (SQLite, which stores the units, cannot hold such a value at all)
            huge = Decimal("-99999999.999999999999") if engine.dialect.name == "postgresql" else Decimal("-1")
            conn.execute(insert(probe_table).values(id=98, ratio=huge))
            conn.execute(insert(probe_table).values(id=97, ratio=Decimal("-0.000000000001")))

        with Session(engine) as session:
            rows = bulk_tuples(session, select(probe_table.c.id, ratio_units(probe_table.c.ratio)))

        units = dict(tuple(row) for row in rows)
        assert units == {
            0: 0,
            1: 1,
            2: 500_000_000_000,
            3: 123_456_789_012,
            4: 10**12,
            97: None,
            98: None,
            99: None,
        }
        assert all(type(u) is int for key, u in units.items() if key < 97)
