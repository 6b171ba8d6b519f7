"""Transcripts of recordings, and their summaries.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "transcriptions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", _BIG_ID, sa.ForeignKey("orgs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("recording_id", sa.String(40), nullable=True),
        sa.Column("room_name", sa.String(200), nullable=False),
        sa.Column("room_session_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("ended_ms", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(300), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("deleted_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("transcriptions_by_org", "transcriptions", ["org_id", "created_ms"])
    op.create_table(
        "summaries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", _BIG_ID, sa.ForeignKey("orgs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("transcription_id", sa.String(40), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("modified_ms", sa.BigInteger(), nullable=False),
        sa.Column("summariser", sa.String(40), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("deleted_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("summaries_by_org", "summaries", ["org_id", "created_ms"])
    op.create_index("summaries_by_transcription", "summaries", ["transcription_id"])


def downgrade() -> None:
    op.drop_table("summaries")
    op.drop_table("transcriptions")
