"""Request and response shapes of the back office API (customer profile, unmask, configuration)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BaseModel, Field
from pydantic import StrictStr as _StrictStr


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters: refuse them here rather than fail on save.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


StrictStr = Annotated[_StrictStr, AfterValidator(_no_nul)]


class ContactShown(Schema):
    id: int
    name: str
    email: str
    phone: str


class EnvironmentFactOut(Schema):
    name: str
    value: Any
    source: str
    observed_at: str | None


class IssueRow(Schema):
    key: str
    title: str
    status: str
    priority: int
    tier: int
    channel: str
    created_at: datetime
    updated_at: datetime


class ConfigurationValue(Schema):
    path: str
    value: Any
    sensitivity: str


class UnmaskGrantOut(Schema):
    id: int
    organization_id: int
    requested_by: str
    issue: str
    reason: str
    created_at: datetime
    needs_approval: bool
    approved_by: str | None
    expires_at: datetime | None
    is_active: bool


class ProfileOut(Schema):
    id: int
    name: str
    plan: str
    importance: str
    annual_revenue: Decimal
    renewal_date: date | None
    open_deal_value: Decimal
    notes: str
    email_domains: list[str]
    unmask_needs_approval: bool
    contacts: list[ContactShown]
    environment: list[EnvironmentFactOut]
    open_issues: list[IssueRow]
    recent_issues: list[IssueRow]
    open_alerts: list[IssueRow]
    configuration: list[ConfigurationValue]
    configuration_received_at: datetime | None
    unmasked: bool
    unmasked_until: datetime | None
    pending_unmask_grants: list[UnmaskGrantOut]


class UnmaskIn(BaseModel):
    issue: StrictStr = Field(min_length=1, max_length=30, description="key of an open issue of the organization")
    reason: StrictStr = Field(min_length=1, max_length=2000)


class SnapshotOut(Schema):
    id: int
    received_at: datetime
    created: bool
    changes: int


class SnapshotSummary(Schema):
    id: int
    received_at: datetime
    changes: int


class ConfigurationChange(Schema):
    path: str
    change: str
    before: Any = None
    after: Any = None
    sensitivity: str


class ConfigurationDiff(Schema):
    from_id: int | None
    to_id: int
    to_received_at: datetime
    changes: list[ConfigurationChange]


class IssueConfigurationChange(Schema):
    issue: str
    issue_created_at: datetime
    change: ConfigurationDiff | None


class EnvironmentIn(BaseModel):
    facts: dict[StrictStr, StrictStr] = Field(max_length=100)
    source: StrictStr = "questionnaire"


class SensitivityRuleIn(BaseModel):
    pattern: StrictStr = Field(min_length=1, max_length=200)
    sensitivity: StrictStr


class SensitivityRuleOut(Schema):
    pattern: str
    sensitivity: str
