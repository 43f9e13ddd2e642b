from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field, StrictFloat, StrictInt, StrictStr

from tierline.schemas import RowId

Count = StrictInt | StrictFloat


class MetricIn(BaseModel):
    name: StrictStr = Field(min_length=1, max_length=100)  # a slug: lower-case letters, digits, - and _
    kind: StrictStr = "count"  # count or conversion
    description: StrictStr = Field(default="", max_length=300)
    organization_id: RowId | None = None
    component_id: RowId | None = None


class MetricOut(BaseModel):
    id: int
    name: str
    kind: str
    description: str
    organization_id: int | None
    component_id: int | None
    url: str  # where its points are posted
    open_anomaly_issue: str | None  # the key of the open anomaly's issue
    secret: str | None = None  # shown once, when created or rotated


class PointIn(BaseModel):
    """A count (`value`) or, for a conversion rate, `successes` out of `attempts`."""

    at: AwareDatetime
    value: Count | None = Field(default=None, allow_inf_nan=False)
    successes: StrictInt | None = Field(default=None, ge=0, le=10**15)
    attempts: StrictInt | None = Field(default=None, ge=0, le=10**15)


class PointsIn(BaseModel):
    points: list[PointIn]


class PointsRecorded(BaseModel):
    created: int
    updated: int
    unchanged: int


class PointOut(BaseModel):
    at: datetime
    value: float
    successes: int | None
    attempts: int | None
    expected: float | None  # the detector's baseline for this time of the week
    low: float | None  # the normal band
    high: float | None
    is_outside: bool | None  # None: not judged yet


class AnomalyOut(BaseModel):
    id: int
    metric: str
    issue: str | None
    started_at: datetime
    detected_at: datetime
    recovered_at: datetime | None
    expected: float | None
    observed: float | None
