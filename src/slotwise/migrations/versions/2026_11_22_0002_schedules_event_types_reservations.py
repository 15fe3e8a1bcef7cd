"""schedules event types reservations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:52:25.939437
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slotwise.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_schedules_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedules_user_id"), ["user_id"], unique=False)

    op.create_table(
        "event_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("length_options", sa.JSON(), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("booking_fields", sa.JSON(), nullable=False),
        sa.Column("disable_guests", sa.Boolean(), nullable=False),
        sa.Column("slot_interval", sa.Integer(), nullable=True),
        sa.Column("minimum_booking_notice", sa.Integer(), nullable=False),
        sa.Column("before_event_buffer", sa.Integer(), nullable=False),
        sa.Column("after_event_buffer", sa.Integer(), nullable=False),
        sa.Column("offset_start", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("booking_limits_count", sa.JSON(), nullable=True),
        sa.Column("booking_limits_duration", sa.JSON(), nullable=True),
        sa.Column("only_show_first_available_slot", sa.Boolean(), nullable=False),
        sa.Column("booking_window", sa.JSON(), nullable=True),
        sa.Column("seats_per_time_slot", sa.Integer(), nullable=True),
        sa.Column("seats_show_attendees", sa.Boolean(), nullable=False),
        sa.Column("seats_show_availability_count", sa.Boolean(), nullable=False),
        sa.Column("confirmation_policy", sa.JSON(), nullable=True),
        sa.Column("recurrence", sa.JSON(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_event_types_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_event_types_schedule_id_schedules"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_types")),
        sa.UniqueConstraint("owner_id", "slug", name="uq_event_types_owner_id_slug"),
        sqlite_autoincrement=True,  # a deleted event type's id is never handed out again
    )
    with op.batch_alter_table("event_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_types_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "slot_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("event_type_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("slot_start", UTCDateTime(), nullable=False),
        sa.Column("slot_end", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("reservation_minutes", sa.Integer(), server_default="5", nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_slot_reservations_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_type_id"],
            ["event_types.id"],
            name=op.f("fk_slot_reservations_event_type_id_event_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_slot_reservations_host_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_reservations")),
        sa.UniqueConstraint("uid", name=op.f("uq_slot_reservations_uid")),
    )
    with op.batch_alter_table("slot_reservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_reservations_event_type_id"), ["event_type_id"], unique=False)
        batch_op.create_index("ix_slot_reservations_host_start", ["host_id", "slot_start"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("slot_reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_reservations_host_start")
        batch_op.drop_index(batch_op.f("ix_slot_reservations_event_type_id"))

    op.drop_table("slot_reservations")
    with op.batch_alter_table("event_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_types_owner_id"))

    op.drop_table("event_types")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_user_id"))

    op.drop_table("schedules")
