"""Request and response schemas of /api/v1/feature-requests and /issues/{key}/feature-request."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, StrictBool

from tierline.accounts.schemas import UserRef
from tierline.issues.schemas import Ref
from tierline.schemas import RowId, Text

from .models import RequestStatus

StatusIn = Literal[tuple(RequestStatus.values)]  # type: ignore[valid-type]


class FeatureRequestIn(BaseModel):
    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=100_000)
    component_id: RowId | None = None
    status: StatusIn = "open"


class FeatureRequestPatch(BaseModel):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = Field(default=None, max_length=100_000)
    component_id: RowId | None = None
    status: StatusIn | None = None


class FeatureRequestSummary(BaseModel):
    id: int
    key: str
    title: str
    status: str
    url: str


class FeatureRequestOut(FeatureRequestSummary):
    description: str
    component: Ref | None
    created_at: datetime
    updated_at: datetime
    shipped_at: datetime | None
    # A merged request answers as merged: the request that now holds its issues.
    merged_into: FeatureRequestSummary | None
    merged_by: UserRef | None
    merged_at: datetime | None
    merge_reason: str
    customers: int  # distinct organizations asking
    issues: int
    arr: Decimal  # the ARR of the distinct organizations asking, each counted once
    open_deals: Decimal  # their open deal value
    last_asked_at: datetime | None


class AskingIssue(BaseModel):
    key: str
    title: str
    status: str
    requester: str  # as the reader may see people (masked unless unmasked)
    told_at: datetime | None


class AskerOut(BaseModel):
    organization: Ref | None
    annual_revenue: Decimal
    open_deal_value: Decimal
    issues: list[AskingIssue]


class FeatureRequestDetail(FeatureRequestOut):
    askers: list[AskerOut]
    to_tell: int  # issues not told yet that the request shipped


class FeatureRequestList(BaseModel):
    items: list[FeatureRequestOut]


class MergeIn(BaseModel):
    into_id: RowId
    reason: Text = Field(min_length=1, max_length=5000)


class TellIn(BaseModel):
    body: Text = Field(default="", max_length=20_000)  # the default reply names the request
    resolve: StrictBool | None = None  # default: TIERLINE_FEATURE_REQUEST_RESOLVE_ON_TELL


class TellOut(BaseModel):
    told: int
    request: FeatureRequestDetail


class IssueRequestIn(BaseModel):
    """An existing request by id, or a new one (its title and description default to the issue's)."""

    request_id: RowId | None = None
    title: Text = Field(default="", max_length=300)
    description: Text = Field(default="", max_length=100_000)


class IssueRequestOut(BaseModel):
    issue: str
    request: FeatureRequestSummary | None
