from datetime import date
from decimal import Decimal

from ninja import Schema
from pydantic import BaseModel, Field, StrictBool

from tierline.schemas import IsoDate, RowId, Text


class OrganizationOut(Schema):
    id: int
    name: str
    email_domains: list[str]
    plan: str
    annual_revenue: Decimal
    importance: str
    renewal_date: date | None
    open_deal_value: Decimal
    notes: str
    unmask_needs_approval: bool


class OrganizationIn(BaseModel):
    name: Text = Field(min_length=1, max_length=200)
    email_domains: list[Text] = []
    plan: Text = "team"
    annual_revenue: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    importance: Text = "standard"
    renewal_date: IsoDate | None = None
    open_deal_value: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    notes: Text = ""
    unmask_needs_approval: StrictBool = False


class OrganizationPatch(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    email_domains: list[Text] | None = None
    plan: Text | None = None
    annual_revenue: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    importance: Text | None = None
    renewal_date: IsoDate | None = None
    open_deal_value: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    notes: Text | None = None
    unmask_needs_approval: StrictBool | None = None


class OrganizationList(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class ContactOut(Schema):
    id: int
    email: str
    name: str
    phone: str
    organization_id: int | None


class ContactIn(BaseModel):
    email: Text = Field(min_length=3, max_length=254)
    name: Text = Field(default="", max_length=200)
    phone: Text = Field(default="", max_length=50)
    organization_id: RowId | None = None


class ContactList(Schema):
    items: list[ContactOut]
    next_cursor: str | None
