"""Reads for the notify app's pages and endpoints, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from tierline.escalation.models import Problem

from .fixes import issues_to_tell
from .models import DeliveryStatus, FixRelease, ProblemNotice, SatisfactionRating, WebhookDelivery, WebhookEndpoint

NEWEST_FIRST = (("rated_at", True), ("id", True))
DELIVERIES_NEWEST_FIRST = (("created_at", True), ("id", True))


@dataclass(frozen=True)
class FixState:
    release: FixRelease | None
    linked: int
    told: int
    to_tell: int


def fix_state(problem: Problem) -> FixState:
    release = FixRelease.objects.select_related("shipped_by").filter(problem=problem).first()
    return FixState(release=release, linked=problem.links.count(),
                    told=ProblemNotice.objects.filter(release=release).count() if release else 0,
                    to_tell=issues_to_tell(problem).count())


def fix_notice_for(issue) -> ProblemNotice | None:
    """The latest shipped fix an issue's customer was told of, for the portal's notice."""
    return (ProblemNotice.objects.select_related("release").filter(issue=issue)
            .order_by("-told_at", "-id").first())


@dataclass(frozen=True)
class SatisfactionFilters:
    rating: str = ""
    team_id: int | None = None
    organization_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_satisfaction(filters: SatisfactionFilters) -> QuerySet:
    rows = SatisfactionRating.objects.select_related("issue__organization", "team")
    if filters.rating:
        rows = rows.filter(rating=filters.rating)
    if filters.team_id:
        rows = rows.filter(team_id=filters.team_id)
    if filters.organization_id:
        rows = rows.filter(issue__organization_id=filters.organization_id)
    if filters.since:
        rows = rows.filter(rated_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(rated_at__lt=filters.until)
    return rows


def issue_satisfaction(issue) -> list[SatisfactionRating]:
    return list(SatisfactionRating.objects.select_related("issue__organization", "team")
                .filter(issue=issue).order_by("resolved_at", "id"))


def list_webhooks() -> QuerySet:
    return WebhookEndpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    ).order_by("name", "id")


def get_webhook(webhook_id: int) -> WebhookEndpoint | None:
    return list_webhooks().filter(pk=webhook_id).first() if 0 < webhook_id < 2**63 else None


def list_deliveries(endpoint: WebhookEndpoint, status: str = "") -> QuerySet:
    rows = WebhookDelivery.objects.filter(endpoint=endpoint)
    return rows.filter(status=status) if status else rows
