"""stations: the name in the kiosk's other languages

``names`` holds ``{lang: name}`` for ``ja-easy``, ``zh``, ``ko`` and ``vi`` beside
``name_ja`` and ``name_en``; NULL means none (the screens fall back to English, then
Japanese).

Revision ID: 0009
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("names")
