"""Request and response schemas of /api/v1/articles."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tierline.issues.schemas import Ref
from tierline.schemas import RowId, Text

from .models import ArticleStatus, Visibility

VisibilityIn = Literal[tuple(Visibility.values)]  # type: ignore[valid-type]
StatusIn = Literal[tuple(ArticleStatus.values)]  # type: ignore[valid-type]


class ArticleIn(BaseModel):
    """A new article, or a draft pre-filled from a resolved issue (`from_issue`, its key) or a
    problem (`from_problem_id`); a draft from a source takes its title unless one is given."""

    title: Text = Field(default="", max_length=300)
    body: Text = Field(default="", max_length=200_000)
    visibility: VisibilityIn = "internal"
    status: StatusIn = "draft"
    component_id: RowId | None = None
    from_issue: Text | None = Field(default=None, max_length=40)
    from_problem_id: RowId | None = None


class ArticlePatch(BaseModel):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    body: Text | None = Field(default=None, max_length=200_000)
    visibility: VisibilityIn | None = None
    status: StatusIn | None = None
    component_id: RowId | None = None


class ArticleOut(BaseModel):
    id: int
    title: str
    body: str  # Markdown
    html: str  # the body rendered, raw HTML escaped
    visibility: str
    status: str
    component: Ref | None
    source_issue: str | None  # the issue key
    source_problem_id: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    portal_url: str | None  # where customers read it (public and published only)
    suggestion_opens: int | None  # anonymous counts, for staff only
    deflections: int | None


class ArticleList(BaseModel):
    items: list[ArticleOut]
    next_cursor: str | None


class SuggestionOut(BaseModel):
    id: int
    title: str
    summary: str
    visibility: str
    portal_url: str | None


class SuggestionList(BaseModel):
    items: list[SuggestionOut]
