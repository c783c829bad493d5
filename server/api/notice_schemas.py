"""Request and response bodies of the notice endpoints. Times are ISO 8601; JST without an
offset."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contract.content import NoticePriority
from contract.jst import JST
from server.api.schemas import ApiTime, StationId

# Checked against the contract's LangText when the notice is built, so the API refuses
# exactly what a station would.
Texts = dict[str, str]


class TargetScope(StrEnum):
    ALL = "all"
    AREA = "area"
    STATION = "station"


class Target(BaseModel):
    """Who sees the notice: every station, the stations of one area, or one station."""

    model_config = ConfigDict(extra="forbid")
    scope: TargetScope = TargetScope.ALL
    id: StationId | None = Field(None, description="the area or station id; none for all")

    @model_validator(mode="after")
    def _id_when_needed(self) -> Self:
        if self.scope is TargetScope.ALL and self.id is not None:
            raise ValueError("target 'all' takes no id")
        if self.scope is not TargetScope.ALL and self.id is None:
            raise ValueError(f"target '{self.scope.value}' needs the {self.scope.value} id")
        return self

    @property
    def key(self) -> str:
        """As the registry keeps it: ``all``, ``area:{id}`` or ``st:{id}``."""
        if self.scope is TargetScope.ALL:
            return "all"
        return f"{'area' if self.scope is TargetScope.AREA else 'st'}:{self.id}"

    @classmethod
    def of(cls, key: str) -> "Target":
        if key == "all":
            return cls()
        prefix, _, name = key.partition(":")
        return cls(scope=TargetScope.AREA if prefix == "area" else TargetScope.STATION, id=name)


class NoticeText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Texts = Field(description="{言語: 文} — `ja` は必須 / `ja` is required")
    body: Texts | None = None
    priority: NoticePriority = NoticePriority.NORMAL
    starts_at: ApiTime | None = None
    ends_at: ApiTime | None = None
    expires_at: ApiTime | None = Field(None, description="stations drop the notice from then")


class NoticeIn(NoticeText):
    """A new notice; without ``id`` one is made up."""

    id: StationId | None = None
    target: Target = Field(default_factory=Target)


class NoticeUpdate(NoticeText):
    """The notice's new text and schedule (all of it); the target cannot change."""

    target: Target | None = None


class NoticeOut(BaseModel):
    id: str
    version: int
    target: Target
    topic: str
    priority: NoticePriority
    title: Texts
    body: Texts | None
    starts_at: datetime | None
    ends_at: datetime | None
    expires_at: datetime | None
    withdrawn: bool
    created_at: datetime
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None


def epoch_ms(value: datetime | None) -> int | None:
    """Milliseconds since the epoch; a time without an offset is JST."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=JST)
    return round(value.timestamp() * 1000)
