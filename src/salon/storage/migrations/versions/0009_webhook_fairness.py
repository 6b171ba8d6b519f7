"""An index of pending deliveries by endpoint, for the dispatcher's round-robin claims.

Revision ID: 0009
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index(
        "webhook_deliveries_pending_by_endpoint",
        "webhook_deliveries",
        ["endpoint_id", "next_attempt_ms"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("webhook_deliveries_pending_by_endpoint", table_name="webhook_deliveries")
