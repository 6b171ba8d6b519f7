"""Organizations, API keys, meetings and the server's own settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite makes an INTEGER PRIMARY KEY the rowid, which is what autoincrement needs there.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "server_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "orgs",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("subdomain", sa.String(63), nullable=False, unique=True),
        sa.Column("is_default", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("org_id", _BIG_ID, sa.ForeignKey("orgs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("secret_digest", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_used_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("api_keys_by_org", "api_keys", ["org_id"])
    op.create_table(
        "meetings",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("org_id", _BIG_ID, sa.ForeignKey("orgs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("room_name", sa.String(128), nullable=False, unique=True),
        sa.Column("room_mode", sa.String(16), nullable=False),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("deactivated_ms", sa.BigInteger(), nullable=True),
        sa.Column("deleted_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("meetings_by_org", "meetings", ["org_id", "id"])
    op.create_index("meetings_by_end", "meetings", ["end_ms"])


def downgrade() -> None:
    op.drop_table("meetings")
    op.drop_table("api_keys")
    op.drop_table("orgs")
    op.drop_table("server_settings")
