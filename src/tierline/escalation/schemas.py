from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, StrictInt

from tierline.issues.schemas import IssueOut, Ref
from tierline.schemas import RowId, Text


class HandoffIn(BaseModel):
    note: Text = Field(min_length=1, max_length=10_000)
    to_tier: StrictInt | None = Field(default=None, ge=1, le=5)
    team_id: RowId | None = None
    assignee_id: RowId | None = None


class QuestionnaireOut(BaseModel):
    json_schema: dict[str, Any] | None
    answers: dict[str, Any]
    saved_answers: dict[str, Any]
    reproduction_steps: str
    missing_for_engineering: dict[str, str]
    tier: int
    tier_name: str
    engineering_tier: int


class QuestionnaireIn(BaseModel):
    answers: dict[str, Any] = {}
    reproduction_steps: Text | None = Field(default=None, max_length=100_000)


class ClockOut(BaseModel):
    kind: str
    name: str
    state: str
    round: int
    started_at: datetime
    warn_at: datetime
    due_at: datetime
    time_left_seconds: int
    is_paused: bool
    is_breached: bool
    stopped_at: datetime | None


class BreachingOut(BaseModel):
    issue: IssueOut
    clock: ClockOut


class TeamTaskIn(BaseModel):
    team_id: RowId
    title: Text | None = Field(default=None, max_length=300)
    owner_id: RowId | None = None
    status: Text | None = None


class TeamTaskOut(BaseModel):
    id: int
    team: Ref
    title: str
    owner: Ref | None
    status: str
    updated_at: datetime


class LinkedIssueOut(BaseModel):
    key: str
    title: str
    status: str
    priority: int
    organization: Ref | None


class ProblemOut(BaseModel):
    id: int
    title: str
    description: str
    team: Ref | None
    status: str
    fix_version: str
    impact: int
    issues: list[LinkedIssueOut]
    created_at: datetime
    updated_at: datetime


class ProblemIn(BaseModel):
    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=100_000)
    team_id: RowId | None = None
    fix_version: Text = Field(default="", max_length=50)


class ProblemPatch(BaseModel):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = Field(default=None, max_length=100_000)
    team_id: RowId | None = None
    status: Text | None = None
    fix_version: Text | None = Field(default=None, max_length=50)


class ProblemLinkIn(BaseModel):
    issue_key: Text = Field(min_length=1, max_length=40)
    unlink: bool = False


class QueueEntryOut(BaseModel):
    kind: str
    impact: int
    age_seconds: int
    problem: ProblemOut | None
    issue: IssueOut | None
