"""Schedules without ``cal-api-version`` (or with a date before 2024-06-11): the legacy shapes.

Requests. Three bodies reach ``/v2/schedules`` without the header and all are accepted:

* the current body: ``availability: [{days: ["Monday", ...], startTime: "09:00", endTime: "17:00"}]``;
* the seed skill's body: the same with ``days`` as numbers 0-6, 0 = Sunday;
* the 2024-04-15 body (SDK, atoms): ``availabilities: [{days: [1, 2], startTime, endTime}]`` whose
  times are ISO date-times with the wall time as clock part; its updates send ``schedule`` (seven
  lists, index 0 = Sunday, of ``{start, end}``) and ``dateOverrides`` (``{start, end}`` or
  ``{ranges: [...]}``).

Answers: one merged object that every known legacy reader can read::

    {id, name, isManaged: false, workingHours: [{days, startTime, endTime}]  # minutes; 1440 = midnight
     schedule: [raw availability rows], availability: ..., timeZone, dateOverrides: [{ranges}],
     isDefault, isLastSchedule, readOnly: false,      # <- the 2024-04-15 output object
     ownerId, overrides: [{date, startTime, endTime}]} # <- current keys the seed caller reads back

Every key has a single meaning except ``availability``, which the 2024-04-15 object uses for seven
lists of ``{start, end}`` while the seed caller reads back the rules it sent. It is therefore shaped
by what the request evidently speaks (:class:`Style`):

* ``?for=atom`` (Cal.com's atoms and SDK ask for the web-app object this way) or a 2024-04-15 body
  (``availabilities`` / ``schedule`` / ``dateOverrides``) -> the seven lists (``WEB``);
* ``availability`` sent with weekday names -> rules with names (``NAMES``);
* anything else, including plain GETs -> rules with day numbers, 0 = Sunday (``NUMERIC``): the
  seed skill's shape; the same hours are in ``workingHours`` and ``schedule`` for older readers.

Legacy ``PATCH`` answered Cal.com's ``{schedule: {id, userId, name, timeZone, availability: [rows]},
isDefault, timeZone, prevDefaultId, currentDefaultId}``; our PATCH answer is the merged object with
``schedule`` as that object (no legacy reader expects raw rows from a PATCH) plus
``prevDefaultId``/``currentDefaultId``, so both kinds of readers find their keys.

Wall times in the 2024-04-15 outputs are written as UTC instants on 1970-01-01 (overrides on their
date), i.e. the clock part is the wall time in the schedule's zone, as the inputs are read. Row
ids in ``schedule`` are positions within the schedule (rows are not stored separately).
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from slotwise.http.model import ApiModel
from slotwise.schedules import rules
from slotwise.schedules.fields import Day
from slotwise.schedules.rules import DAY_NAMES, END_OF_DAY, Override, Rule

if TYPE_CHECKING:
    from slotwise.schedules.service import ScheduleState, UpdateResult


class Style(StrEnum):
    NUMERIC = "numeric"
    NAMES = "names"
    WEB = "web"


LEGACY_BODY_FIELDS = frozenset({"availabilities", "schedule", "dateOverrides"})


def style_of(for_param: str | None, sent: set[str], day_values: list[int | str]) -> Style:
    """The ``availability`` shape to answer a request without the header with (see module doc)."""
    if (for_param or "").strip().lower() == "atom" or sent & LEGACY_BODY_FIELDS:
        return Style.WEB
    if day_values and all(isinstance(day, str) for day in day_values):
        return Style.NAMES
    return Style.NUMERIC


# --- 2024-04-15 request items ----------------------------------------------------------------


class CreateAvailabilityInput_2024_04_15(ApiModel):
    """An ``availabilities`` item: ``startTime``/``endTime`` are ISO date-times (wall clock)."""

    model_config = ConfigDict(extra="ignore")

    days: list[Day] = Field(min_length=1, max_length=50)
    startTime: Any
    endTime: Any
    _clocks: tuple[str, str] = PrivateAttr(default=("", ""))

    @model_validator(mode="after")
    def _range(self) -> Self:
        _, start, end = rules.wall_range(self.startTime, self.endTime)
        rules.check_weekly_range(start, end)
        self._clocks = (start, end)
        return self

    def to_rule(self) -> Rule:
        return Rule(rules.unique_days(self.days), *self._clocks)


class WeeklyRangeInput_2024_04_15(ApiModel):
    """One ``{start, end}`` of the web app's ``schedule`` grid (seven lists, index 0 = Sunday)."""

    model_config = ConfigDict(extra="ignore")

    start: Any
    end: Any
    _clocks: tuple[str, str] = PrivateAttr(default=("", ""))

    @model_validator(mode="after")
    def _range(self) -> Self:
        _, start, end = rules.wall_range(self.start, self.end)
        rules.check_weekly_range(start, end)
        self._clocks = (start, end)
        return self


