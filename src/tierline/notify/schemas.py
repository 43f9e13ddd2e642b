from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tierline.schemas import Text


class FixShippedIn(BaseModel):
    version: Text | None = Field(default=None, max_length=50)  # the problem's fix version when left out
    note: Text = Field(default="", max_length=2000)  # shown to customers
    resolve_issues: bool | None = None  # None: TIERLINE_RESOLVE_ON_FIX


class FixShippedOut(BaseModel):
    problem_id: int
    version: str
    note: str
    resolve_issues: bool
    shipped_at: datetime
    shipped_by: str | None
    linked: int  # issues linked to the problem
    told: int  # of them, told of this fix so far
    to_tell: int  # queued for the worker now


class SatisfactionOut(BaseModel):
    id: int
    issue: str
    rating: Literal["good", "bad"]
    comment: str
    resolved_at: datetime  # the resolution round rated
    rated_at: datetime
    updated_at: datetime
    team: str | None
    priority: int | None
    organization: str | None


class SatisfactionList(BaseModel):
    items: list[SatisfactionOut]
    next_cursor: str | None


class CsatRowOut(BaseModel):
    group: str
    ratings: int
    good: int
    share_good: float


WebhookEvent = Literal["issue.created", "issue.status_changed", "issue.resolved", "issue.reopened",
                       "issue.escalated", "issue.commented", "issue.sla_breached", "issue.fix_shipped",
                       "issue.satisfaction_rated"]


class WebhookIn(BaseModel):
    name: Text = Field(min_length=1, max_length=100)
    url: Text = Field(max_length=500)
    events: list[WebhookEvent] = Field(min_length=1, max_length=20)
    format: Literal["json", "slack"] = "json"
    is_active: bool = True


class WebhookPatch(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=100)
    url: Text | None = Field(default=None, max_length=500)
    events: list[WebhookEvent] | None = Field(default=None, min_length=1, max_length=20)
    format: Literal["json", "slack"] | None = None
    is_active: bool | None = None


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    events: list[str]
    format: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    pending: int
    failed: int


class WebhookCreated(WebhookOut):
    secret: str  # shown once: signs every delivery (X-Tierline-Signature)


class WebhookSecretOut(BaseModel):
    secret: str


class DeliveryOut(BaseModel):
    id: int
    event: str
    issue: str | None
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    data: dict[str, Any]


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
