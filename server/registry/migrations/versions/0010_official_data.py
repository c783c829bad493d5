"""official heat data: the Ministry's files as last fetched, and the heat alert given per day

Revision ID: 0010
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "official_files",
        sa.Column("path", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checked_at", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("etag", sa.String(200)),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("good_body", sa.LargeBinary()),
        sa.Column("good_at", sa.BigInteger()),
        sa.Column("refused_body", sa.LargeBinary()),
        sa.Column("refused_at", sa.BigInteger()),
    )
    op.create_table(
        "official_alert_days",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("alert", sa.String(32), nullable=False),
        sa.Column("by_staff", sa.Boolean(), nullable=False),
        sa.Column("flag", sa.Integer()),
        sa.Column("reported_at", sa.BigInteger()),
        sa.Column("applied_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("official_alert_days")
    op.drop_table("official_files")
