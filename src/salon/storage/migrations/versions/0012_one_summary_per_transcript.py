"""At most one live summary per transcript, held by the database: a unique index on
`summaries (transcription_id)` over the rows not deleted (partial, on SQLite and PostgreSQL).

The service checks before it inserts, but two requests on two nodes (or two PostgreSQL
transactions) can both pass the check; the index makes the second insert fail, and the service
answers it with the same 409 as the check. It replaces the plain index on `transcription_id`:
every query by transcript reads live rows only. Duplicates a race left before this migration
are resolved first: the oldest live summary of a transcript stays, the later ones are marked
deleted, as a DELETE through the API would have.

Revision ID: 0012
Revises: 0011
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_ms IS NULL")


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE summaries SET deleted_ms = :now WHERE deleted_ms IS NULL AND EXISTS ("
            " SELECT 1 FROM summaries AS kept WHERE kept.deleted_ms IS NULL"
            " AND kept.transcription_id = summaries.transcription_id"
            " AND (kept.created_ms < summaries.created_ms"
            " OR (kept.created_ms = summaries.created_ms AND kept.id < summaries.id)))"
        ).bindparams(now=int(time.time() * 1000))
    )
    op.drop_index("summaries_by_transcription", table_name="summaries")
    op.create_index(
        "summaries_one_live_per_transcription",
        "summaries",
        ["transcription_id"],
        unique=True,
        sqlite_where=_LIVE,
        postgresql_where=_LIVE,
    )


def downgrade() -> None:
    op.drop_index("summaries_one_live_per_transcription", table_name="summaries")
    op.create_index("summaries_by_transcription", "summaries", ["transcription_id"])
