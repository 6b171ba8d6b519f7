"""Room themes: colours, logo and backgrounds per room, and an organization's defaults.

One row per organization, room and part; the organization's defaults have an empty room name.
Images are base64 text (at most 1 MB decoded), so every node serves them from the database.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("org_id", _BIG_ID, sa.ForeignKey("orgs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("room_name", sa.String(128), nullable=False),
        sa.Column("part", sa.String(32), nullable=False),
        sa.Column("settings", sa.Text(), nullable=True),
        sa.Column("image", sa.Text(), nullable=True),
        sa.Column("image_type", sa.String(32), nullable=True),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "room_name", "part"),
    )
    op.create_index("themes_by_room", "themes", ["room_name"])


def downgrade() -> None:
    op.drop_table("themes")
