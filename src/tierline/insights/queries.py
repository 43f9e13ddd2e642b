"""The flow metrics, read from the fact rows: inflow, response and resolution times, escalation
rate per tier, reopen rate, SLA compliance. Each takes `Filters` and returns plain rows (dicts);
the long tail, hotspots and customer health are in `impact.py`, the tables that name them all in
`tables.py`.

A period is the issues *created* in it (`since` to `until`, both days included, UTC)."""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from tierline.errors import InvalidInput

from .models import IssueFact, SlaOutcome
from .stats import summarise

DEFAULT_WEEKS = 26
TIERS = range(1, 6)
BREAKDOWNS = {"priority": "priority", "tier": "max_tier", "team": "team_id"}


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    organization_id: int | None = None
    team_id: int | None = None
    component_id: int | None = None

    def as_params(self) -> dict:
        return {k: str(v) for k, v in asdict(self).items() if v is not None}


def _day(params, name: str, errors: dict) -> date | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "a date written YYYY-MM-DD"
        return None


def _id(params, name: str, errors: dict) -> int | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        errors[name] = "a row id"
        return None
    return int(value)


def parse_filters(params, *, today: date | None = None) -> Filters:
    """Filters from query parameters; the default period is the last DEFAULT_WEEKS weeks."""
    today = today or timezone.now().date()
    errors: dict[str, str] = {}
    until = _day(params, "until", errors) or today
    since = _day(params, "since", errors) or until - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    ids = {name: _id(params, name, errors) for name in ("organization_id", "team_id", "component_id")}
    if not errors and since > until:
        errors["since"] = "on or before until"
    if errors:
        raise InvalidInput("Invalid filters", errors)
    return Filters(since=since, until=until, **ids)


def period_range(filters: Filters) -> tuple[datetime, datetime]:
    """The period as [start, end) in UTC."""
    return (datetime.combine(filters.since, time.min, tzinfo=UTC),
            datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC))


def facts_in(filters: Filters, *, period: bool = True) -> QuerySet:
    facts = IssueFact.objects.all()
    if period:
        start, end = period_range(filters)
        facts = facts.filter(created_at__gte=start, created_at__lt=end)
    for name in ("organization_id", "team_id", "component_id"):
        if getattr(filters, name) is not None:
            facts = facts.filter(**{name: getattr(filters, name)})
    return facts


def weeks_of(filters: Filters) -> list[date]:
    first = filters.since - timedelta(days=filters.since.weekday())
    return [first + timedelta(weeks=n) for n in range((filters.until - first).days // 7 + 1)]


def inflow(filters: Filters, by: str = "channel") -> list[dict]:
    """Issues created per week and channel (or component id), zero weeks left out."""
    field = {"channel": "channel", "component": "component_id"}[by]
    rows = (facts_in(filters).order_by().values("created_week", field).annotate(issues=Count("pk"))
            .order_by("created_week", field))
    return [{"week": r["created_week"], by: r[field], "issues": r["issues"]} for r in rows]


def response_times(filters: Filters, by: str = "priority") -> list[dict]:
    """Count, median and 90th percentile of first response and resolution minutes per group."""
    groups = summarise(facts_in(filters), BREAKDOWNS[by], ("first_response_minutes", "resolution_minutes"))
    rows = []
    for key in sorted(groups, key=lambda k: (k is None, k)):
        issues, summaries = groups[key]
        first, resolved = summaries["first_response_minutes"], summaries["resolution_minutes"]
        rows.append({by: key, "issues": issues,
                     "responded": first.count, "first_response_median": first.median, "first_response_p90": first.p90,
                     "resolved": resolved.count, "resolution_median": resolved.median,
                     "resolution_p90": resolved.p90})
    return rows


def escalation_rates(filters: Filters) -> list[dict]:
    """Per tier: issues that stood at it, how many were escalated above it, the share."""
    sums = {}
    for tier in TIERS:
        bit = 1 << tier
        sums[f"reached_{tier}"] = Sum(F("tiers_reached").bitand(bit) / bit)
        sums[f"escalated_{tier}"] = Sum(F("tiers_escalated_from").bitand(bit) / bit)
    totals = facts_in(filters).order_by().aggregate(**sums)
    rows = []
    for tier in TIERS:
        reached, escalated = totals[f"reached_{tier}"] or 0, totals[f"escalated_{tier}"] or 0
        rows.append({"tier": tier, "reached": reached, "escalated": escalated, "rate": _share(escalated, reached)})
    return rows


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def reopen_rates(filters: Filters) -> list[dict]:
    """Per week of creation: issues, how many were reopened at least once, reopenings, the share."""
    rows = (facts_in(filters).order_by().values("created_week")
            .annotate(issues=Count("pk"), reopened=Count("pk", filter=Q(reopen_count__gt=0)),
                      reopenings=Sum("reopen_count")).order_by("created_week"))
    return [{"week": r["created_week"], "issues": r["issues"], "reopened": r["reopened"],
             "reopenings": r["reopenings"] or 0, "rate": _share(r["reopened"], r["issues"])} for r in rows]


def sla_compliance(filters: Filters) -> list[dict]:
    """Per clock kind and priority: clocks met, breached, still running; met / (met + breached)."""
    kinds = ("first_response", "next_response", "resolution")
    counts = {f"{kind}__{outcome}": Count("pk", filter=Q(**{f"{kind}_sla": outcome}))
              for kind in kinds for outcome in (SlaOutcome.MET, SlaOutcome.BREACHED, SlaOutcome.RUNNING)}
    by_priority = facts_in(filters).order_by().values("priority").annotate(**counts).order_by("priority")
    rows = []
    for kind in kinds:
        for c in by_priority:
            met, breached, running = (c[f"{kind}__{o}"] for o in (SlaOutcome.MET, SlaOutcome.BREACHED,
                                                                  SlaOutcome.RUNNING))
            if met or breached or running:
                rows.append({"kind": kind, "priority": c["priority"], "met": met, "breached": breached,
                             "running": running, "compliance": _share(met, met + breached)})
    return rows


def satisfaction(filters: Filters) -> list[dict]:
    """Per week of rating (not of creation: a rating is news when it comes): ratings, good, bad and
    the share good, from the survey after each resolution. The team is the one rated."""
    from tierline.notify.csat import weekly_tally
    from tierline.notify.models import SatisfactionRating

    start, end = period_range(filters)
    ratings = SatisfactionRating.objects.filter(rated_at__gte=start, rated_at__lt=end)
    for name, field in (("organization_id", "issue__organization_id"), ("team_id", "team_id"),
                        ("component_id", "issue__component_id")):
        if getattr(filters, name) is not None:
            ratings = ratings.filter(**{field: getattr(filters, name)})
    return [{"week": week, "ratings": total, "good": good, "bad": total - good, "rate": _share(good, total)}
            for week, total, good in weekly_tally(ratings)]
