"""Request and response schemas of live debugging: the staff API and the agents' wire protocol
(register and status; hits are read by `wire.read_hits`, which bounds and checks them itself)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from tierline.accounts.schemas import UserRef
from tierline.schemas import Text

from .models import StatusKind

Seconds = StrictInt | StrictFloat


class ProbeIn(BaseModel):
    service: Text
    kind: Text  # log, snapshot, metric, log_level (checked by the action, with the other fields)
    location: Text = ""
    condition: Text = ""
    template: Text = ""
    metric_type: Text = ""
    value: Text = ""
    metric_name: Text = ""
    logger: Text = ""
    capture: dict[str, StrictInt] | None = None
    rate: Seconds | None = None  # hits per second; none: the agent's default for the kind
    max_hits: StrictInt | None = None
    ttl_seconds: Seconds = 3600
    instances: list[Text] = []  # instance ids; empty: every instance of the service
    tags: dict[str, Text] = {}  # only instances with all these tags
    all_customers: StrictBool = False  # fire for every customer, not only the issue's organization
    reason: Text = ""


class ProbeChangeIn(BaseModel):
    condition: Text | None = None
    template: Text | None = None
    value: Text | None = None
    metric_name: Text | None = None
    capture: dict[str, StrictInt] | None = None
    rate: Seconds | None = None
    max_hits: StrictInt | None = None
    instances: list[Text] | None = None
    tags: dict[str, Text] | None = None
    extend_seconds: Seconds | None = None  # from the current end (or now, if it passed)
    expires_at: datetime | None = None
    reason: Text = ""


class RemoveIn(BaseModel):
    reason: Text = ""


class ScopeOut(BaseModel):
    organization: str | None  # the organization's slug, as ctx.organization carries it
    all_customers: bool


class StatusOut(BaseModel):
    instance_id: str
    host: str
    status: str
    message: str
    hits: int
    rate_limited: int
    is_throttled: bool
    version: int
    updated_at: datetime


class ProbeOut(BaseModel):
    id: str
    issue: str
    service: str
    kind: str
    location: str
    condition: str
    template: str
    metric_type: str
    value: str
    metric_name: str
    logger: str
    capture: dict
    rate: float | None
    max_hits: int | None
    instances: list[str]
    tags: dict
    scope: ScopeOut
    reason: str
    expires_at: datetime
    version: int
    is_active: bool
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    removed_at: datetime | None
    completed_at: datetime | None
    hits: int
    statuses: list[StatusOut]


class HitOut(BaseModel):
    id: int
    probe: str
    kind: str
    captured_at: datetime
    instance_id: str | None
    host: str
    thread: str
    location: str
    context: dict
    message: str | None = None
    snapshot: dict | None = None
    metric: dict | None = None
    record: dict | None = None


class HitsOut(BaseModel):
    hits: list[HitOut]
    last_id: int


class InstanceOut(BaseModel):
    instance_id: str
    host: str
    pid: int | None
    python: str
    implementation: str
    os: str
    agent_version: str
    tags: dict
    organization: str | None  # slug
    registered_at: datetime
    last_seen_at: datetime
    is_live: bool


class ServiceOut(BaseModel):
    service: str
    instances: list[InstanceOut]


class AgentTokenIn(BaseModel):
    service: Text
    name: Text = ""


class AgentTokenOut(BaseModel):
    id: int
    service: str
    name: str
    prefix: str
    created_by: UserRef | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class AgentTokenCreated(AgentTokenOut):
    token: str  # the secret: shown this once, never stored


# The agents' wire protocol (agent/src/tierline_agent/README.md). Unknown keys are ignored.
Short = Field(default="", max_length=255)


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    instance_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    service: str = Field(min_length=1, max_length=100)
    host: str = Short
    pid: int | None = Field(default=None, ge=0, le=2**31)
    python: str = Field(default="", max_length=40)
    implementation: str = Field(default="", max_length=40)
    os: str = Field(default="", max_length=200)
    agent_version: str = Field(default="", max_length=40)
    tags: dict[str, str] = Field(default={}, max_length=50)
    packages: dict[str, str] = Field(default={}, max_length=500)


class RegisterOut(BaseModel):
    instance_id: str


class StatusReportIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(max_length=40)
    version: int = Field(default=0, ge=0, le=2**31)
    status: Literal[tuple(StatusKind.values)]  # type: ignore[valid-type]
    message: str = Field(default="", max_length=20_000)
    hits: int = Field(default=0, ge=0, le=2**62)
    rate_limited: int = Field(default=0, ge=0, le=2**62)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    instance_id: str = Field(min_length=1, max_length=64)
    probes: list[StatusReportIn] = Field(default=[], max_length=2000)
    throttled: bool = False
    throttled_hits: int = 0
    dropped_total: int = 0


class AcceptedOut(BaseModel):
    stored: int
    dropped: int = 0
