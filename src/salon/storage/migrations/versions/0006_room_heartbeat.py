"""Which node holds each open session and participant, and when each node was last alive: after a
crash the node closes what it left open with that time.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_nodes",
        sa.Column("node_id", sa.String(64), primary_key=True),
        sa.Column("alive_ms", sa.BigInteger(), nullable=False),
    )
    for table in ("room_sessions", "room_participants"):
        op.add_column(table, sa.Column("node_id", sa.String(64), nullable=True))
        op.create_index(f"{table}_by_node", table, ["node_id"])


def downgrade() -> None:
    for table in ("room_participants", "room_sessions"):
        op.drop_index(f"{table}_by_node", table_name=table)
        op.drop_column(table, "node_id")
    op.drop_table("room_nodes")
