from datetime import datetime

from pydantic import BaseModel, Field

from tierline.schemas import RowId, Text


class AlertAccepted(BaseModel):
    id: int
    status: str


class InboundMessageOut(BaseModel):
    id: int
    kind: str
    source: str
    status: str
    reason: str
    attempts: int
    sender: str
    subject: str
    message_id: str
    size: int
    received_at: datetime
    processed_at: datetime | None
    issue: str | None  # the issue key


class InboundMessageList(BaseModel):
    items: list[InboundMessageOut]
    next_cursor: str | None


class IntegrationIn(BaseModel):
    slug: Text = Field(min_length=1, max_length=50)
    source: Text
    organization_id: RowId | None = None
    resolve_mode: Text = "resolve"
    customer_label: Text = Field(default="customer", min_length=1, max_length=100)


class IntegrationOut(BaseModel):
    id: int
    slug: str
    source: str
    organization_id: int | None
    resolve_mode: str
    customer_label: str
    url: str
    secret: str | None = None  # shown once, when created or rotated


class SimilarIssueOut(BaseModel):
    key: str
    title: str
    status: str
    score: float


class ReviewsIn(BaseModel):
    source: Text = Field(default="app_store", min_length=1, max_length=50)
    data: Text = Field(min_length=1, max_length=5_000_000)  # the export file's text, CSV or JSON


class ReviewsImported(BaseModel):
    issues: int
    ignored: int
    already_imported: int
