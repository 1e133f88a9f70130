"""Floors of a consolidation on this schema: what PostgreSQL alone takes to read and seal the run's inputs.

The baseline sums every company's kept balances per account (the aggregation at 100%). Any consolidation
must also have, per company, its profit and its equity (the non-controlling interest's shares, the
investment against the equity) and its intercompany balances by counterparty (their elimination and the
differences listed), and the issue asks for a hash of the inputs, so that the same inputs give the same
run. These statements are the set-based least of that, run in SQL with nothing done in Python:

- the least read: the aggregate, the totals per company and account type, and the intercompany balances,
  three statements back to back;
- one way of sealing the inputs by their content: a SHA-256 over every input balance in key order, in the
  database (not a floor: an order-independent digest of row hashes is cheaper);
- every per-company balance fetched, which is what the consolidation reads now;
- the run's two sealed documents (its canonical inputs and its result, the elimination journal line by
  line) written to a table like `consolidation_run`'s, with its columns' compression, and committed:
  the least any run that stores them pays after reading (`written`, measured after the run).

Each is the best of three, in the same run as the baseline. Like the baseline, they read the kept months of
the year of `as_of` (the bench's books hold one year).
"""

from __future__ import annotations

import time

from bench import pg

_WHERE = "b.entity_id = ANY(%(ids)s) AND b.year = %(year)s AND b.month <= %(month)s"
_BY_COMPANY_AND_TYPE = (
    "SELECT b.entity_id, a.type, sum(b.debit) - sum(b.credit) FROM account_balance b "
    f"JOIN account a ON a.code = b.account_code WHERE {_WHERE} GROUP BY b.entity_id, a.type"
)
_INTERCOMPANY = (
    "SELECT b.entity_id, b.account_code, b.counterparty_key, sum(b.debit) - sum(b.credit) "
    f"FROM account_balance b WHERE {_WHERE} AND b.counterparty_key <> '' GROUP BY 1, 2, 3"
)
_EVERY_BALANCE = (
    "SELECT b.entity_id, b.account_code, b.counterparty_key, sum(b.debit) - sum(b.credit) "
    f"FROM account_balance b WHERE {_WHERE} GROUP BY 1, 2, 3"
)
_SEAL = (
    "SELECT sha256(convert_to(string_agg(concat_ws('|', b.entity_id, b.account_code, b.counterparty_key, "
    "b.year, b.month, b.debit, b.credit), E'\\n' ORDER BY b.entity_id, b.account_code, b.counterparty_key, "
    f"b.year, b.month), 'UTF8')) FROM account_balance b WHERE {_WHERE}"
)

#: (case, statements run back to back, with the baseline's aggregate first where it is part of the floor)
CASES = (
    (
        "SQL alone: the least a consolidation reads (floor)",
        ("aggregate", _BY_COMPANY_AND_TYPE, _INTERCOMPANY),
    ),
    ("SQL alone: the inputs sealed by an ordered SHA-256 (one method)", (_SEAL,)),
    ("SQL alone: every per-company balance fetched", (_EVERY_BALANCE,)),
)


def measure(
    *, url: str, aggregate: str, entity_ids: list[str], year: int, month: int
) -> list[tuple[str, float]]:
    """Each case's best of three, in seconds. `aggregate` is the baseline's statement (positional)."""
    import psycopg

    named = {"ids": entity_ids, "year": year, "month": month}
    out = []
    with psycopg.connect(pg.libpq_url(url)) as conn:
        for case, statements in CASES:
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                for statement in statements:
                    if statement == "aggregate":
                        conn.execute(aggregate, (entity_ids, year, month)).fetchall()
                    else:
                        conn.execute(statement, named).fetchall()
                best = min(best, time.perf_counter() - started)
            out.append((case, best))
    return out


WRITTEN = "SQL alone: the run's sealed documents written (floor)"


def written(*, url: str, run_id: str) -> tuple[float, int]:
    """Best of three of writing the run's stored inputs and result again, each in its own committed INSERT
    into a scratch table whose two columns compress as `consolidation_run`'s do; and their size in bytes.
    The texts are fetched before the clock starts; the table is dropped afterwards."""
    import psycopg

    with psycopg.connect(pg.libpq_url(url)) as conn:
        inputs, result = conn.execute(
            "SELECT inputs, result FROM consolidation_run WHERE id = %s", (run_id,)
        ).fetchone() or ("", "")
        methods: dict[str, str] = dict(
            conn.execute(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = 'consolidation_run'::regclass AND attname IN ('inputs', 'result')"
            ).fetchall()
        )
        conn.execute("DROP TABLE IF EXISTS bench_floor_documents")
        conn.execute("CREATE TABLE bench_floor_documents (inputs text, result text)")
        for column, method in methods.items():
            if method == "l":
                conn.execute(f"ALTER TABLE bench_floor_documents ALTER COLUMN {column} SET COMPRESSION lz4")
        conn.commit()
        best = float("inf")
        try:
            for _ in range(3):
                started = time.perf_counter()
                conn.execute("INSERT INTO bench_floor_documents VALUES (%s, %s)", (inputs, result))
                conn.commit()
                best = min(best, time.perf_counter() - started)
                conn.execute("TRUNCATE bench_floor_documents")
                conn.commit()
        finally:
            conn.execute("DROP TABLE IF EXISTS bench_floor_documents")
            conn.commit()
    return best, len(inputs.encode()) + len(result.encode())
