"""places: where to cool down near the stations, and each scope's published list version

Revision ID: 0011b
Revises: 0011d
"""

import sqlalchemy as sa
from alembic import op

revision = "0011b"
down_revision = "0011d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_places_scope", "places", ["scope"])
    op.create_table(
        "place_lists",
        sa.Column("scope", sa.String(80), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("place_lists")
    op.drop_index("ix_places_scope", table_name="places")
    op.drop_table("places")
