"""bookings, attendees and the no-overlap guard

The database itself refuses two active (accepted or pending) bookings of one host whose blocks
(start/end widened by buffers) overlap: an exclusion constraint on PostgreSQL, triggers on SQLite.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:59:07.719768
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slotwise.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


OVERLAP = "ex_bookings_host_no_overlap"
ACTIVE = "('accepted', 'pending')"
MAX_BLOCK_DAYS = 4  # slotwise.bookings.models.MAX_BLOCK_SPAN
# Blocks are at most MAX_BLOCK_DAYS long (ck_bookings_block_span), so an overlapping block starts less
# than that before NEW.block_start: the bound keeps the index range scan short on busy hosts. The
# bound is written with millisecond precision, i.e. never later than the exact instant.
SQLITE_CHECK = f"""
BEGIN
    SELECT RAISE(ABORT, '{OVERLAP}')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS other
        WHERE other.host_id = NEW.host_id AND other.id IS NOT NEW.id AND other.status IN {ACTIVE}
          AND other.block_start > strftime('%Y-%m-%d %H:%M:%f', NEW.block_start, '-{MAX_BLOCK_DAYS} days')
          AND other.block_start < NEW.block_end AND other.block_end > NEW.block_start
    );
END"""


def _block_span_check() -> sa.CheckConstraint:
    if op.get_bind().dialect.name == "postgresql":
        span = f"block_end - block_start <= interval '{MAX_BLOCK_DAYS} days'"
    else:
        span = f"julianday(block_end) - julianday(block_start) <= {MAX_BLOCK_DAYS}"
    return sa.CheckConstraint(span, name=op.f("ck_bookings_block_span"))


def _add_overlap_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist "
            f"(host_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&) WHERE (status IN {ACTIVE})"
        )
        return
    op.execute(f"CREATE TRIGGER {OVERLAP}_insert BEFORE INSERT ON bookings WHEN NEW.status IN {ACTIVE}{SQLITE_CHECK}")
    op.execute(
        f"CREATE TRIGGER {OVERLAP}_update BEFORE UPDATE OF status, host_id, block_start, block_end ON bookings "
        f"WHEN NEW.status IN {ACTIVE}{SQLITE_CHECK}"
    )


def _drop_overlap_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT IF EXISTS {OVERLAP}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_insert")
    op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_update")


def upgrade() -> None:

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("event_type_id", sa.Integer(), nullable=True),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("start_time", UTCDateTime(), nullable=False),
        sa.Column("end_time", UTCDateTime(), nullable=False),
        sa.Column("block_start", UTCDateTime(), nullable=False),
        sa.Column("block_end", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("meeting_url", sa.Text(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("guests", sa.JSON(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by_email", sa.String(length=320), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_seat_uids", sa.JSON(), nullable=False),
        sa.Column("rescheduling_reason", sa.Text(), nullable=True),
        sa.Column("rescheduled_by_email", sa.String(length=320), nullable=True),
        sa.Column("rescheduled_from_uid", sa.String(length=64), nullable=True),
        sa.Column("rescheduled_to_uid", sa.String(length=64), nullable=True),
        sa.Column("recurring_booking_uid", sa.String(length=64), nullable=True),
        sa.Column("absent_host", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("ics_uid", sa.String(length=128), nullable=False),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_type_id"],
            ["event_types.id"],
            name=op.f("fk_bookings_event_type_id_event_types"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["host_id"], ["users.id"], name=op.f("fk_bookings_host_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("uid", name=op.f("uq_bookings_uid")),
        sa.CheckConstraint(
            "block_start <= start_time AND start_time < end_time AND end_time <= block_end",
            name=op.f("ck_bookings_order"),
        ),
        _block_span_check(),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_event_type_start", ["event_type_id", "start_time"], unique=False)
        batch_op.create_index("ix_bookings_host_block", ["host_id", "block_start", "block_end"], unique=False)
        batch_op.create_index("ix_bookings_host_start", ["host_id", "start_time"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_recurring_booking_uid"), ["recurring_booking_uid"], unique=False)

    op.create_table(
        "attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("phone_number", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("absent", sa.Boolean(), nullable=False),
        sa.Column("seat_uid", sa.String(length=64), nullable=True),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_attendees_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendees")),
        sa.UniqueConstraint("seat_uid", name=op.f("uq_attendees_seat_uid")),
    )
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendees_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendees_email"), ["email"], unique=False)

    _add_overlap_guard()


def downgrade() -> None:
    _drop_overlap_guard()

    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendees_email"))
        batch_op.drop_index(batch_op.f("ix_attendees_booking_id"))

    op.drop_table("attendees")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_recurring_booking_uid"))
        batch_op.drop_index("ix_bookings_host_start")
        batch_op.drop_index("ix_bookings_host_block")
        batch_op.drop_index("ix_bookings_event_type_start")

    op.drop_table("bookings")
