"""asset_rehoming: assets passing to the survivor of a merger (the event's record in the asset register)

Revision ID: 0007
Revises: 0006
Created: 2026-12-06 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db
import app.core.money

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_rehoming",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("group_event_id", sa.String(length=36), nullable=False),
        sa.Column("from_entity_id", sa.String(length=36), nullable=False),
        sa.Column("to_entity_id", sa.String(length=36), nullable=False),
        sa.Column("rehomed_on", sa.Date(), nullable=False),
        sa.Column("from_book_id", sa.String(length=36), nullable=False),
        sa.Column("to_book_id", sa.String(length=36), nullable=False),
        sa.Column("cost", app.core.money.Money(), nullable=False),
        sa.Column("accumulated_depreciation", app.core.money.Money(), nullable=False),
        sa.Column("impairment", app.core.money.Money(), nullable=False),
        sa.Column("carrying_amount", app.core.money.Money(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("kind IN ('merger')", name=op.f("ck_asset_rehoming_kind")),
        sa.CheckConstraint(
            "from_entity_id <> to_entity_id", name=op.f("ck_asset_rehoming_distinct_entities")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["fixed_asset.id"], name=op.f("fk_asset_rehoming_asset_id_fixed_asset")
        ),
        sa.ForeignKeyConstraint(
            ["from_book_id"], ["asset_book.id"], name=op.f("fk_asset_rehoming_from_book_id_asset_book")
        ),
        sa.ForeignKeyConstraint(
            ["to_book_id"], ["asset_book.id"], name=op.f("fk_asset_rehoming_to_book_id_asset_book")
        ),
        sa.ForeignKeyConstraint(
            ["from_entity_id"],
            ["legal_entity.id"],
            name=op.f("fk_asset_rehoming_from_entity_id_legal_entity"),
        ),
        sa.ForeignKeyConstraint(
            ["to_entity_id"], ["legal_entity.id"], name=op.f("fk_asset_rehoming_to_entity_id_legal_entity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_rehoming")),
    )
    with op.batch_alter_table("asset_rehoming", schema=None) as batch_op:
        batch_op.create_index("ix_asset_rehoming_asset", ["asset_id"], unique=False)
        batch_op.create_index("ix_asset_rehoming_event", ["group_event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("asset_rehoming", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_rehoming_event")
        batch_op.drop_index("ix_asset_rehoming_asset")
    op.drop_table("asset_rehoming")
