"""scheduler: the lease that makes one scheduler active, job runs, escalation and handover marks

Revision ID: 0003_scheduler
Revises: 0002_audit_log
Create Date: 2026-12-08
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import handoff.models

revision: str = "0003_scheduler"
down_revision: Union[str, Sequence[str], None] = "0002_audit_log"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("acquired_at", handoff.models.UTCDateTime(), nullable=False),
        sa.Column("renewed_at", handoff.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", handoff.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("due_at", handoff.models.UTCDateTime(), nullable=False),
        sa.Column("runner", sa.String(length=128), nullable=False),
        sa.Column("started_at", handoff.models.UTCDateTime(), nullable=False),
        sa.Column("finished_at", handoff.models.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Enum("running", "ok", "failed", name="joboutcome", native_enum=False, length=16),
                  nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job_id", "due_at", name=op.f("uq_job_runs_job_id")),
    )
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("escalated_at", handoff.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("handed_over_at", handoff.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("handed_over_at")
        batch_op.drop_column("escalated_at")
    op.drop_table("job_runs")
    op.drop_table("scheduler_lease")
