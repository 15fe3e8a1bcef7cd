"""Client commands of ``slotwise``: talk to any Cal.com API v2 server (Slotwise or https://api.cal.com).

Every command takes ``--base-url`` and ``--api-key`` (or ``CAL_API_URL`` / ``CAL_API_KEY``) and
``--json`` for scripts. Exit codes: 0 success, 1 the server refused (4xx), 2 bad usage,
3 network or server failure (5xx, unreachable, timeout).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar, cast

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from slotwise.client import (
    Attendee,
    Availability,
    Booking,
    CalApiError,
    CalConnectionError,
    CalDecodeError,
    CalError,
    Client,
    Schedule,
    Slots,
    Webhook,
)
from slotwise.client.models import BookingStatus
from slotwise.client.timeranges import parse_range, zone

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_SERVER = 0, 1, 2, 3

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")

BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="CAL_API_URL",
        help="API root: https://api.cal.com (default), a Slotwise server, or a proxy base.",
        show_default=False,
    ),
]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="CAL_API_KEY", help="API key (cal_...).", show_default=False),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
TimeZoneOpt = Annotated[
    str | None, typer.Option("--tz", help="IANA time zone to show times in (default: this machine's).")
]

event_types_app = typer.Typer(help="List, create and delete event types.", no_args_is_help=True)
schedules_app = typer.Typer(help="Availability schedules (working hours).", no_args_is_help=True)
bookings_app = typer.Typer(help="List, inspect, cancel and reschedule bookings.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook subscriptions and their deliveries.", no_args_is_help=True)


# --- plumbing -----------------------------------------------------------------------------------


def _fail(message: str, exit_code: int, as_json: bool, **fields: Any) -> NoReturn:
    if as_json:
        typer.echo(json.dumps({"error": {"message": message, **fields}}), err=True)
    else:
        err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(exit_code)


@contextmanager
def _client(base_url: str | None, api_key: str | None, as_json: bool) -> Iterator[Client]:
    """A client for the command; every failure becomes a message on stderr and an exit code."""
    try:
        client = Client(api_key, base_url=base_url)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE, as_json)
    try:
        with client:
            yield client
    except CalApiError as exc:
        _fail(
            str(exc),
            EXIT_SERVER if exc.status_code >= 500 else EXIT_API,
            as_json,
            status=exc.status_code,
            code=exc.code,
            requestId=exc.request_id,
        )
    except (CalConnectionError, CalDecodeError) as exc:
        _fail(str(exc), EXIT_SERVER, as_json)
    except CalError as exc:
        _fail(str(exc), EXIT_SERVER, as_json)
    except ValueError as exc:  # the client's own argument checks
        _fail(str(exc), EXIT_USAGE, as_json)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(_jsonable(value), indent=2, ensure_ascii=False))


def _local_zone(name: str | None) -> tzinfo:
    if name:
        try:
            return zone(name)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--tz") from None
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else zone("UTC")


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M") if moment else ""


def _instant(text: str, tz: tzinfo, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 date-time; use e.g. 2026-12-01T09:00:00+01:00", param_hint=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _event_type_ref(reference: str) -> tuple[int | None, str | None]:
    text = reference.strip()
    if re.fullmatch(r"\d+", text):
        return int(text), None
    return None, text


def _bookings_table(bookings: Sequence[Booking], tz: tzinfo) -> Table:
    table = Table(show_lines=False)
    for column in ("uid", "status", "start", "end", "title", "attendees"):
        table.add_column(column, overflow="fold")
    for booking in bookings:
        people = ", ".join(filter(None, (a.email or a.name for a in booking.attendees)))
        table.add_row(
            booking.uid,
            booking.status,
            _when(booking.start, tz),
            booking.end.astimezone(tz).strftime("%H:%M"),
            booking.title or "",
            people,
        )
    return table


def _show_booking(booking: Booking, tz: tzinfo, as_json: bool, headline: str) -> None:
    if as_json:
        _print_json(booking)
        return
    out.print(f"{headline} [bold]{booking.uid}[/bold] ({booking.status})", highlight=False)
    out.print(_bookings_table([booking], tz))


# --- me -----------------------------------------------------------------------------------------


def me(base_url: BaseUrl = None, api_key: ApiKey = None, as_json: AsJson = False) -> None:
    """Show who the API key belongs to."""
    with _client(base_url, api_key, as_json) as client:
        profile = client.me()
    if as_json:
        _print_json(profile)
        return
    out.print(f"[bold]{profile.username or profile.email}[/bold] (id {profile.id})", highlight=False)
    out.print(f"  email:     {profile.email}", highlight=False)
    out.print(f"  time zone: {profile.time_zone}", highlight=False)
    out.print(f"  server:    {client.base_url}", highlight=False)


# --- event types --------------------------------------------------------------------------------


@event_types_app.command("list")
def event_types_list(
    username: Annotated[str | None, typer.Option(help="Someone else's public event types.")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """List your event types (or a user's public ones)."""
    with _client(base_url, api_key, as_json) as client:
        items = client.list_event_types(username=username) if username else client.my_event_types()
    if as_json:
        _print_json(items)
        return
    table = Table()
    for column in ("id", "slug", "title", "minutes", "hidden"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item.id), item.slug, item.title, str(item.length_in_minutes or ""), "yes" if item.hidden else ""
        )
    out.print(table)


