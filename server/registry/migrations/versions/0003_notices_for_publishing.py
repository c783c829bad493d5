"""notices staff publish: text in any language, expiry, who changed and withdrew them

Title and body become ``{lang: text}`` objects (JSON) instead of fixed ja/en columns;
versions become millisecond-sized; updates and withdrawals record who and when.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD = sa.table(
    "notices",
    sa.column("id", sa.String()),
    sa.column("title_ja", sa.String()),
    sa.column("title_en", sa.String()),
    sa.column("body_ja", sa.Text()),
    sa.column("body_en", sa.Text()),
    sa.column("title", sa.JSON()),
    sa.column("body", sa.JSON()),
)


def _texts(ja: str | None, en: str | None) -> dict[str, str] | None:
    found = {lang: text for lang, text in (("ja", ja), ("en", en)) if text is not None}
    return found or None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("body", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(length=200), nullable=True))
        batch_op.alter_column(
            "version", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
        )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_OLD.c.id, _OLD.c.title_ja, _OLD.c.title_en, _OLD.c.body_ja, _OLD.c.body_en)
    ).all()
    for row in rows:
        conn.execute(
            _OLD.update()
            .where(_OLD.c.id == row.id)
            .values(
                title=_texts(row.title_ja, row.title_en),
                body=_texts(row.body_ja, row.body_en),
            )
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.alter_column("title", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("title_ja")
        batch_op.drop_column("title_en")
        batch_op.drop_column("body_ja")
        batch_op.drop_column("body_en")


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_ja", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("title_en", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("body_ja", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("body_en", sa.Text(), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(_OLD.c.id, _OLD.c.title, _OLD.c.body)).all():
        title, body = row.title or {}, row.body or {}
        conn.execute(
            _OLD.update()
            .where(_OLD.c.id == row.id)
            .values(
                title_ja=str(title.get("ja", ""))[:400],
                title_en=None if title.get("en") is None else str(title["en"])[:400],
                body_ja=body.get("ja"),
                body_en=body.get("en"),
            )
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.alter_column("title_ja", existing_type=sa.String(length=400), nullable=False)
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("body")
        batch_op.drop_column("title")
        batch_op.alter_column(
            "version", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
        )