def _dated(start_raw: Any, end_raw: Any) -> Override:
    day, start, end = rules.wall_range(start_raw, end_raw)
    if day is None:
        raise ValueError(
            f"date override {start_raw!r} needs a date: send ISO date-times such as '2024-05-20T09:00:00Z'"
        )
    rules.check_override_range(start, end)
    rules.check_override_date(day.isoformat())
    return Override(day.isoformat(), start, end)


class DatedRangeInput_2024_04_15(ApiModel):
    """One ``{start, end}`` of a date override: ISO date-times on the override's date."""

    model_config = ConfigDict(extra="ignore")

    start: Any
    end: Any
    _override: Override | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _range(self) -> Self:
        self._override = _dated(self.start, self.end)
        return self

    def to_override(self) -> Override:
        assert self._override is not None
        return self._override


class DateOverrideInput_2024_04_15(ApiModel):
    """A ``dateOverrides`` item: ``{start, end}`` or the web app's ``{ranges: [{start, end}]}``."""

    model_config = ConfigDict(extra="ignore")

    start: Any = None
    end: Any = None
    ranges: list[DatedRangeInput_2024_04_15] | None = Field(default=None, max_length=48)
    _single: Override | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.ranges is None:
            if self.start is None or self.end is None:
                raise ValueError("send a date override as {start, end} or as {ranges: [{start, end}]}")
            self._single = _dated(self.start, self.end)
        return self

    def to_overrides(self) -> list[Override]:
        if self.ranges is not None:
            return [item.to_override() for item in self.ranges]
        return [self._single] if self._single is not None else []


def rules_from_grid(grid: list[list[WeeklyRangeInput_2024_04_15]]) -> tuple[Rule, ...]:
    return rules.rules_from_day_ranges([[item._clocks for item in day] for day in grid])


def overrides_from_legacy(items: list[DateOverrideInput_2024_04_15]) -> tuple[Override, ...]:
    return tuple(override for item in items for override in item.to_overrides())


# --- answers -----------------------------------------------------------------------------------


class WorkingHours_2024_04_15(ApiModel):
    days: list[int] = Field(description="0 = Sunday.", examples=[[1, 2, 3, 4, 5]])
    startTime: int = Field(description="Minutes from midnight.", examples=[540])
    endTime: int = Field(description="Minutes from midnight; 1440 = midnight.", examples=[1020])


class AvailabilityRow_2024_04_15(ApiModel):
    id: int
    userId: int
    eventTypeId: int | None = None
    scheduleId: int
    days: list[int]
    startTime: str = Field(examples=["1970-01-01T09:00:00.000Z"])
    endTime: str = Field(examples=["1970-01-01T17:00:00.000Z"])
    date: str | None = None


class TimeRange_2024_04_15(ApiModel):
    start: str = Field(examples=["1970-01-01T09:00:00.000Z"])
    end: str = Field(examples=["1970-01-01T17:00:00.000Z"])


class DateOverride_2024_04_15(ApiModel):
    ranges: list[TimeRange_2024_04_15]


class AvailabilityRule_2024_04_15(ApiModel):
    days: list[int | str] = Field(description="As the caller speaks: numbers (0 = Sunday) or names.")
    startTime: str = Field(examples=["09:00"])
    endTime: str = Field(examples=["17:00"])


class Override_2024_04_15(ApiModel):
    date: str = Field(examples=["2024-05-20"])
    startTime: str = Field(examples=["18:00"])
    endTime: str = Field(examples=["21:00"])


class _ScheduleFields(ApiModel):
    id: int
    ownerId: int
    name: str
    isManaged: bool = False
    workingHours: list[WorkingHours_2024_04_15]
    availability: list[AvailabilityRule_2024_04_15] | list[list[TimeRange_2024_04_15]] = Field(
        description="Rules as the caller sent them, or (`?for=atom`, 2024-04-15 bodies) seven lists of "
        "ranges, Sunday first."
    )
    timeZone: str
    dateOverrides: list[DateOverride_2024_04_15]
    overrides: list[Override_2024_04_15]
    isDefault: bool
    isLastSchedule: bool
    readOnly: bool = False


