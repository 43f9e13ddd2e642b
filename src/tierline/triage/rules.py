"""Priority rule sets: explicit data with a version, and the one function that applies them.

Each issue stores the version that scored it, so "why is this P1?" has an answer even after
the rules change. Add a new RuleSet (never edit a released one) and a CHANGELOG line.

CHANGELOG
- 2026-11-01: severity alone (S1 -> P0 ... S4 -> P3), the desk's behaviour before triage.
- 2026-11-27: impact-weighted: severity, users affected, the channel's alert level, and the
  customer's importance, annual recurring revenue, renewal within 90 days and open deal.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class PriorityInputs:
    """Everything a rule set may look at, detached from the ORM (cheap to build and to test)."""

    severity: int
    affected_users: int | None = None
    alert_level: str = ""
    importance: str | None = None  # None: no organization
    annual_revenue: Decimal = Decimal(0)
    renewal_date: date | None = None
    open_deal_value: Decimal = Decimal(0)
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class PriorityResult:
    priority: int
    score: int
    explanation: str
    version: str


@dataclass(frozen=True)
class RuleSet:
    version: str
    severity_points: dict[int, int]
    # Lowest score of P0, P1, P2; anything below is P3.
    bands: tuple[int, int, int]
    users_points: tuple[tuple[int, int], ...] = ()  # (at least this many users, points), largest first
    alert_points: dict[str, int] = field(default_factory=dict)
    importance_points: dict[str, int] = field(default_factory=dict)
    revenue_points: tuple[tuple[int, int], ...] = ()  # (ARR at least, points), largest first
    renewal_window_days: int = 0
    renewal_points: int = 0
    open_deal_points: int = 0

    def compute(self, inputs: PriorityInputs) -> PriorityResult:
        score = self.severity_points[inputs.severity]
        reasons: list[str] = []
        who = ""
        if inputs.importance is not None and self.importance_points:
            score += self.importance_points.get(inputs.importance, 0)
            who = f" for a {inputs.importance} customer"
        for threshold, points in self.revenue_points:
            if inputs.annual_revenue >= threshold:
                score += points
                reasons.append(f"ARR {_money(inputs.annual_revenue)}")
                break
        if self.renewal_points and inputs.renewal_date is not None:
            days = (inputs.renewal_date - inputs.today).days
            if 0 <= days <= self.renewal_window_days:
                score += self.renewal_points
                reasons.insert(0, f"renewing in {days} day{'s' if days != 1 else ''}")
        if self.open_deal_points and inputs.open_deal_value > 0:
            score += self.open_deal_points
            reasons.append(f"open deal {_money(inputs.open_deal_value)}")
        for threshold, points in self.users_points:
            if (inputs.affected_users or 0) >= threshold:
                score += points
                reasons.append(f"{inputs.affected_users} users affected")
                break
        if inputs.alert_level in self.alert_points:
            score += self.alert_points[inputs.alert_level]
            reasons.append(f"{inputs.alert_level} alert")
        priority = next((p for p, lowest in enumerate(self.bands) if score >= lowest), 3)
        explanation = f"P{priority}: S{inputs.severity}{who}"
        if reasons:
            explanation += f" {reasons[0]}" if reasons[0].startswith("renewing") else f", {reasons[0]}"
            explanation += "".join(f", {r}" for r in reasons[1:])
        return PriorityResult(priority=priority, score=score, explanation=explanation, version=self.version)


def _money(value: Decimal) -> str:
    value = int(value)
    if value >= 1_000_000:
        return f"${value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"${value // 1_000}k"
    return f"${value}"


RULESETS: dict[str, RuleSet] = {
    rules.version: rules
    for rules in (
        RuleSet(version="2026-11-01", severity_points={1: 80, 2: 55, 3: 30, 4: 0}, bands=(80, 55, 30)),
        RuleSet(
            version="2026-11-27",
            severity_points={1: 80, 2: 45, 3: 30, 4: 5},
            bands=(80, 55, 30),
            users_points=((1000, 20), (100, 10), (10, 5)),
            alert_points={"critical": 15, "error": 10, "warning": 5},
            importance_points={"strategic": 10, "key": 5, "standard": 0},
            revenue_points=((1_000_000, 10), (250_000, 5)),
            renewal_window_days=90,
            renewal_points=10,
            open_deal_points=5,
        ),
    )
}
CURRENT_VERSION = "2026-11-27"


def current_rules() -> RuleSet:
    return RULESETS[CURRENT_VERSION]
