from datetime import date, datetime

from pydantic import BaseModel, Field, StrictInt

from tierline.accounts.schemas import UserRef
from tierline.issues.schemas import Ref
from tierline.schemas import IsoDate, RowId, Text


class TimeEntryIn(BaseModel):
    minutes: StrictInt = Field(ge=1, le=24 * 60)
    spent_on: IsoDate | None = None  # today when not given
    note: Text = Field(default="", max_length=500)
    team_id: RowId | None = None  # the issue's team when the user belongs to it, else the user's team


class TimeEntryOut(BaseModel):
    id: int
    issue: str
    user: UserRef
    team: Ref | None
    minutes: int
    spent_on: date
    note: str
    created_at: datetime


class BudgetIn(BaseModel):
    hours: float = Field(ge=0, le=10_000)
    period_weeks: StrictInt = Field(default=1, ge=1, le=12)  # 2 for a budget per two-week sprint
    starts_on: IsoDate
    reason: Text = Field(default="", max_length=500)


class TeamBudgetOut(BaseModel):
    id: int
    team_id: int
    hours: float
    period_weeks: int
    weekly_hours: float
    starts_on: date
    reason: str
    set_by: UserRef | None
    created_at: datetime


class WeekOut(BaseModel):
    week: date  # its Monday
    hours: float
    logged_hours: float
    derived_hours: float
    budget_hours: float | None
    is_over_budget: bool
    escalations: int


class BandOut(BaseModel):
    median: float
    low_80: float
    high_80: float
    low_95: float
    high_95: float


class ForecastWeekOut(BaseModel):
    week: date
    escalations: BandOut
    hours: BandOut


class ForecastOut(BaseModel):
    team_id: int
    model: str  # negative_binomial, poisson or constant
    mean_escalations: float
    dispersion: float | None
    observed_weeks: int
    hours_samples: int  # escalated issues whose hours are resampled
    confidence: float
    reserve_hours: float  # hours to keep free over the horizon at that confidence
    weeks: list[ForecastWeekOut]
