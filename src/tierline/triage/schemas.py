from pydantic import BaseModel, Field, StrictBool, StrictInt

from tierline.issues.schemas import Ref
from tierline.schemas import RowId, Text


class OverrideOut(BaseModel):
    priority: int
    reason: str
    by: str | None


class PriorityOut(BaseModel):
    priority: int
    computed_priority: int | None
    score: int
    explanation: str
    rules_version: str
    override: OverrideOut | None


class OverrideIn(BaseModel):
    """`priority: null` removes the override and goes back to the computed priority."""

    priority: StrictInt | None = Field(ge=0, le=3)
    reason: Text = Field(default="", max_length=500)


class RuleVersionsOut(BaseModel):
    current: str
    versions: list[str]
    changelog: list[str]


class RoutingRuleOut(BaseModel):
    id: int
    name: str
    position: int
    keywords: list[str]
    labels: list[str]
    team: Ref
    is_active: bool


class RoutingRuleIn(BaseModel):
    """A new issue goes to `team_id` when its title or description holds any keyword, or it carries
    any label; rules are tried by `position` (lowest first), the first match wins."""

    name: Text = Field(min_length=1, max_length=100)
    team_id: RowId
    keywords: list[Text] = Field(default=[], max_length=50)
    labels: list[Text] = Field(default=[], max_length=20)
    position: StrictInt = Field(default=100, ge=0, le=1_000_000)
    is_active: StrictBool = True


class RoutingRulePatch(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=100)
    team_id: RowId | None = None
    keywords: list[Text] | None = Field(default=None, max_length=50)
    labels: list[Text] | None = Field(default=None, max_length=20)
    position: StrictInt | None = Field(default=None, ge=0, le=1_000_000)
    is_active: StrictBool | None = None
