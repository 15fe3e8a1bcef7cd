"""availability stamps: a random number per host, replaced by every change of its availability

``GET /v2/slots`` keeps computed answers in memory and serves one again only while the stamps of its
hosts are unchanged. Triggers replace a host's stamp in the same transaction as the change, so no
write path (API, CLI, a hand-written UPDATE) can forget to, and every API process sees the new stamp
as soon as the change is committed. A random stamp (rather than a counter) cannot come back to an
earlier value even if the table is emptied or a host id is reused.

What counts: bookings and seats (attendees), reservations, schedules, event types, and a user's
time zone or default schedule.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 01:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table -> (the column naming the host, the columns whose update matters: None = every column)
WATCHED: dict[str, tuple[str, str | None]] = {
    "bookings": ("host_id", None),
    "slot_reservations": ("host_id", None),
    "schedules": ("user_id", None),
    "event_types": ("owner_id", None),
    "users": ("id", "time_zone, default_schedule_id"),
}
# a seat added to or removed from a booking changes the slot's seat counts
ATTENDEE_HOST = "(SELECT host_id FROM bookings WHERE id = {row}.booking_id)"


def _host(table: str, column: str, row: str) -> str:
    return ATTENDEE_HOST.format(row=row) if table == "attendees" else f"{row}.{column}"


def _bump(host: str, random: str, *, unless: str | None = None, distinct: str = "IS DISTINCT FROM") -> str:
    """A new stamp for ``host``; nothing when ``host`` is NULL or is ``unless``."""
    condition = f"{host} IS NOT NULL" + (f" AND {host} {distinct} {unless}" if unless else "")
    return (
        f"INSERT INTO availability_stamps (host_id, stamp) SELECT {host}, {random} WHERE {condition} "
        "ON CONFLICT (host_id) DO UPDATE SET stamp = excluded.stamp;"
    )


PG_RANDOM = "floor(random() * 9.2e18)::bigint"
SQLITE_RANDOM = "random()"


def _tables() -> dict[str, tuple[str, str | None]]:
    return {**WATCHED, "attendees": ("booking_id", None)}


# PostgreSQL: one new stamp per host and transaction (one transaction-local setting lists the hosts
# stamped so far, ",12,57,": a setting per host would pile up in every session), by an UPDATE first
# (cheaper than INSERT ... ON CONFLICT for the row that is almost always there). A booking and its
# attendee thus cost one write of the stamp, not two.
PG_STAMP = f"""CREATE FUNCTION availability_stamp(host integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    stamped text := coalesce(current_setting('slotwise.stamped_hosts', true), '');
BEGIN
    IF host IS NULL OR position(',' || host || ',' IN stamped) > 0 THEN
        RETURN;
    END IF;
    PERFORM set_config('slotwise.stamped_hosts', coalesce(nullif(stamped, ''), ',') || host || ',', true);
    UPDATE availability_stamps SET stamp = {PG_RANDOM} WHERE host_id = host;
    IF NOT FOUND THEN
        INSERT INTO availability_stamps (host_id, stamp) VALUES (host, {PG_RANDOM})
        ON CONFLICT (host_id) DO UPDATE SET stamp = excluded.stamp;
    END IF;
END $$"""


def _postgresql() -> None:
    # Every booking rewrites its host's row: room for in-page (HOT) updates, few hosts per page
    op.execute("ALTER TABLE availability_stamps SET (fillfactor = 10)")
    op.execute(PG_STAMP)
    for table, (column, updates) in _tables().items():
        new, old = _host(table, column, "NEW"), _host(table, column, "OLD")
        op.execute(
            f"""CREATE FUNCTION availability_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN PERFORM availability_stamp({old}); END IF;
                IF TG_OP <> 'DELETE' THEN PERFORM availability_stamp({new}); END IF;
                RETURN NULL;
            END $$"""
        )
        events = "INSERT OR UPDATE OR DELETE" if updates is None else f"UPDATE OF {updates}"
        op.execute(
            f"CREATE TRIGGER availability_changed AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION availability_changed_{table}()"
        )


def _sqlite() -> None:
    for table, (column, updates) in _tables().items():
        new, old = _host(table, column, "NEW"), _host(table, column, "OLD")
        if updates is None:
            op.execute(
                f"CREATE TRIGGER availability_{table}_insert AFTER INSERT ON {table} BEGIN {_bump(new, SQLITE_RANDOM)} END"
            )
            op.execute(
                f"CREATE TRIGGER availability_{table}_delete AFTER DELETE ON {table} BEGIN {_bump(old, SQLITE_RANDOM)} END"
            )
        of = "" if updates is None else f" OF {updates}"
        op.execute(
            f"CREATE TRIGGER availability_{table}_update AFTER UPDATE{of} ON {table} "
            f"BEGIN {_bump(old, SQLITE_RANDOM)} {_bump(new, SQLITE_RANDOM, unless=old, distinct='IS NOT')} END"
        )


def upgrade() -> None:
    op.create_table(
        "availability_stamps",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("host_id", name=op.f("pk_availability_stamps")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade() -> None:
    tables = list(_tables())
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS availability_changed ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS availability_changed_{table}()")
        op.execute("DROP FUNCTION IF EXISTS availability_stamp(integer)")
    else:
        for table in tables:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS availability_{table}_{event}")
    op.drop_table("availability_stamps")
