"""Schedules as ``cal-api-version: 2024-06-11`` speaks them (named like Cal.com's spec components).

The request models are the spec's, made tolerant: they also take what legacy callers send (day
numbers 0-6, and the 2024-04-15 fields ``availabilities``/``schedule``/``dateOverrides``, whose
item types live in ``legacy``), hidden from the published schema. The router enforces the spec's
required fields when the header is sent; answers are exactly the spec's shapes.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from slotwise.http.model import ApiModel
from slotwise.http.types import TimeZoneName
from slotwise.schedules import rules
from slotwise.schedules.fields import Day, EndClock, IsoDate, StartClock, optional_not_null
from slotwise.schedules.legacy import (
    CreateAvailabilityInput_2024_04_15,
    DateOverrideInput_2024_04_15,
    WeeklyRangeInput_2024_04_15,
    overrides_from_legacy,
    rules_from_grid,
)
from slotwise.schedules.rules import MAX_OVERRIDES, MAX_RULES, Override, Rule, ScheduleChanges, ScheduleDraft

if TYPE_CHECKING:
    from slotwise.schedules.service import ScheduleState

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class ScheduleAvailabilityInput_2024_06_11(ApiModel):
    model_config = ConfigDict(extra="ignore")

    days: list[Day] = Field(
        min_length=1,
        max_length=50,
        description="Array of days when schedule is active.",
        examples=[["Monday", "Tuesday"]],
    )
    startTime: StartClock = Field(description="startTime must be a valid time in format HH:MM e.g. 08:00")
    endTime: EndClock = Field(description="endTime must be a valid time in format HH:MM e.g. 15:00")

    @model_validator(mode="after")
    def _range(self) -> Self:
        rules.check_weekly_range(self.startTime, self.endTime)
        return self

    def to_rule(self) -> Rule:
        return Rule(rules.unique_days(self.days), self.startTime, self.endTime)


class ScheduleOverrideInput_2024_06_11(ApiModel):
    model_config = ConfigDict(extra="ignore")

    date: IsoDate
    startTime: StartClock = Field(description="startTime must be a valid time in format HH:MM e.g. 12:00")
    endTime: EndClock = Field(description="endTime must be a valid time in format HH:MM e.g. 13:00")

    @model_validator(mode="after")
    def _range(self) -> Self:
        rules.check_override_range(self.startTime, self.endTime)
        rules.check_override_date(self.date)
        return self

    def to_override(self) -> Override:
        return Override(self.date, self.startTime, self.endTime)


AvailabilityList = Annotated[list[ScheduleAvailabilityInput_2024_06_11], Field(max_length=MAX_RULES)]
OverrideList = Annotated[list[ScheduleOverrideInput_2024_06_11], Field(max_length=MAX_OVERRIDES)]
LegacyAvailabilities = Annotated[list[CreateAvailabilityInput_2024_04_15], Field(max_length=MAX_RULES)]
LegacyGrid = Annotated[list[Annotated[list[WeeklyRangeInput_2024_04_15], Field(max_length=48)]], Field(max_length=7)]
LegacyDateOverrides = Annotated[list[DateOverrideInput_2024_04_15], Field(max_length=MAX_OVERRIDES)]


def _spec_required(schema: dict[str, Any]) -> None:
    """Document the spec's required fields (legacy callers may omit the zone and isDefault)."""
    optional_not_null(schema)
    schema["required"] = ["name", "timeZone", "isDefault"]


def _only_one(model: BaseModel, *names: str) -> None:
    sent = [name for name in names if getattr(model, name) is not None]
    if len(sent) > 1:
        raise ValueError(f"send only one of {' or '.join(sent)}: they set the same thing in different shapes")


class _ScheduleBody(ApiModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra=optional_not_null)

    availability: AvailabilityList | None = None
    overrides: OverrideList | None = None
    availabilities: SkipJsonSchema[LegacyAvailabilities | None] = None

    def day_values(self) -> list[int | str]:
        """The weekdays as sent in ``availability`` (ints or names): which style the caller speaks."""
        return [day for item in self.availability or () for day in item.days]

    def sent_fields(self) -> set[str]:
        return {name for name in self.model_fields_set if getattr(self, name) is not None}

    def _rules(self) -> tuple[Rule, ...] | None:
        if self.availability is not None:
            return tuple(item.to_rule() for item in self.availability)
        if self.availabilities:  # 2024-04-15: an empty list means the default hours
            return tuple(item.to_rule() for item in self.availabilities)
        return None


