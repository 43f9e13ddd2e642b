from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field, StrictBool, StrictFloat, StrictInt

from tierline.schemas import RowId, Text


class Named(BaseModel):
    id: int
    name: str


class OutageIn(BaseModel):
    title: Text = Field(min_length=1, max_length=300)
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None  # empty while it goes on
    source: Text = "staff"  # alert, customer_reported or staff
    is_global: StrictBool = False  # everyone
    organization_ids: list[RowId] = Field(default=[], max_length=500)
    component_ids: list[RowId] = Field(default=[], max_length=500)
    issue_keys: list[Text] = Field(default=[], max_length=500)  # TL-42


class OutagePatch(BaseModel):
    """Only the fields sent change; `ended_at: null` reopens an outage ended by mistake."""

    title: Text | None = Field(default=None, min_length=1, max_length=300)
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    is_global: StrictBool | None = None
    organization_ids: list[RowId] | None = Field(default=None, max_length=500)
    component_ids: list[RowId] | None = Field(default=None, max_length=500)
    issue_keys: list[Text] | None = Field(default=None, max_length=500)


class OutageOut(BaseModel):
    id: int
    title: str
    started_at: datetime
    ended_at: datetime | None
    source: str
    is_global: bool
    organizations: list[Named]
    components: list[Named]
    issues: list[str]  # keys
    minutes: float  # so far, while it goes on


class OutageList(BaseModel):
    items: list[OutageOut]
    next_cursor: str | None


class ChargeOut(BaseModel):
    outage: int
    title: str | None  # not shown to customers: it may name someone else
    started_at: datetime  # within the period
    ended_at: datetime
    minutes: float
    charged_minutes: float  # overlaps counted once; these add up to the downtime
    issues: list[str]  # keys (a customer sees only their own)


class ErrorBudgetOut(BaseModel):
    period: str
    start: datetime
    end: datetime
    as_of: datetime
    availability: float  # percent of the elapsed period
    downtime_minutes: float
    allowed_minutes: float  # the error budget: (1 - objective) x the whole period
    left_minutes: float
    left_percent: float
    burn_rate: float  # budget used / fraction of the period elapsed
    burn_rate_1h: float
    burn_rate_6h: float
    burn_rate_24h: float
    is_met: bool
    consumed: list[ChargeOut]


class DayOut(BaseModel):
    day: str
    availability: float
    downtime_minutes: float
    budget_used_percent: float


class AvailabilityOut(BaseModel):
    kind: str  # organization or component
    id: int
    name: str
    objective: str  # percent
    objective_from: str  # customer, plan <name>, component, default
    month: ErrorBudgetOut
    rolling_30_days: ErrorBudgetOut
    days: list[DayOut]


class ObjectiveIn(BaseModel):
    """One of plan, organization_id, component_id; `target` in percent (99.95)."""

    plan: Text = Field(default="", max_length=20)
    organization_id: RowId | None = None
    component_id: RowId | None = None
    target: Text | StrictFloat | StrictInt
    reason: Text = Field(default="", max_length=500)


class ObjectiveOut(BaseModel):
    id: int
    plan: str
    organization_id: int | None
    component_id: int | None
    target: str
    updated_at: datetime


class ObjectivesOut(BaseModel):
    objectives: list[ObjectiveOut]
    plan_defaults: dict[str, str]  # used where no objective is stored
    component_default: str
