"""audit log, purge permits, typed event kinds, waiting_since cleared when a nurse has replied

Both logs (`events`, `audit_log`) refuse UPDATE always and DELETE unless the retention purge holds
a permit (a row in `purge_permits`, present only inside its own transaction), on SQLite and
PostgreSQL alike.

Revision ID: 0002_audit_log
Revises: 0001
Create Date: 2026-12-08
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import handoff.models

revision: str = "0002_audit_log"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LOGS = ("events", "audit_log")
AUDIT_KINDS = ("signed_in", "sign_in_failed", "signed_out", "conversation_viewed", "claimed", "number_revealed",
               "searched", "exported", "account_created", "account_deactivated", "role_changed", "password_reset",
               "catalogue_changed", "retention_purged")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*AUDIT_KINDS, name="auditkind", native_enum=False, length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", handoff.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
    op.create_table(
        "purge_permits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", handoff.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_permits")),
    )
    _drop_old_trigger()
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.alter_column("waiting_since", existing_type=handoff.models.UTCDateTime(), nullable=True)
    for table in LOGS:
        _append_only(table)


def _drop_old_trigger() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                   f"WHEN NOT EXISTS (SELECT 1 FROM purge_permits) "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION helpline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM purge_permits) THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$")
    op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
               "FOR EACH ROW EXECUTE FUNCTION helpline_append_only()")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in LOGS:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS helpline_append_only()")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.alter_column("waiting_since", existing_type=handoff.models.UTCDateTime(), nullable=False)
    op.drop_table("purge_permits")
    op.drop_table("audit_log")
    if sqlite:
        op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
                   "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
    else:
        op.execute("CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$")
        op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
                   "FOR EACH ROW EXECUTE FUNCTION events_append_only()")
