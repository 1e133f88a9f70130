"""run_document_compression: a consolidation run's sealed documents compressed with lz4 on PostgreSQL

A large group's run stores tens of MB of JSON (its inputs and its result, `consolidation_run.inputs` and
`.result`); PostgreSQL's default TOAST compression (pglz) took about a third of a second to write them in the
benchmark group, lz4 a third of that for about the same size on disk. Only new values are compressed the new
way; the text read back is the same either way. A server built without lz4 keeps pglz (the statement is
skipped), and SQLite has no such setting.

Revision ID: 0008
Revises: 0007
Created: 2026-12-07 22:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("inputs", "result")


def _compression(method: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    executes = " ".join(
        f"EXECUTE 'ALTER TABLE consolidation_run ALTER COLUMN {column} SET COMPRESSION {method}';"
        for column in _COLUMNS
    )
    # EXECUTE defers parsing, so a server without lz4 support (feature_not_supported) skips it cleanly.
    op.execute(
        f"DO $$ BEGIN {executes} "
        "EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE 'lz4 is not available: pglz kept'; END $$"
    )


def upgrade() -> None:
    _compression("lz4")


def downgrade() -> None:
    _compression("pglz")
