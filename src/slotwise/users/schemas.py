import json
import sys
from typing import Any, Literal, Self

from pydantic import ConfigDict, EmailStr, Field, field_validator, model_validator

from slotwise.http.model import ApiModel
from slotwise.http.types import Id, TimeZoneName, WholeNumber

WeekDay = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
Locale = Literal[
    "ar",
    "ca",
    "de",
    "es",
    "eu",
    "he",
    "id",
    "ja",
    "lv",
    "pl",
    "ro",
    "sr",
    "th",
    "vi",
    "az",
    "cs",
    "el",
    "es-419",
    "fi",
    "hr",
    "it",
    "km",
    "nl",
    "pt",
    "ru",
    "sv",
    "tr",
    "zh-CN",
    "bg",
    "da",
    "en",
    "et",
    "fr",
    "hu",
    "iw",
    "ko",
    "no",
    "pt-BR",
    "sk",
    "ta",
    "uk",
    "zh-TW",
    "bn",
]


def check_metadata(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Cal.com's metadata rules: at most 50 keys, keys up to 40 characters, values up to 500."""
    if value is None:
        return None
    if len(value) > 50:
        raise ValueError("metadata can have at most 50 keys")
    for key, item in value.items():
        if len(key) > 40:
            raise ValueError(f"metadata key '{key[:40]}...' is longer than 40 characters")
        if isinstance(item, str) and len(item) > 500:
            raise ValueError(f"metadata value of '{key}' is longer than 500 characters")
        if isinstance(item, (dict, list)) and _json_length(item) > 500:
            # nested values are bounded too: else anyone could store an object too deep to send back
            raise ValueError(f"metadata value of '{key}' is longer than 500 characters as JSON")
    return value


def _json_length(value: Any) -> int:
    try:
        return len(json.dumps(value, separators=(",", ":")))
    except (RecursionError, TypeError, ValueError):
        return sys.maxsize


class MeOutput(ApiModel):
    id: int
    username: str
    email: str
    name: str | None
    timeFormat: int
    defaultScheduleId: int | None
    weekStart: str
    timeZone: str
    locale: str | None
    organizationId: int | None = None


class GetMeOutput(ApiModel):
    status: Literal["success"] = "success"
    data: MeOutput


class UpdateMeInput(ApiModel, defer_build=False):  # a route body: see ApiModel
    """``UpdateManagedUserInput`` in Cal.com's spec; every field optional."""

    model_config = ConfigDict(extra="ignore")

    email: EmailStr | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=255)
    timeFormat: Literal[12, 24] | None = None
    defaultScheduleId: Id | None = None
    weekStart: WeekDay | None = None
    timeZone: TimeZoneName | None = None
    locale: Locale | None = None
    avatarUrl: str | None = Field(default=None, max_length=2048)
    bio: str | None = Field(default=None, max_length=5000)
    metadata: dict[str, Any] | None = None

    @field_validator("timeFormat", mode="before")
    @classmethod
    def _whole_time_format(cls, value: Any) -> Any:
        return int(value) if isinstance(value, float) and value.is_integer() else value

    @field_validator("metadata")
    @classmethod
    def _metadata_limits(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_metadata(value)


class RefreshApiKeyInput(ApiModel):
    model_config = ConfigDict(extra="ignore")

    apiKeyDaysValid: WholeNumber | None = Field(default=None, ge=1, le=36500)
    apiKeyNeverExpires: bool | None = None

    @model_validator(mode="after")
    def _one_expiry_choice(self) -> Self:
        if self.apiKeyNeverExpires and self.apiKeyDaysValid is not None:
            raise ValueError("send either apiKeyDaysValid or apiKeyNeverExpires, not both")
        return self


class ApiKeyOutput(ApiModel):
    apiKey: str


class RefreshApiKeyOutput(ApiModel):
    status: Literal["success"] = "success"
    data: ApiKeyOutput
