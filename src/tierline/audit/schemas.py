import re
from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator


def _iso_only(value):
    # pydantic would read a number as seconds since 1970; a time here is ISO 8601 text.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\d", value):
        raise ValueError("a time is written YYYY-MM-DDTHH:MM:SS")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_email: str
    action: str
    organization_id: int | None
    target_type: str
    target_id: str
    reason: str
    ip_address: str | None
    user_agent: str
    data: dict
    prev_hash: str
    entry_hash: str


class AuditList(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None


class AuditExport(Schema):
    items: list[AuditEntryOut]
    truncated: bool


class AccessOut(Schema):
    """One look at an organization's personal data, as its customers see it."""

    created_at: datetime
    who: str
    action: str
    reason: str
    issue: str


class AccessList(Schema):
    items: list[AccessOut]
    next_cursor: str | None
