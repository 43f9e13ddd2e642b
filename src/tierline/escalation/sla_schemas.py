"""Request and answer bodies of the SLA configuration endpoints (tierline.escalation.sla_api)."""

from typing import Annotated

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from tierline.issues.schemas import Ref
from tierline.schemas import RowId, Text

TimeOfDay = Annotated[StrictStr, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
Day = Annotated[StrictStr, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-12-25"])]
Weekday = Annotated[StrictInt, Field(ge=0, le=6)]
Minutes = Annotated[StrictInt, Field(ge=1, le=366 * 24 * 60)]  # at most a year
PriorityValue = Annotated[StrictInt, Field(ge=0, le=3)]


class CalendarOut(BaseModel):
    id: int
    name: str
    time_zone: str
    workday_start: str
    workday_end: str
    weekdays: list[int]
    holidays: list[str]


class CalendarIn(BaseModel):
    """Working hours are local to `time_zone` (an IANA name); weekdays count from 0 (Monday)."""

    name: Text = Field(min_length=1, max_length=100)
    time_zone: Text = Field(min_length=1, max_length=64)
    workday_start: TimeOfDay
    workday_end: TimeOfDay
    weekdays: list[Weekday] = Field(default=[0, 1, 2, 3, 4], min_length=1, max_length=7)
    holidays: list[Day] = Field(default=[], max_length=1000)


class CalendarPatch(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=100)
    time_zone: Text | None = Field(default=None, min_length=1, max_length=64)
    workday_start: TimeOfDay | None = None
    workday_end: TimeOfDay | None = None
    weekdays: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    holidays: list[Day] | None = Field(default=None, max_length=1000)


class SlaPolicyOut(BaseModel):
    id: int
    name: str
    plan: str
    priority: int | None
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    calendar: Ref | None


class SlaPolicyIn(BaseModel):
    """Targets in business minutes of the calendar (none: around the clock). A blank plan or a
    null priority matches any; the most specific policy wins."""

    name: Text = Field(min_length=1, max_length=100)
    plan: Text = Field(default="", max_length=20)
    priority: PriorityValue | None = None
    first_response_minutes: Minutes
    next_response_minutes: Minutes
    resolution_minutes: Minutes
    calendar_id: RowId | None = None


class SlaPolicyPatch(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=100)
    plan: Text | None = Field(default=None, max_length=20)
    priority: PriorityValue | None = None
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    calendar_id: RowId | None = None


class EscalationPolicyOut(BaseModel):
    id: int
    name: str
    trigger: str
    clock_kind: str
    is_active: bool
    actions: list[str]


class EscalationPolicyIn(BaseModel):
    """`actions` run in order: notify_assignee, notify_team_lead, raise_tier, page_on_call."""

    name: Text = Field(min_length=1, max_length=100)
    trigger: Text
    clock_kind: Text = ""
    is_active: StrictBool = True
    actions: list[Text] = Field(min_length=1, max_length=20)


class EscalationPolicyPatch(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=100)
    trigger: Text | None = None
    clock_kind: Text | None = None
    is_active: StrictBool | None = None
    actions: list[Text] | None = Field(default=None, min_length=1, max_length=20)
