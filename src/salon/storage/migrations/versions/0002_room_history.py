"""Room sessions and each participant's stay, for webhooks and insights.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("room_name", sa.String(128), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("ended_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("room_sessions_by_room", "room_sessions", ["room_name", "started_ms"])
    op.create_table(
        "room_participants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("room_name", sa.String(128), nullable=False),
        sa.Column("room_session_id", sa.String(36), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(36), nullable=True),
        sa.Column("metadata", sa.String(512), nullable=True),
        sa.Column("joined_ms", sa.BigInteger(), nullable=False),
        sa.Column("left_ms", sa.BigInteger(), nullable=True),
        sa.Column("left_reason", sa.String(32), nullable=True),
    )
    op.create_index("room_participants_by_session", "room_participants", ["room_session_id"])
    op.create_index("room_participants_by_external_id", "room_participants", ["external_id"])


def downgrade() -> None:
    op.drop_table("room_participants")
    op.drop_table("room_sessions")
