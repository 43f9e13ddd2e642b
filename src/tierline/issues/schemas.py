from datetime import datetime

from pydantic import BaseModel, Field, StrictBool, StrictInt

from tierline.accounts.schemas import UserRef
from tierline.schemas import RowId, Text

# Plain pydantic models, not ninja's Schema: ninja's adapter reads attributes off any object (so a
# JSON string body would pass as an issue), and it costs more than the database on a 50-row page.


class Ref(BaseModel):
    id: int
    name: str


class IssueOut(BaseModel):
    key: str
    title: str
    description: str
    channel: str
    status: str
    severity: int
    priority: int
    priority_explanation: str
    labels: list[str]
    affected_users: int | None
    tier: int
    organization: Ref | None
    requester: Ref | None
    assignee: UserRef | None
    team: Ref | None
    component: Ref | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    url: str


class IssueList(BaseModel):
    items: list[IssueOut]
    next_cursor: str | None


class UploadIn(BaseModel):
    filename: Text = Field(min_length=1, max_length=255)
    content_type: Text = Field(default="application/octet-stream", max_length=100)
    content_base64: Text


class IssueIn(BaseModel):
    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=100_000)
    channel: Text = "api"
    severity: StrictInt = Field(default=3, ge=1, le=4)
    priority: StrictInt | None = Field(default=None, ge=0, le=3)
    tier: StrictInt = Field(default=1, ge=1, le=5)
    organization_id: RowId | None = None
    requester_id: RowId | None = None
    component_id: RowId | None = None
    team_id: RowId | None = None
    assignee_id: RowId | None = None
    attachments: list[UploadIn] = []
    affected_users: StrictInt | None = Field(default=None, ge=0, le=1_000_000_000)
    labels: list[Text] = Field(default=[], max_length=20)


class IssuePatch(BaseModel):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = Field(default=None, max_length=100_000)
    status: Text | None = None
    severity: StrictInt | None = Field(default=None, ge=1, le=4)
    priority: StrictInt | None = Field(default=None, ge=0, le=3)
    tier: StrictInt | None = Field(default=None, ge=1, le=5)
    assignee_id: RowId | None = None
    team_id: RowId | None = None
    component_id: RowId | None = None
    affected_users: StrictInt | None = Field(default=None, ge=0, le=1_000_000_000)
    labels: list[Text] | None = Field(default=None, max_length=20)


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class CommentOut(BaseModel):
    id: int
    body: str
    is_public: bool
    author: str
    author_kind: str
    channel: str
    created_at: datetime
    attachments: list[AttachmentOut]


class CommentIn(BaseModel):
    body: Text = Field(default="", max_length=100_000)
    is_public: StrictBool = True
    attachments: list[UploadIn] = []