class ScheduleOutput_2024_04_15(_ScheduleFields):
    """The legacy schedule object plus the current keys a seed caller reads (see ``legacy``)."""

    schedule: list[AvailabilityRow_2024_04_15]


class ScheduleModel_2024_04_15(ApiModel):
    id: int
    userId: int
    name: str
    timeZone: str
    availability: list[AvailabilityRow_2024_04_15]


class UpdatedScheduleOutput_2024_04_15(_ScheduleFields):
    schedule: ScheduleModel_2024_04_15
    prevDefaultId: int | None
    currentDefaultId: int | None


class GetScheduleOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: ScheduleOutput_2024_04_15 | None


class GetSchedulesOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: list[ScheduleOutput_2024_04_15]


class UpdateScheduleOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: UpdatedScheduleOutput_2024_04_15


def _instant(clock: str, day: str = "1970-01-01") -> str:
    return f"{day}T{clock}:00.000Z"


def _minutes(clock: str, *, end: bool) -> int:
    return 24 * 60 if end and clock == END_OF_DAY else rules.minutes_of(clock)


def working_hours(schedule_rules: tuple[Rule, ...]) -> list[dict[str, Any]]:
    return [
        {"days": list(rule.days), "startTime": _minutes(rule.start, end=False), "endTime": _minutes(rule.end, end=True)}
        for rule in schedule_rules
    ]


def _rows(state: "ScheduleState") -> list[dict[str, Any]]:
    schedule = state.schedule
    rows: list[dict[str, Any]] = []
    base = {"userId": schedule.user_id, "eventTypeId": None, "scheduleId": schedule.id}
    for rule in state.rules:
        rows.append(
            {
                "id": len(rows) + 1,
                **base,
                "days": list(rule.days),
                "startTime": _instant(rule.start),
                "endTime": _instant(rule.end),
                "date": None,
            }
        )
    for override in state.overrides:
        rows.append(
            {
                "id": len(rows) + 1,
                **base,
                "days": [],
                "startTime": _instant(override.start),
                "endTime": _instant(override.end),
                "date": _instant("00:00", override.date),
            }
        )
    return rows


def _availability(schedule_rules: tuple[Rule, ...], style: Style) -> list[Any]:
    if style is Style.WEB:
        grid: list[list[dict[str, str]]] = [[] for _ in DAY_NAMES]
        for rule in sorted(schedule_rules, key=lambda r: (r.start, r.end)):
            for day in rule.days:
                grid[day].append({"start": _instant(rule.start), "end": _instant(rule.end)})
        return grid
    return [
        {
            "days": [DAY_NAMES[d] for d in rule.days] if style is Style.NAMES else list(rule.days),
            "startTime": rule.start,
            "endTime": rule.end,
        }
        for rule in schedule_rules
    ]


def _date_overrides(overrides: tuple[Override, ...]) -> list[dict[str, Any]]:
    by_date: dict[str, list[dict[str, str]]] = {}
    for override in overrides:
        by_date.setdefault(override.date, []).append(
            {"start": _instant(override.start, override.date), "end": _instant(override.end, override.date)}
        )
    return [{"ranges": ranges} for ranges in by_date.values()]


def _fields(state: "ScheduleState", style: Style) -> dict[str, Any]:
    schedule = state.schedule
    schedule_rules = state.rules
    overrides = state.overrides
    return {
        "id": schedule.id,
        "ownerId": schedule.user_id,
        "name": schedule.name,
        "isManaged": False,
        "workingHours": working_hours(schedule_rules),
        "availability": _availability(schedule_rules, style),
        "timeZone": schedule.time_zone,
        "dateOverrides": _date_overrides(overrides),
        "overrides": [override.stored() for override in overrides],
        "isDefault": state.is_default,
        "isLastSchedule": state.is_last,
        "readOnly": False,
    }


def schedule_output(state: "ScheduleState", style: Style) -> ScheduleOutput_2024_04_15:
    return ScheduleOutput_2024_04_15.model_validate({**_fields(state, style), "schedule": _rows(state)})


def updated_output(result: "UpdateResult", style: Style) -> UpdatedScheduleOutput_2024_04_15:
    state = result.state
    schedule = state.schedule
    model = {"id": schedule.id, "userId": schedule.user_id, "name": schedule.name, "timeZone": schedule.time_zone}
    return UpdatedScheduleOutput_2024_04_15.model_validate(
        {
            **_fields(state, style),
            "schedule": {**model, "availability": _rows(state)},
            "prevDefaultId": result.previous_default_id,
            "currentDefaultId": state.default_id,
        }
    )
