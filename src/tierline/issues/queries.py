"""Reads for issue queues and issue pages, shared by the desk, the portal and the API.

Queues page by keyset (tierline.pagination), so a deep page costs the same as the first.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from tierline.accounts.permissions import can_view_issue, scope_comments, scope_issues
from tierline.errors import InvalidInput, NotFound
from tierline.pagination import Ordering, paginate

from .models import Attachment, Channel, Comment, Issue, Priority, Status, parse_issue_key

# sort name -> ordered (field, descending) pairs; `id` always breaks ties.
SORTS: dict[str, Ordering] = {
    "-updated": (("updated_at", True), ("id", True)),
    "updated": (("updated_at", False), ("id", False)),
    "-created": (("created_at", True), ("id", True)),
    "created": (("created_at", False), ("id", False)),
    "priority": (("priority", False), ("updated_at", True), ("id", True)),
    "-priority": (("priority", True), ("updated_at", True), ("id", True)),
}
DEFAULT_SORT = "-updated"
MAX_PAGE_SIZE = 100


@dataclass
class IssueFilters:
    status: list[str] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)
    tier: list[int] = field(default_factory=list)
    team: list[int] = field(default_factory=list)
    organization: list[int] = field(default_factory=list)
    assignee: list[int] = field(default_factory=list)
    unassigned: bool = False
    channel: list[str] = field(default_factory=list)
    q: str = ""

    def validate(self) -> None:
        bad = {}
        if any(s not in Status.values for s in self.status):
            bad["status"] = f"one of {', '.join(Status.values)}"
        if any(p not in Priority.values for p in self.priority):
            bad["priority"] = "0 to 3"
        if any(not 1 <= t <= 5 for t in self.tier):
            bad["tier"] = "1 to 5"
        if any(c not in Channel.values for c in self.channel):
            bad["channel"] = f"one of {', '.join(Channel.values)}"
        if bad:
            raise InvalidInput("Invalid filter", bad)

    def apply(self, issues: QuerySet) -> QuerySet:
        self.validate()
        for name, lookup in (("status", "status__in"), ("priority", "priority__in"), ("tier", "tier__in"),
                             ("team", "team_id__in"), ("organization", "organization_id__in"),
                             ("channel", "channel__in")):
            values = getattr(self, name)
            if values:
                issues = issues.filter(**{lookup: values})
        if self.assignee and self.unassigned:
            issues = issues.filter(Q(assignee_id__in=self.assignee) | Q(assignee__isnull=True))
        elif self.assignee:
            issues = issues.filter(assignee_id__in=self.assignee)
        elif self.unassigned:
            issues = issues.filter(assignee__isnull=True)
        text = self.q.strip()
        if text:
            number = parse_issue_key(text)
            match = Q(title__icontains=text) | Q(description__icontains=text)
            issues = issues.filter(match | Q(pk=number) if number else match)
        return issues


@dataclass
class IssuePage:
    items: list[Issue]
    next_cursor: str | None


def list_issues(user, filters: IssueFilters, *, sort: str = DEFAULT_SORT, cursor: str | None = None,
                limit: int = 25) -> IssuePage:
    if sort not in SORTS:
        raise InvalidInput("Invalid sort", {"sort": f"one of {', '.join(SORTS)}"})
    issues = filters.apply(scope_issues(user, Issue.objects.all()))
    items, next_cursor = paginate(
        issues.select_related("organization", "requester", "assignee", "team", "component"),
        SORTS[sort], cursor=cursor, limit=limit, max_limit=MAX_PAGE_SIZE,
    )
    return IssuePage(items=items, next_cursor=next_cursor)


def get_issue_for_user(user, key: str, *, related: bool = True) -> Issue:
    """The issue with this key if the user may see it; NotFound otherwise (no existence leak).
    `related=False` reads the issue row alone, for writers that re-read it under lock anyway."""
    number = parse_issue_key(key)
    issues = Issue.objects.select_related("organization", "requester", "assignee", "team", "component") \
        if related else Issue.objects.all()
    # A key names one row: no ORDER BY (which .first() adds, and which costs more to build than the row).
    issue = next(iter(issues.filter(pk=number)[:1]), None) if number else None
    if issue is None or not can_view_issue(user, issue):
        raise NotFound(f"Issue {key} not found")
    return issue


def list_comments(user, issue: Issue) -> QuerySet:
    return scope_comments(user, issue.comments.all()).select_related(
        "author", "author_contact"
    ).prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))


def list_timeline(issue: Issue) -> QuerySet:
    """Every event of an issue, for staff, with what each needs to be shown in one query set."""
    return issue.events.select_related(
        "actor", "actor_contact", "comment", "comment__author", "comment__author_contact"
    ).prefetch_related(
        Prefetch("comment__attachments", queryset=Attachment.objects.order_by("id"))
    ).order_by("created_at", "id")


def get_attachment_for_user(user, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("issue", "comment").filter(pk=attachment_id).first()
    if attachment is None or not can_view_issue(user, attachment.issue):
        raise NotFound("Attachment not found")
    if attachment.comment_id and not scope_comments(user, Comment.objects.filter(pk=attachment.comment_id)).exists():
        raise NotFound("Attachment not found")
    return attachment

