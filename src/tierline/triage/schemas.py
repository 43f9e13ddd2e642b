from pydantic import BaseModel, Field, StrictInt


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
    reason: str = Field(default="", max_length=500)


class RuleVersionsOut(BaseModel):
    current: str
    versions: list[str]
    changelog: list[str]
