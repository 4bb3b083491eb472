"""bot replies store the catalogue and model versions; texts store their language and whether they
made the conversation urgent; conversations store the parent's language

Revision ID: 0006_reply_versions
Revises: 0002_audit_log
Create Date: 2026-12-08

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_reply_versions"
down_revision: Union[str, Sequence[str], None] = "0003_scheduler"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the columns (nullable, or with a default, so existing rows stay valid)."""
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("made_urgent", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("catalogue_version", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("model_version", sa.String(length=64), nullable=True))
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("model_version")
        batch_op.drop_column("catalogue_version")
        batch_op.drop_column("made_urgent")
        batch_op.drop_column("language")
