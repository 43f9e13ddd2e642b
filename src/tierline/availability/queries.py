"""Reads for availability: outages as `slo.Span`s, the objective that applies to a customer or a
component, and their numbers (`Report`) for the pages and the API.

The outages of a window are read once (four queries whatever their number) and every subject's
numbers are computed from them in memory, so the overview of every customer and component costs
the same few queries as one customer's panel.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from tierline.accounts.permissions import has_perm, scope_organizations
from tierline.customers.models import Organization
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.issues.models import Component, Issue, format_issue_key

from .models import Objective, Outage
from .slo import BURN_WINDOWS, Budget, Day, Period, Span, daily, measure

ROLLING_DAYS = 30
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
REFUSALS = {"availability.view": "Only staff see availability", "outage.manage": "Your role may not manage outages",
            "availability.configure": "Only admins change availability objectives"}


def check_permission(user, permission: str = "availability.view") -> None:
    if not has_perm(user, permission):
        raise PermissionDenied(REFUSALS[permission])


def parse_month(text: str | None, now: datetime | None = None) -> Period:
    """`2026-11` -> that month (UTC); empty -> the current month."""
    now = now or timezone.now()
    if not text:
        return Period.month(now.year, now.month)
    found = MONTH.match(text.strip()[:7]) if len(text) <= 7 else None
    if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2100:
        raise InvalidInput("Invalid month", {"month": "a month written YYYY-MM, e.g. 2026-11"})
    return Period.month(int(found[1]), int(found[2]))


def outages_between(start: datetime, end: datetime):
    return Outage.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start), started_at__lt=end)


def with_scope(outages):
    return outages.prefetch_related(
        Prefetch("organizations", queryset=Organization.objects.only("id", "name")),
        Prefetch("components", queryset=Component.objects.only("id", "name")),
        Prefetch("issues", queryset=Issue.objects.only("id", "organization_id").order_by("id")),
    )


def load_spans(period: Period, as_of: datetime) -> list[Span]:
    """Every outage overlapping the period, the rolling 30 days or the burn windows before `as_of`:
    the outages and their three scope tables as plain rows (four queries, no model per link)."""
    start = min(period.start, as_of - timedelta(days=ROLLING_DAYS), as_of - timedelta(hours=max(BURN_WINDOWS)))
    rows = list(outages_between(start, max(period.end, as_of)).values_list(
        "id", "started_at", "ended_at", "is_global", "title"))
    ids = [row[0] for row in rows]
    organizations, components, issues = defaultdict(set), defaultdict(set), defaultdict(list)
    for outage_id, organization_id in Outage.organizations.through.objects.filter(
            outage_id__in=ids).values_list("outage_id", "organization_id"):
        organizations[outage_id].add(organization_id)
    for outage_id, component_id in Outage.components.through.objects.filter(
            outage_id__in=ids).values_list("outage_id", "component_id"):
        components[outage_id].add(component_id)
    for outage_id, issue_id, organization_id in Outage.issues.through.objects.filter(
            outage_id__in=ids).order_by("issue_id").values_list("outage_id", "issue_id", "issue__organization_id"):
        issues[outage_id].append((format_issue_key(issue_id), organization_id))
    return [Span(id=pk, start=started, end=ended, is_global=is_global, title=title,
                 organization_ids=frozenset(organizations[pk]), component_ids=frozenset(components[pk]),
                 issues=tuple(issues[pk])) for pk, started, ended, is_global, title in rows]


@dataclass(frozen=True)
class Target:
    percent: Decimal
    source: str  # "customer", "plan team", "component", "default"


def objectives() -> dict:
    """Every stored objective by subject: ("plan", "team"), ("organization", 3), ("component", 7)."""
    found = {}
    for o in Objective.objects.all():
        key = ("plan", o.plan) if o.plan else ("organization", o.organization_id) if o.organization_id \
            else ("component", o.component_id)
        found[key] = o.target
    return found


def target_for_organization(organization: Organization, stored: dict) -> Target:
    if ("organization", organization.pk) in stored:
        return Target(stored[("organization", organization.pk)], "customer")
    if ("plan", organization.plan) in stored:
        return Target(stored[("plan", organization.plan)], f"plan {organization.plan}")
    default = settings.AVAILABILITY_PLAN_OBJECTIVES.get(organization.plan, settings.AVAILABILITY_COMPONENT_OBJECTIVE)
    return Target(Decimal(default), f"plan {organization.plan} (default)")


def target_for_component(component: Component, stored: dict) -> Target:
    if ("component", component.pk) in stored:
        return Target(stored[("component", component.pk)], "component")
    return Target(Decimal(settings.AVAILABILITY_COMPONENT_OBJECTIVE), "default")


@dataclass(frozen=True)
class Report:
    kind: str  # "organization" or "component"
    id: int
    name: str
    target: Target
    month: Budget
    rolling: Budget
    days: list[Day]


def _report(kind: str, subject, target: Target, spans: list[Span], period: Period, as_of: datetime) -> Report:
    rolling = Period.rolling(as_of, ROLLING_DAYS)
    return Report(kind, subject.pk, subject.name, target, measure(spans, target.percent, period, as_of),
                  measure(spans, target.percent, rolling, as_of), daily(spans, target.percent, period, as_of))


def organization_report(organization, period: Period, as_of: datetime | None = None, *, spans=None,
                        stored=None) -> Report:
    as_of = as_of or timezone.now()
    spans = load_spans(period, as_of) if spans is None else spans
    target = target_for_organization(organization, objectives() if stored is None else stored)
    return _report("organization", organization, target, [s for s in spans if s.affects_organization(organization.pk)],
                   period, as_of)


def component_report(component, period: Period, as_of: datetime | None = None, *, spans=None,
                     stored=None) -> Report:
    as_of = as_of or timezone.now()
    spans = load_spans(period, as_of) if spans is None else spans
    target = target_for_component(component, objectives() if stored is None else stored)
    return _report("component", component, target, [s for s in spans if s.affects_component(component.pk)],
                   period, as_of)


def _once(spans: list[Span]) -> list[Span]:
    return list({s.id: s for s in spans}.values())


def overview(period: Period, as_of: datetime | None = None) -> list[Report]:
    """Every customer's and component's numbers for the month, worst first (least budget left)."""
    as_of = as_of or timezone.now()
    spans = load_spans(period, as_of)
    stored = objectives()
    # Each subject's candidates by id, so the work grows with the outages, not customers x outages.
    everyones = [s for s in spans if s.is_global or (s.component_ids and not s.organization_ids)]
    named, on_component = defaultdict(list), defaultdict(list)
    for span in spans:
        for organization_id in span.organization_ids:
            named[organization_id].append(span)
        for component_id in span.component_ids:
            on_component[component_id].append(span)
    global_spans = [s for s in spans if s.is_global]
    reports = [organization_report(o, period, as_of, spans=_once(everyones + named[o.pk]), stored=stored)
               for o in Organization.objects.only("id", "name", "plan")]
    reports += [component_report(c, period, as_of, spans=_once(global_spans + on_component[c.pk]), stored=stored)
                for c in Component.objects.only("id", "name")]
    return sorted(reports, key=lambda r: (r.month.left_percent, r.month.availability, r.kind, r.name))


def is_row_id(value: int) -> bool:
    return 0 < value < 2**63


def get_organization(user, organization_id: int) -> Organization:
    """Staff with availability.view see any customer; a customer only their own (others 404)."""
    if not has_perm(user, "availability.view") and not getattr(user, "organization_id", None):
        raise PermissionDenied(REFUSALS["availability.view"])
    organization = scope_organizations(user, Organization.objects.all()).filter(pk=organization_id).first() \
        if is_row_id(organization_id) else None
    if organization is None:
        raise NotFound("Organization not found")
    return organization


def get_component(user, component_id: int) -> Component:
    check_permission(user)
    component = Component.objects.filter(pk=component_id).first() if is_row_id(component_id) else None
    if component is None:
        raise NotFound("Component not found")
    return component


def get_outage(user, outage_id: int, permission: str = "availability.view") -> Outage:
    check_permission(user, permission)
    outage = with_scope(Outage.objects.filter(pk=outage_id)).first() if is_row_id(outage_id) else None
    if outage is None:
        raise NotFound("Outage not found")
    return outage


def list_outages(user, *, organization_id=None, component_id=None, is_open=None):
    """Newest first; filtered by an organization or component named in the scope."""
    check_permission(user)
    outages = Outage.objects.all()
    if organization_id is not None:
        outages = outages.filter(organizations=organization_id)
    if component_id is not None:
        outages = outages.filter(components=component_id)
    if is_open is not None:
        outages = outages.filter(ended_at__isnull=is_open)
    return with_scope(outages)


def outages_of_issue(issue) -> list[Outage]:
    return list(with_scope(issue.outages.all()))
