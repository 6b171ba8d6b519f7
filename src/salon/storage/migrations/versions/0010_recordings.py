"""Background jobs (claimed by any node, resumed after a restart) and cloud recordings.

Revision ID: 0010
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after_ms", sa.BigInteger(), nullable=False),
        sa.Column("lease_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("claim_token", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("finished_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("jobs_due", "jobs", ["status", "run_after_ms"])
    op.create_table(
        "recordings",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", _BIG_ID, sa.ForeignKey("orgs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("meeting_id", _BIG_ID, nullable=False),
        sa.Column("room_name", sa.String(200), nullable=False),
        sa.Column("room_session_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("ended_ms", sa.BigInteger(), nullable=True),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("filename", sa.String(300), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("storage", sa.String(16), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("raw_dir", sa.Text(), nullable=False),
        sa.Column("tracks", sa.Text(), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("deleted_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("recordings_by_org", "recordings", ["org_id", "started_ms"])


def downgrade() -> None:
    op.drop_table("recordings")
    op.drop_index("jobs_due", table_name="jobs")
    op.drop_table("jobs")
