from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictInt

from tierline.accounts.schemas import UserRef
from tierline.issues.schemas import IssueOut, Ref
from tierline.schemas import RowId, Text

from .models import Direction, Outcome

DirectionIn = Literal[tuple(Direction.values)]  # type: ignore[valid-type]
OutcomeIn = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]


class CallIn(BaseModel):
    direction: DirectionIn
    caller_number: Text = Field(min_length=1, max_length=64)
    outcome: OutcomeIn
    duration_seconds: StrictInt = Field(default=0, ge=0, le=7 * 24 * 3600)
    notes: Text = Field(default="", max_length=20_000)
    contact_id: RowId | None = None  # matched by the caller's number when not given
    started_at: datetime | None = None


class CallIssueIn(CallIn):
    """A new issue opened from a call."""

    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=100_000)
    severity: StrictInt = Field(default=3, ge=1, le=4)
    organization_id: RowId | None = None


class CallOut(BaseModel):
    id: int
    issue: str  # the issue key
    direction: str
    caller: str  # masked: the last four digits
    contact: Ref | None
    duration_seconds: int
    outcome: str
    notes: str
    logged_by: UserRef | None
    line: str | None
    external_id: str | None
    provider_status: str
    recording_url: str
    started_at: datetime
    created_at: datetime


class CallOpened(BaseModel):
    issue: IssueOut
    call: CallOut


class PhoneLineIn(BaseModel):
    slug: Text = Field(min_length=1, max_length=50)
    provider: Literal["twilio"] = "twilio"
    auth_token: Text = Field(min_length=1, max_length=200)
    organization_id: RowId | None = None


class PhoneLineTokenIn(BaseModel):
    auth_token: Text = Field(min_length=1, max_length=200)


class PhoneLineOut(BaseModel):
    id: int
    slug: str
    provider: str
    organization_id: int | None
    is_active: bool
    status_callback_url: str  # where the provider posts its status callbacks


class DeliveryAccepted(BaseModel):
    id: int
    status: str
