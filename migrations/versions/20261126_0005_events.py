"""events: committed group events (share transfers, disposals, capital changes, common-control
combinations, mergers) with the plan each executed, and the entities each touched

Revision ID: 0005
Revises: 0006
Created: 2026-11-26 11:40:00.000000+00:00

Chained after 0006 (exports), which already revises 0004: a second revision on 0004 would leave two heads
and `alembic upgrade head` would fail. Only the order of application differs; the tables are independent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("classification", sa.String(length=40), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("group_parent_id", sa.String(length=36), nullable=True),
        sa.Column("created_entity_id", sa.String(length=36), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_entity_id"],
            ["legal_entity.id"],
            name=op.f("fk_group_event_created_entity_id_legal_entity"),
        ),
        sa.ForeignKeyConstraint(
            ["group_parent_id"], ["legal_entity.id"], name=op.f("fk_group_event_group_parent_id_legal_entity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_event")),
    )
    with op.batch_alter_table("group_event", schema=None) as batch_op:
        batch_op.create_index("ix_group_event_kind_effective", ["kind", "effective_on"], unique=False)

    op.create_table(
        "group_event_entity",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["legal_entity.id"], name=op.f("fk_group_event_entity_entity_id_legal_entity")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["group_event.id"], name=op.f("fk_group_event_entity_event_id_group_event")
        ),
        sa.PrimaryKeyConstraint("event_id", "entity_id", name=op.f("pk_group_event_entity")),
    )
    with op.batch_alter_table("group_event_entity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_event_entity_entity_id"), ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("group_event_entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_event_entity_entity_id"))
    op.drop_table("group_event_entity")
    with op.batch_alter_table("group_event", schema=None) as batch_op:
        batch_op.drop_index("ix_group_event_kind_effective")
    op.drop_table("group_event")
