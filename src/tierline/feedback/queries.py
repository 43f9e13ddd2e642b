"""Reads for feature requests: the ranked list with each request's customers and revenue, one
request's askers, and the candidates the similar-issue search suggests for linking and merging.

Revenue counts each organization once per request, however many of its issues ask: the ARR of
the distinct organizations asking, and their open deal value beside it. The ranked list costs two
queries whatever its length (the requests, then every request's totals summed by the database).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tierline.customers.models import Organization
from tierline.errors import NotFound
from tierline.intake.similar import catch_up, rank, similar_issues
from tierline.issues.models import Issue

from .models import FeatureRequest, RequestLink

# sort name -> what orders the ranked list (largest first); the request's id breaks ties, newest first.
SORTS = {
    "arr": lambda r: (r.arr, r.customers, r.open_deals, r.request.pk),
    "customers": lambda r: (r.customers, r.arr, r.request.pk),
    "recent": lambda r: (r.last_asked_at.timestamp() if r.last_asked_at else 0.0, r.request.pk),
}
SORT_LABELS = {"arr": "Combined ARR", "customers": "Number of customers", "recent": "Most recently asked"}
MAX_RANKED = 500
CENTS = Decimal("0.01")


@dataclass
class RankedRequest:
    request: FeatureRequest
    customers: int = 0  # distinct organizations asking
    issues: int = 0
    arr: Decimal = Decimal(0)
    open_deals: Decimal = Decimal(0)
    last_asked_at: datetime | None = None

    @property
    def revenue(self) -> Decimal:
        return self.arr + self.open_deals


def get_feature_request(pk) -> FeatureRequest:
    request = (FeatureRequest.objects.select_related("component", "merged_into", "merged_by", "created_by")
               .filter(pk=pk).first() if str(pk).isdigit() and len(str(pk)) < 19 else None)
    if request is None:
        raise NotFound(f"Feature request FR-{pk} not found")
    return request


def live_requests() -> QuerySet:
    """Requests not merged into another."""
    return FeatureRequest.objects.filter(merged_into__isnull=True)


def _totals_sql() -> str:
    """Per request: its issues and the latest one's creation, and its distinct organizations with
    the sum of their ARR and open deals (each organization once, however many of its issues ask)."""
    link, issue = RequestLink._meta.db_table, Issue._meta.db_table
    organization = Organization._meta.db_table
    return (
        "SELECT a.request_id, a.issues, a.last_asked, COALESCE(c.customers, 0), COALESCE(c.arr, 0),"
        " COALESCE(c.deals, 0) FROM"
        f" (SELECT l.request_id, COUNT(*) AS issues, MAX(i.created_at) AS last_asked FROM {link} l"
        f"  JOIN {issue} i ON i.id = l.issue_id GROUP BY l.request_id) a"
        " LEFT JOIN (SELECT p.request_id, COUNT(*) AS customers, SUM(o.annual_revenue) AS arr,"
        "  SUM(o.open_deal_value) AS deals FROM"
        f"  (SELECT DISTINCT l.request_id, i.organization_id FROM {link} l JOIN {issue} i ON i.id = l.issue_id"
        "   WHERE i.organization_id IS NOT NULL) p"
        f"  JOIN {organization} o ON o.id = p.organization_id GROUP BY p.request_id) c"
        " ON c.request_id = a.request_id")


def _money(value) -> Decimal:
    # SQLite sums decimals as floats; PostgreSQL answers Decimals.
    return Decimal(str(value or 0)).quantize(CENTS)


def _moment(value) -> datetime | None:
    if isinstance(value, str):  # SQLite answers text
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def rank_requests(*, sort: str = "arr", statuses=(), limit: int = MAX_RANKED) -> list[RankedRequest]:
    requests = live_requests().select_related("component")
    if statuses:
        requests = requests.filter(status__in=list(statuses))
    ranked = {r.pk: RankedRequest(r) for r in requests}
    with connection.cursor() as cursor:
        cursor.execute(_totals_sql())
        for request_id, issues, last_asked, customers, arr, deals in cursor.fetchall():
            row = ranked.get(request_id)
            if row is not None:
                row.issues, row.last_asked_at, row.customers = issues, _moment(last_asked), customers
                row.arr, row.open_deals = _money(arr), _money(deals)
    return sorted(ranked.values(), key=SORTS.get(sort, SORTS["arr"]), reverse=True)[:limit]


def rank_one(request: FeatureRequest) -> RankedRequest:
    return next((r for r in rank_requests() if r.request.pk == request.pk), RankedRequest(request))


@dataclass
class Asker:
    """One organization asking (or `organization` None: issues of no organization)."""

    organization: object | None
    links: list = field(default_factory=list)


def askers(request: FeatureRequest) -> list[Asker]:
    """Who asked, largest ARR first, each organization with its issues (and their requesters)."""
    links = (request.links.select_related("issue", "issue__organization", "issue__requester", "notified_comment")
             .order_by("issue__created_at", "issue_id"))
    by_org: dict[int | None, Asker] = {}
    for link in links:
        org = link.issue.organization
        by_org.setdefault(org.pk if org else None, Asker(org)).links.append(link)
    return sorted(by_org.values(), key=lambda a: (a.organization is not None,
                                                  a.organization.annual_revenue if a.organization else 0),
                  reverse=True)


def links_to_tell(request: FeatureRequest) -> QuerySet:
    return request.links.filter(notified_at__isnull=True)


def request_of_issue(issue: Issue) -> FeatureRequest | None:
    link = RequestLink.objects.filter(issue=issue).select_related("request").first()
    return link.request if link else None


def _requests_of_issues(ranked_ids: list[int], exclude: int | None, limit: int) -> list[FeatureRequest]:
    order = {issue_id: i for i, issue_id in enumerate(ranked_ids)}
    links = RequestLink.objects.filter(issue_id__in=ranked_ids).select_related("request")
    found: dict[int, tuple[int, FeatureRequest]] = {}
    for link in links:
        if link.request_id == exclude or link.request.merged_into_id is not None:
            continue
        best = found.get(link.request_id)
        if best is None or order[link.issue_id] < best[0]:
            found[link.request_id] = (order[link.issue_id], link.request)
    return [r for _, r in sorted(found.values(), key=lambda pair: pair[0])][:limit]


def link_candidates(issue: Issue, *, limit: int = 5, fresh: bool = False) -> list[FeatureRequest]:
    """Requests that issues like this one ask for, by the similar-issue search, best first."""
    similar = similar_issues(issue, limit=limit * 4, fresh=fresh)
    own = request_of_issue(issue)
    return _requests_of_issues([s.issue.pk for s in similar], own.pk if own else None, limit)


def merge_candidates(request: FeatureRequest, *, limit: int = 5) -> list[FeatureRequest]:
    """Other requests whose issues read like this request (its title, weighted, and description)."""
    catch_up()
    ranked = rank(f"{request.title} {request.title} {request.description[:2000]}", limit=limit * 6)
    own = list(request.links.values_list("issue_id", flat=True))
    ids = [i for i, _ in ranked if i not in own]
    return _requests_of_issues(ids, request.pk, limit)
