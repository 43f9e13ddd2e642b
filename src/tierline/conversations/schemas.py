"""Request and response bodies of the conversations API."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictStr

from tierline.schemas import RowId


class ChatKeyIn(BaseModel):
    organization_id: RowId | None = None  # empty: a product-wide key that may sign for any organization
    product: StrictStr = Field(default="", max_length=100)


class ChatKeyOut(BaseModel):
    id: int
    key_id: str
    organization_id: int | None
    product: str
    created_at: datetime
    secret: str | None = None  # shown once, when created or rotated


class LiveConversationOut(BaseModel):
    key: str
    title: str
    status: str
    organization_id: int | None
    customer: str
    is_verified: bool
    is_online: bool
    waiting_seconds: int | None  # None when an agent answered last
    page_url: str
    app_version: str
