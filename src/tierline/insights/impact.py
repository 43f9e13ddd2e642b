"""Where the pain is: the long tail of old open issues, component hotspots, customer health.

Customer impact of an issue is its organization's weight: importance (strategic 5, key 3,
standard 1) times (1 + ARR / 1,000,000), so a strategic customer paying 2M counts 15 standard ones
without revenue. An issue without an organization weighs 1.

A hotspot's score adds up, over its issues, impact x (1 + REPEAT_WEIGHT if the issue is linked to a
problem shared with another issue in the period (the same root cause again) + REOPEN_WEIGHT per
reopening): the technical-debt signal is volume that keeps coming back, where it hurts most.
Customer health is, per organization, (issues + BREACH_WEIGHT x SLA clocks breached) x impact.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from tierline.customers.models import Organization
from tierline.issues.models import Component

from .queries import Filters, facts_in

IMPORTANCE_WEIGHT = {"strategic": 5, "key": 3, "standard": 1}
REPEAT_WEIGHT, REOPEN_WEIGHT, BREACH_WEIGHT = 2, 2, 2
LONG_TAIL_DAYS = (30, 60, 180)
LONG_TAIL_LIMIT = 200


def impact_of(importance: str, annual_revenue: Decimal | float) -> float:
    return IMPORTANCE_WEIGHT.get(importance, 1) * (1 + float(annual_revenue) / 1_000_000)


def _organizations(ids) -> dict[int, Organization]:
    return {o.pk: o for o in Organization.objects.filter(pk__in=[i for i in ids if i is not None])
            .only("name", "importance", "annual_revenue")}


def long_tail_counts(filters: Filters, now: datetime | None = None) -> list[dict]:
    """Open issues older than 30, 60 and 180 days (whenever created: the period does not apply)."""
    now = now or timezone.now()
    open_facts = facts_in(filters, period=False).filter(is_open=True).order_by()
    counts = open_facts.aggregate(**{f"over_{d}": Count("pk", filter=Q(created_at__lt=now - timedelta(days=d)))
                                     for d in LONG_TAIL_DAYS})
    return [{"older_than_days": d, "open_issues": counts[f"over_{d}"]} for d in LONG_TAIL_DAYS]


def long_tail(filters: Filters, now: datetime | None = None, *, limit: int = LONG_TAIL_LIMIT) -> list[dict]:
    """The open issues older than 30 days, oldest first, with their hand-offs and teams."""
    now = now or timezone.now()
    facts = (facts_in(filters, period=False).filter(is_open=True, created_at__lt=now - timedelta(days=30))
             .select_related("issue", "organization", "team", "component").order_by("created_at", "issue_id")[:limit])
    return [{"key": f.issue.key, "title": f.issue.title, "organization": f.organization.name if f.organization else "",
             "component": f.component.name if f.component else "", "team": f.team.name if f.team else "",
             "tier": f.tier, "priority": f.priority, "age_days": (now - f.created_at).days,
             "hand_offs": f.hand_offs, "teams_touched": f.teams_touched} for f in facts]


def hotspots(filters: Filters) -> list[dict]:
    """Components ranked by score (see the module's docstring), highest first."""
    facts = facts_in(filters).order_by()
    shared = (facts.filter(problem_id__isnull=False).values("problem_id").annotate(n=Count("pk"))
              .filter(n__gte=2).values("problem_id"))
    cells = (facts.values("component_id", "organization_id")
             .annotate(issues=Count("pk"), repeats=Count("pk", filter=Q(problem_id__in=shared)),
                       reopenings=Sum("reopen_count")))
    cells = list(cells)
    organizations = _organizations({c["organization_id"] for c in cells})
    totals = defaultdict(lambda: dict.fromkeys(("issues", "repeat_issues", "reopenings", "weighted_issues",
                                                "weighted_repeats", "weighted_reopenings"), 0))
    for cell in cells:
        org = organizations.get(cell["organization_id"])
        weight = impact_of(org.importance, org.annual_revenue) if org else 1
        total, reopenings = totals[cell["component_id"]], cell["reopenings"] or 0
        total["issues"] += cell["issues"]
        total["repeat_issues"] += cell["repeats"]
        total["reopenings"] += reopenings
        total["weighted_issues"] += cell["issues"] * weight
        total["weighted_repeats"] += REPEAT_WEIGHT * cell["repeats"] * weight
        total["weighted_reopenings"] += REOPEN_WEIGHT * reopenings * weight
    names = dict(Component.objects.filter(pk__in=[k for k in totals if k]).values_list("pk", "name"))
    rows = []
    for component_id, total in totals.items():
        score = total["weighted_issues"] + total["weighted_repeats"] + total["weighted_reopenings"]
        rows.append({"component_id": component_id, "component": names.get(component_id, "(none)"),
                     **{k: round(v, 1) if k.startswith("weighted") else v for k, v in total.items()},
                     "score": round(score, 1)})
    return sorted(rows, key=lambda r: (-r["score"], r["component"]))


def customer_health(filters: Filters) -> list[dict]:
    """Per organization: issues, open ones, SLA clocks breached, and the weighted score, worst first."""
    rows = (facts_in(filters).order_by().filter(organization_id__isnull=False).values("organization_id")
            .annotate(issues=Count("pk"), open_issues=Count("pk", filter=Q(is_open=True)),
                      breaches=Sum("breached_clocks")))
    rows = list(rows)
    organizations = _organizations({r["organization_id"] for r in rows})
    health = []
    for row in rows:
        org = organizations[row["organization_id"]]
        impact = impact_of(org.importance, org.annual_revenue)
        breaches = row["breaches"] or 0
        health.append({"organization_id": org.pk, "organization": org.name, "importance": org.importance,
                       "annual_revenue": float(org.annual_revenue), "issues": row["issues"],
                       "open_issues": row["open_issues"], "sla_breaches": breaches,
                       "score": round((row["issues"] + BREACH_WEIGHT * breaches) * impact, 1)})
    return sorted(health, key=lambda r: (-r["score"], r["organization"]))

