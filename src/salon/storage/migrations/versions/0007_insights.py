"""Insights: participants' quality samples, kept per participant segment, and what insights
read by room.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_segments",
        sa.Column("participant_id", sa.String(36), primary_key=True),
        sa.Column("user_agent", sa.String(512), nullable=False),
        sa.Column("first_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "insight_samples",
        sa.Column("participant_id", sa.String(36), nullable=False),
        sa.Column("first_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.Column("samples", sa.Text(), nullable=False),
    )
    op.create_index(
        "insight_samples_by_participant", "insight_samples", ["participant_id", "first_ms"]
    )
    op.create_index("insight_samples_by_age", "insight_samples", ["last_ms"])
    op.create_index("insight_segments_by_age", "insight_segments", ["first_ms"])
    op.create_index("room_participants_by_room", "room_participants", ["room_name", "joined_ms"])


def downgrade() -> None:
    op.drop_index("room_participants_by_room", "room_participants")
    op.drop_table("insight_samples")
    op.drop_table("insight_segments")