class CreateScheduleInput_2024_06_11(_ScheduleBody, defer_build=False):  # a route body: see ApiModel
    model_config = ConfigDict(extra="ignore", json_schema_extra=_spec_required)

    name: Name = Field(examples=["Catch up hours"])
    timeZone: TimeZoneName | None = Field(
        default=None,
        examples=["Europe/Rome"],
        description="Timezone is used to calculate available times when an event using the schedule is booked.",
    )
    isDefault: bool | None = Field(
        default=None,
        description="Each user has exactly one default schedule; event types without a schedule use it.",
    )
    availability: AvailabilityList | None = Field(
        default=None,
        description="Each object contains days and times when the user is available. "
        "If not passed, the default availability is Monday to Friday from 09:00 to 17:00.",
    )
    overrides: OverrideList | None = Field(
        default=None, description="Need to change availability for a specific date? Add an override."
    )

    @model_validator(mode="after")
    def _one_weekly_field(self) -> Self:
        _only_one(self, "availability", "availabilities")
        return self

    def require_spec_fields(self) -> None:
        """With the header, the spec's required fields must be there (400 naming each)."""
        missing = [name for name in ("timeZone", "isDefault") if getattr(self, name) is None]
        if missing:
            raise RequestValidationError(
                [{"type": "missing", "loc": ("body", name), "msg": "Field required", "input": None} for name in missing]
            )

    def to_draft(self) -> ScheduleDraft:
        overrides = tuple(item.to_override() for item in self.overrides) if self.overrides is not None else None
        return ScheduleDraft(self.name, self.timeZone, self.isDefault, self._rules(), overrides)


class UpdateScheduleInput_2024_06_11(_ScheduleBody, defer_build=False):  # a route body: see ApiModel
    """Any subset of the create fields; ``availability: []`` / ``overrides: []`` clear them."""

    name: Name | None = Field(default=None, examples=["One-on-one coaching"])
    timeZone: TimeZoneName | None = Field(default=None, examples=["Europe/Rome"])
    isDefault: bool | None = None
    schedule: SkipJsonSchema[LegacyGrid | None] = None
    dateOverrides: SkipJsonSchema[LegacyDateOverrides | None] = None

    @model_validator(mode="after")
    def _one_field_each(self) -> Self:
        _only_one(self, "availability", "availabilities", "schedule")
        _only_one(self, "overrides", "dateOverrides")
        return self

    def to_changes(self) -> ScheduleChanges:
        weekly = rules_from_grid(self.schedule) if self.schedule is not None else self._rules()
        if weekly is None and self.availabilities is not None:
            weekly = ()
        overrides: tuple[Override, ...] | None = None
        if self.overrides is not None:
            overrides = tuple(item.to_override() for item in self.overrides)
        elif self.dateOverrides is not None:
            overrides = overrides_from_legacy(self.dateOverrides)
        return ScheduleChanges(self.name, self.timeZone, self.isDefault, weekly, overrides)


# --- answers -----------------------------------------------------------------------------------


class ScheduleOutput_2024_06_11(ApiModel):
    id: int = Field(examples=[254])
    ownerId: int = Field(examples=[478])
    name: str = Field(examples=["Catch up hours"])
    timeZone: str = Field(examples=["Europe/Rome"])
    availability: list[ScheduleAvailabilityInput_2024_06_11]
    isDefault: bool
    overrides: list[ScheduleOverrideInput_2024_06_11]

    @classmethod
    def of(cls, state: "ScheduleState") -> "ScheduleOutput_2024_06_11":
        schedule = state.schedule
        return cls.model_construct(
            id=schedule.id,
            ownerId=schedule.user_id,
            name=schedule.name,
            timeZone=schedule.time_zone,
            availability=[
                ScheduleAvailabilityInput_2024_06_11.model_construct(
                    days=[rules.DAY_NAMES[day] for day in rule.days], startTime=rule.start, endTime=rule.end
                )
                for rule in state.rules
            ],
            isDefault=state.is_default,
            overrides=[
                ScheduleOverrideInput_2024_06_11.model_construct(date=o.date, startTime=o.start, endTime=o.end)
                for o in state.overrides
            ],
        )


class CreateScheduleOutput_2024_06_11(ApiModel):
    status: Literal["success"] = "success"
    data: ScheduleOutput_2024_06_11


class GetScheduleOutput_2024_06_11(ApiModel):
    status: Literal["success"] = "success"
    data: ScheduleOutput_2024_06_11 | None


class GetDefaultScheduleOutput_2024_06_11(ApiModel):
    status: Literal["success"] = "success"
    data: ScheduleOutput_2024_06_11 | None = Field(description="The default schedule; null if the user has none.")


class GetSchedulesOutput_2024_06_11(ApiModel):
    status: Literal["success"] = "success"
    data: list[ScheduleOutput_2024_06_11]


class UpdateScheduleOutput_2024_06_11(ApiModel):
    status: Literal["success"] = "success"
    data: ScheduleOutput_2024_06_11


class DeleteScheduleOutput_2024_06_11(ApiModel):
    status: Literal["success"] = "success"


class SupportedTimeZone(ApiModel):
    city: str = Field(examples=["New York"])
    timezone: str = Field(examples=["America/New_York"])
    pop: int = Field(default=0, description="Population, for sorting pickers; 0 when unknown.")


class GetTimeZonesOutput(ApiModel):
    status: Literal["success"] = "success"
    data: list[SupportedTimeZone]