@event_types_app.command("create")
def event_types_create(
    title: Annotated[str, typer.Option(help="Title, e.g. '30 min intro'.")],
    length: Annotated[int, typer.Option("--length", min=1, max=1440, help="Length in minutes.")],
    slug: Annotated[str | None, typer.Option(help="URL slug (default: from the title).")] = None,
    description: Annotated[str | None, typer.Option(help="Description.")] = None,
    hidden: Annotated[bool, typer.Option("--hidden", help="Hide from the public profile.")] = False,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Create an event type."""
    slug = slug or (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "meeting")
    with _client(base_url, api_key, as_json) as client:
        created = client.create_event_type(
            title=title, slug=slug, length_in_minutes=length, description=description, hidden=hidden or None
        )
    if as_json:
        _print_json(created)
    else:
        out.print(f"created event type [bold]{created.slug}[/bold] (id {created.id})", highlight=False)


@event_types_app.command("delete")
def event_types_delete(
    event_type_id: Annotated[int, typer.Argument(help="Event type id.")],
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Delete an event type."""
    with _client(base_url, api_key, as_json) as client:
        deleted = client.delete_event_type(event_type_id)
    if as_json:
        _print_json(deleted)
    else:
        out.print(f"deleted event type {deleted.id}", highlight=False)


# --- schedules ----------------------------------------------------------------------------------

HOURS_HELP = "Weekly hours as 'DAYS HH:MM-HH:MM', e.g. 'Mon-Fri 09:00-17:00' (repeatable)."


def _hours(specs: Sequence[str]) -> list[Availability]:
    from slotwise.mcp.tools import parse_days  # the same day grammar as the MCP tool

    windows = []
    for spec in specs:
        match = re.fullmatch(r"\s*(.+?)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*", spec)
        if not match:
            raise typer.BadParameter(f"{spec!r}: use 'Mon-Fri 09:00-17:00'", param_hint="--hours")
        try:
            days = parse_days(match.group(1))
        except Exception as exc:
            raise typer.BadParameter(str(exc), param_hint="--hours") from None
        start, end = (f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in match.group(2, 3))
        windows.append(Availability(days=days, start_time=start, end_time=end))
    return windows


def _schedules_table(items: Sequence[Schedule]) -> Table:
    table = Table()
    for column in ("id", "name", "time zone", "default", "hours"):
        table.add_column(column, overflow="fold")
    for item in items:
        hours = "; ".join(f"{','.join(d[:3] for d in a.days)} {a.start_time}-{a.end_time}" for a in item.availability)
        table.add_row(str(item.id), item.name, item.time_zone, "yes" if item.is_default else "", hours)
    return table


@schedules_app.command("list")
def schedules_list(base_url: BaseUrl = None, api_key: ApiKey = None, as_json: AsJson = False) -> None:
    """List your schedules."""
    with _client(base_url, api_key, as_json) as client:
        items = client.list_schedules()
    if as_json:
        _print_json(items)
    else:
        out.print(_schedules_table(items))


@schedules_app.command("get")
def schedules_get(
    schedule_id: Annotated[int | None, typer.Argument(help="Schedule id (default: your default schedule).")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Show a schedule (your default one without an id)."""
    with _client(base_url, api_key, as_json) as client:
        item = client.get_schedule(schedule_id) if schedule_id is not None else client.get_default_schedule()
    if item is None:
        _fail("you have no default schedule yet: create one with 'slotwise schedules create'", EXIT_API, as_json)
    if as_json:
        _print_json(item)
    else:
        out.print(_schedules_table([item]))


@schedules_app.command("create")
def schedules_create(
    name: Annotated[str, typer.Option(help="Name, e.g. 'Working hours'.")],
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone of the hours.")],
    hours: Annotated[list[str] | None, typer.Option("--hours", help=HOURS_HELP)] = None,
    default: Annotated[bool, typer.Option("--default/--no-default", help="Make it your default.")] = False,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Create a schedule (Mon-Fri 09:00-17:00 unless --hours)."""
    windows = _hours(hours) if hours else None
    with _client(base_url, api_key, as_json) as client:
        created = client.create_schedule(name=name, time_zone=tz, is_default=default, availability=windows)
    if as_json:
        _print_json(created)
    else:
        out.print(f"created schedule [bold]{created.name}[/bold] (id {created.id})", highlight=False)
        out.print(_schedules_table([created]))


@schedules_app.command("set-hours")
def schedules_set_hours(
    hours: Annotated[list[str], typer.Option("--hours", help=HOURS_HELP)],
    schedule_id: Annotated[int | None, typer.Option("--id", help="Schedule id (default: your default).")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Also change the time zone.")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Replace the weekly hours of a schedule."""
    windows = _hours(hours)
    with _client(base_url, api_key, as_json) as client:
        if schedule_id is None:
            current = client.get_default_schedule()
            if current is None:
                _fail("you have no default schedule: pass --id or create one first", EXIT_API, as_json)
            schedule_id = current.id
        updated = client.update_schedule(schedule_id, time_zone=tz, availability=windows)
    if as_json:
        _print_json(updated)
    else:
        out.print(_schedules_table([updated]))


@schedules_app.command("delete")
def schedules_delete(
    schedule_id: Annotated[int, typer.Argument(help="Schedule id.")],
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Delete a schedule."""
    with _client(base_url, api_key, as_json) as client:
        client.delete_schedule(schedule_id)
    if as_json:
        _print_json({"deleted": schedule_id})
    else:
        out.print(f"deleted schedule {schedule_id}", highlight=False)


# --- slots and booking --------------------------------------------------------------------------


def slots(
    event_type: Annotated[str, typer.Option("--event-type", help="Event type id or slug.")],
    start: Annotated[
        str, typer.Option("--from", help="Start: a date, ISO time or phrase ('tomorrow', 'next week').")
    ] = "next 7 days",
    end: Annotated[str | None, typer.Option("--to", help="End (inclusive day), same forms as --from.")] = None,
    tz: TimeZoneOpt = None,
    duration: Annotated[int | None, typer.Option(help="Minutes, for variable-length event types.")] = None,
    username: Annotated[str | None, typer.Option(help="Owner of the slug (default: you).")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Show the free slots of an event type, grouped by day."""
    zone_info = _local_zone(tz)
    zone_name = getattr(zone_info, "key", None) or "UTC"
    try:
        first = parse_range(start, zone_name)
        window_end = parse_range(end, zone_name).end if end else first.end
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--from/--to") from None
    event_type_id, slug = _event_type_ref(event_type)
    with _client(base_url, api_key, as_json) as client:
        if slug is not None and username is None:
            username = client.me().username
        found: Slots = client.get_slots(
            event_type_id=event_type_id,
            event_type_slug=slug,
            username=username if slug else None,
            start=first.start,
            end=window_end,
            time_zone=zone_name,
            duration=duration,
        )
    if as_json:
        _print_json(found.days)
        return
    if not len(found):
        out.print("no free slots in that range", highlight=False)
        return
    table = Table(title=f"free slots ({zone_name})")
    table.add_column("day")
    table.add_column("times", overflow="fold")
    for day in sorted(found.days):
        times = [slot.start.astimezone(zone_info).strftime("%H:%M") for slot in found.days[day]]
        label = datetime.fromisoformat(day).strftime("%a %Y-%m-%d")
        table.add_row(label, "  ".join(times))
    out.print(table)


def book(
    event_type: Annotated[str, typer.Option("--event-type", help="Event type id or slug.")],
    start: Annotated[str, typer.Option("--start", help="ISO 8601 start, e.g. 2026-12-01T09:00:00+01:00.")],
    name: Annotated[str, typer.Option(help="Attendee name.")],
    email: Annotated[str, typer.Option(help="Attendee email.")],
    tz: Annotated[str, typer.Option("--tz", help="Attendee's IANA time zone.")] = "UTC",
    guest: Annotated[list[str] | None, typer.Option("--guest", help="Guest email (repeatable).")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes for the host.")] = None,
    username: Annotated[str | None, typer.Option(help="Owner of the slug (default: you).")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Book a slot (check it with 'slotwise slots' first)."""
    zone_info = _local_zone(tz)
    moment = _instant(start, zone_info, "--start")
    event_type_id, slug = _event_type_ref(event_type)
    extra: dict[str, Any] = {"bookingFieldsResponses": {"notes": notes}} if notes else {}
    with _client(base_url, api_key, as_json) as client:
        if slug is not None and username is None:
            username = client.me().username
        booking = client.create_booking(
            start=moment,
            event_type_id=event_type_id,
            event_type_slug=slug,
            username=username if slug else None,
            attendee=Attendee(name=name, email=email, time_zone=getattr(zone_info, "key", tz)),
            guests=guest,
            **extra,
        )
    _show_booking(booking, zone_info, as_json, "booked")


# --- bookings -----------------------------------------------------------------------------------

StatusOpt = Annotated[
    list[str] | None,
    typer.Option("--status", help="upcoming, past, cancelled, unconfirmed, recurring (repeatable)."),
]
STATUSES = {"upcoming", "past", "cancelled", "unconfirmed", "recurring"}


def _statuses(values: list[str] | None) -> list[BookingStatus] | None:
    if not values:
        return None
    chosen = [part.strip().lower() for value in values for part in value.split(",") if part.strip()]
    unknown = sorted(set(chosen) - STATUSES)
    if unknown:
        raise typer.BadParameter(f"unknown status {', '.join(unknown)}; use {', '.join(sorted(STATUSES))}")
    return [cast(BookingStatus, value) for value in chosen]


@bookings_app.command("list")
def bookings_list(
    status: StatusOpt = None,
    attendee_email: Annotated[str | None, typer.Option(help="Only bookings with this attendee.")] = None,
    take: Annotated[int, typer.Option(min=1, max=250, help="How many (per page).")] = 20,
    all_pages: Annotated[bool, typer.Option("--all", help="Every matching booking (all pages).")] = False,
    tz: TimeZoneOpt = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """List your bookings."""
    zone_info = _local_zone(tz)
    filters: dict[str, Any] = {"status": _statuses(status), "attendee_email": attendee_email}
    with _client(base_url, api_key, as_json) as client:
        if all_pages:
            items = list(client.iter_bookings(page_size=take, **filters))
        else:
            items = client.list_bookings(take=take, **filters).items
    if as_json:
        _print_json(items)
    elif not items:
        out.print("no bookings", highlight=False)
    else:
        out.print(_bookings_table(items, zone_info))


@bookings_app.command("get")
def bookings_get(
    uid: Annotated[str, typer.Argument(help="Booking uid.")],
    tz: TimeZoneOpt = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Show one booking."""
    with _client(base_url, api_key, as_json) as client:
        booking = client.get_booking(uid)
    _show_booking(booking, _local_zone(tz), as_json, "booking")


@bookings_app.command("cancel")
def bookings_cancel(
    uid: Annotated[str, typer.Argument(help="Booking uid.")],
    reason: Annotated[str | None, typer.Option(help="Reason shown to the attendees.")] = None,
    tz: TimeZoneOpt = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Cancel a booking."""
    with _client(base_url, api_key, as_json) as client:
        booking = client.cancel_booking(uid, reason=reason)
    _show_booking(booking, _local_zone(tz), as_json, "cancelled")


@bookings_app.command("reschedule")
def bookings_reschedule(
    uid: Annotated[str, typer.Argument(help="Booking uid.")],
    start: Annotated[str, typer.Option("--start", help="New ISO 8601 start.")],
    reason: Annotated[str | None, typer.Option(help="Reason shown to the attendees.")] = None,
    tz: TimeZoneOpt = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Move a booking; prints the new booking (it has a new uid)."""
    zone_info = _local_zone(tz)
    moment = _instant(start, zone_info, "--start")
    with _client(base_url, api_key, as_json) as client:
        booking = client.reschedule_booking(uid, start=moment, reason=reason)
    _show_booking(booking, zone_info, as_json, "rescheduled to")


@bookings_app.command("confirm")
def bookings_confirm(
    uid: Annotated[str, typer.Argument(help="Booking uid.")],
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Accept a booking that waits for confirmation."""
    with _client(base_url, api_key, as_json) as client:
        booking = client.confirm_booking(uid)
    _show_booking(booking, _local_zone(None), as_json, "confirmed")


@bookings_app.command("decline")
def bookings_decline(
    uid: Annotated[str, typer.Argument(help="Booking uid.")],
    reason: Annotated[str | None, typer.Option(help="Reason shown to the attendee.")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Reject a booking that waits for confirmation."""
    with _client(base_url, api_key, as_json) as client:
        booking = client.decline_booking(uid, reason=reason)
    _show_booking(booking, _local_zone(None), as_json, "declined")


CSV_COLUMNS = ("uid", "id", "status", "start", "end", "duration", "title", "eventTypeId", "attendees", "location")


def _csv_row(booking: Booking) -> dict[str, Any]:
    return {
        "uid": booking.uid,
        "id": booking.id,
        "status": booking.status,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "duration": booking.duration,
        "title": booking.title,
        "eventTypeId": booking.event_type_id,
        "attendees": "; ".join(f"{a.name} <{a.email}>" for a in booking.attendees),
        "location": booking.location,
    }


@bookings_app.command("export")
def bookings_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for stdout).")],
    format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    status: StatusOpt = None,
    page_size: Annotated[int, typer.Option(min=1, max=250, help="Bookings per request.")] = 100,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Export every matching booking to CSV or JSON, with a progress bar."""
    if format not in ("csv", "json"):
        raise typer.BadParameter("use csv or json", param_hint="--format")
    statuses = _statuses(status)
    exported: list[Booking] = []
    with _client(base_url, api_key, as_json) as client:
        first = client.list_bookings(status=statuses, take=page_size, skip=0)
        total = first.pagination.total_items if first.pagination else None
        progress = Progress(
            TextColumn("exporting bookings"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=as_json,
            disable=as_json or not err.is_terminal,
        )
        with progress:
            task = progress.add_task("export", total=total)
            for booking in client.iter_bookings(page_size=page_size, status=statuses):
                exported.append(booking)
                progress.advance(task)
    text = _render_export(exported, format)
    if str(output) == "-":
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    if as_json:
        _print_json({"exported": len(exported), "output": str(output), "format": format})
    elif str(output) != "-":
        err.print(f"exported {len(exported)} booking(s) to {output}", highlight=False)


def _render_export(bookings: Sequence[Booking], format: str) -> str:
    if format == "json":
        return json.dumps(_jsonable(list(bookings)), indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for booking in bookings:
        writer.writerow(_csv_row(booking))
    return buffer.getvalue()


# --- webhooks -----------------------------------------------------------------------------------


def _webhooks_table(items: Sequence[Webhook]) -> Table:
    table = Table()
    for column in ("id", "url", "triggers", "active"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(str(item.id), item.subscriber_url, ", ".join(item.triggers), "yes" if item.active else "no")
    return table


@webhooks_app.command("list")
def webhooks_list(base_url: BaseUrl = None, api_key: ApiKey = None, as_json: AsJson = False) -> None:
    """List your webhooks."""
    with _client(base_url, api_key, as_json) as client:
        items = client.list_webhooks()
    if as_json:
        _print_json(items)
    else:
        out.print(_webhooks_table(items))


@webhooks_app.command("create")
def webhooks_create(
    url: Annotated[str, typer.Option("--url", help="Subscriber URL that receives the POSTs.")],
    trigger: Annotated[list[str], typer.Option("--trigger", help="BOOKING_CREATED, BOOKING_CANCELLED, ...")],
    secret: Annotated[str | None, typer.Option(help="Signing secret (recommended).")] = None,
    active: Annotated[bool, typer.Option("--active/--inactive", help="Deliver right away.")] = True,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Subscribe a URL to booking events."""
    triggers = [part.strip().upper() for value in trigger for part in value.split(",") if part.strip()]
    with _client(base_url, api_key, as_json) as client:
        created = client.create_webhook(subscriber_url=url, triggers=triggers, active=active, secret=secret)
    if as_json:
        _print_json(created)
    else:
        out.print(f"created webhook [bold]{created.id}[/bold]", highlight=False)


@webhooks_app.command("update")
def webhooks_update(
    webhook_id: Annotated[str, typer.Argument(help="Webhook id.")],
    url: Annotated[str | None, typer.Option("--url", help="New subscriber URL.")] = None,
    trigger: Annotated[list[str] | None, typer.Option("--trigger", help="Replace the triggers.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Pause or resume.")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Change a webhook."""
    triggers = [part.strip().upper() for value in trigger for part in value.split(",")] if trigger else None
    with _client(base_url, api_key, as_json) as client:
        updated = client.update_webhook(webhook_id, subscriber_url=url, triggers=triggers, active=active)
    if as_json:
        _print_json(updated)
    else:
        out.print(_webhooks_table([updated]))


@webhooks_app.command("delete")
def webhooks_delete(
    webhook_id: Annotated[str, typer.Argument(help="Webhook id.")],
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Delete a webhook."""
    with _client(base_url, api_key, as_json) as client:
        deleted = client.delete_webhook(webhook_id)
    if as_json:
        _print_json(deleted)
    else:
        out.print(f"deleted webhook {deleted.id}", highlight=False)


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook_id: Annotated[str, typer.Argument(help="Webhook id.")],
    take: Annotated[int, typer.Option(min=1, max=250, help="How many.")] = 50,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Show a webhook's delivery log (Slotwise)."""
    with _client(base_url, api_key, as_json) as client:
        items = client.list_webhook_deliveries(webhook_id, take=take)
    if as_json:
        _print_json(items)
        return
    table = Table()
    for column in ("id", "trigger", "status", "attempts", "created"):  # id = the webhook-id header
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            item.id,
            item.trigger_event or "",
            item.status or "",
            str(len(item.attempts)),
            item.created_at.isoformat() if item.created_at else "",
        )
    out.print(table)


# --- MCP ----------------------------------------------------------------------------------------


def mcp(
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="HTTP interface (with --http).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port (with --http).")] = 8765,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
) -> None:
    """Run the MCP server (stdio for agents; --http for streamable HTTP at /mcp)."""
    from slotwise.client import AsyncClient
    from slotwise.mcp.server import run_http, run_stdio

    try:
        client = AsyncClient(api_key, base_url=base_url)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE, False)
    if http:
        run_http(host, port, client=client)
    else:
        run_stdio(client)


def register(app: typer.Typer) -> None:
    """Add the client commands to the ``slotwise`` app."""
    commands: list[tuple[str, Callable[..., None]]] = [("me", me), ("slots", slots), ("book", book), ("mcp", mcp)]
    for name, command in commands:
        app.command(name)(command)
    app.add_typer(event_types_app, name="event-types")
    app.add_typer(schedules_app, name="schedules")
    app.add_typer(bookings_app, name="bookings")
    app.add_typer(webhooks_app, name="webhooks")
