"""station_latest: each station's newest reading, status and health, kept by ingest

The fleet view and the offline checker read this one table instead of the time series.
Ingest updates it once per batch, before it acknowledges the batch; "newest" is the
station's own order (session, seq, place in the message), never its clock. ``changed_ms``
is when a row last changed (ingest or a registry edit): the fleet's change feed.

Revision ID: 0011d
Revises: 0011c
"""

import sqlalchemy as sa
from alembic import op

revision = "0011d"
down_revision = "0011c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_latest",
        sa.Column("station_id", sa.String(length=64), primary_key=True),
        sa.Column("changed_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_ms", sa.BigInteger(), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("status_session", sa.BigInteger(), nullable=True),
        sa.Column("reading_session", sa.BigInteger(), nullable=True),
        sa.Column("reading_seq", sa.BigInteger(), nullable=True),
        sa.Column("reading_idx", sa.Integer(), nullable=True),
        sa.Column("ts", sa.BigInteger(), nullable=True),
        sa.Column("temp_c", sa.Float(), nullable=True),
        sa.Column("rh", sa.Float(), nullable=True),
        sa.Column("wbgt", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("quality", sa.String(length=16), nullable=True),
        sa.Column("time_source", sa.String(length=16), nullable=True),
        sa.Column("health_ts", sa.BigInteger(), nullable=True),
        sa.Column("clock_synced", sa.Boolean(), nullable=True),
        sa.Column("sensor_ok", sa.Boolean(), nullable=True),
        sa.Column("outbox_depth", sa.BigInteger(), nullable=True),
    )
    op.create_index("station_latest_by_change", "station_latest", ["changed_ms"])
    op.create_index("station_latest_by_seen", "station_latest", ["last_seen_ms"])
    op.create_index("station_latest_by_reading", "station_latest", ["ts"])
    op.create_index("stations_by_area", "stations", ["area_id", "id"])


def downgrade() -> None:
    op.drop_index("stations_by_area", table_name="stations")
    op.drop_table("station_latest")
