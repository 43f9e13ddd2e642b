"""Reads for the back office: the customer profile as a reader may see it, unmask grants,
configuration history and diffs, and the configuration change just before an issue started."""

from datetime import timedelta

from django.utils import timezone

from tierline.accounts.permissions import scope_organizations
from tierline.errors import NotFound

from .configuration import diff, flatten
from .models import ConfigurationSnapshot, Organization, UnmaskGrant
from .sensitivity import Classifier

RECENT_DAYS = 90
ISSUE_LIMIT = 20


def get_organization_for_user(user, organization_id: int) -> Organization:
    organization = scope_organizations(user, Organization.objects.all()).filter(pk=organization_id).first()
    if organization is None:
        raise NotFound("Organization not found")
    return organization


def working_on_issues(user, issues):
    """The issues `user` works on: assigned to them, held by one of their teams, or with a team
    task for one of their teams or owned by them. Unmasking personal data needs one of these."""
    from django.db.models import Q

    teams = user.teams.values("pk")
    return issues.filter(Q(assignee=user) | Q(team__in=teams) | Q(team_tasks__team__in=teams)
                         | Q(team_tasks__owner=user)).distinct()


def is_working_on(user, issue) -> bool:
    from tierline.issues.models import Issue

    return working_on_issues(user, Issue.objects.filter(pk=issue.pk)).exists()


def active_unmask_grant(user, organization) -> UnmaskGrant | None:
    return (UnmaskGrant.objects.select_related("issue")
            .filter(organization=organization, requested_by=user, expires_at__gt=timezone.now())
            .order_by("-expires_at").first())


def pending_unmask_grants(organization):
    from .actions import UNMASK_REQUEST_LAPSES

    return (UnmaskGrant.objects.select_related("requested_by", "issue")
            .filter(organization=organization, needs_approval=True, approved_at=None,
                    created_at__gt=timezone.now() - UNMASK_REQUEST_LAPSES)
            .order_by("-created_at"))


def latest_configuration(organization) -> ConfigurationSnapshot | None:
    return organization.configurations.order_by("-received_at", "-id").first()


def shown_configuration(snapshot, classifier: Classifier, *, unmasked: bool) -> list[dict]:
    if snapshot is None:
        return []
    return [{"path": path, "value": classifier.show(f"configuration.{path}", value, unmasked=unmasked),
             "sensitivity": classifier.classify(f"configuration.{path}")}
            for path, value in flatten(snapshot.data).items()]


def _issue_row(issue) -> dict:
    return {"key": issue.key, "title": issue.title, "status": issue.status, "priority": issue.priority,
            "tier": issue.tier, "channel": issue.channel, "created_at": issue.created_at,
            "updated_at": issue.updated_at}


def build_profile(organization: Organization, *, unmasked: bool, classifier: Classifier | None = None) -> dict:
    """Everything the customer page shows, with personal values masked unless `unmasked`."""
    from tierline.issues.models import DONE_STATUSES, Channel

    classifier = classifier or Classifier()
    issues = organization.issues.order_by("priority", "-updated_at", "-id")
    open_issues = list(issues.exclude(status__in=DONE_STATUSES)[:ISSUE_LIMIT])
    recent = list(issues.filter(status__in=DONE_STATUSES,
                                updated_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
                  .order_by("-updated_at", "-id")[:ISSUE_LIMIT])
    snapshot = latest_configuration(organization)
    show = classifier.show
    return {
        "id": organization.pk, "name": organization.name, "plan": organization.plan,
        "importance": organization.importance, "annual_revenue": organization.annual_revenue,
        "renewal_date": organization.renewal_date, "open_deal_value": organization.open_deal_value,
        "notes": show("organization.notes", organization.notes, unmasked=unmasked),
        "email_domains": organization.email_domains,
        "unmask_needs_approval": organization.unmask_needs_approval,
        "contacts": [
            {"id": c.pk, "name": show(f"contacts.{c.pk}.name", c.name, unmasked=unmasked),
             "email": show(f"contacts.{c.pk}.email", c.email, unmasked=unmasked),
             "phone": show(f"contacts.{c.pk}.phone", c.phone, unmasked=unmasked)}
            for c in organization.contacts.order_by("id")[:200]
        ],
        "environment": [
            {"name": name, "value": show(f"environment.{name}", fact.get("value"), unmasked=unmasked),
             "source": fact.get("source", ""), "observed_at": fact.get("observed_at")}
            for name, fact in sorted(organization.environment.items()) if isinstance(fact, dict)
        ],
        "open_issues": [_issue_row(i) for i in open_issues],
        "recent_issues": [_issue_row(i) for i in recent],
        "open_alerts": [_issue_row(i) for i in open_issues if i.channel == Channel.ALERT],
        "configuration": shown_configuration(snapshot, classifier, unmasked=unmasked),
        "configuration_received_at": snapshot.received_at if snapshot else None,
    }


def configuration_history(organization, limit: int = 100) -> list[dict]:
    """Snapshots newest first, each with how many values changed from the one before."""
    snapshots = list(organization.configurations.order_by("received_at", "id"))
    rows, previous = [], {}
    for snapshot in snapshots:
        flat = flatten(snapshot.data)
        rows.append({"id": snapshot.pk, "received_at": snapshot.received_at, "changes": len(diff(previous, flat))})
        previous = flat
    return rows[::-1][:limit]


def shown_diff(before, after, classifier: Classifier, *, unmasked: bool) -> list[dict]:
    changes = diff(flatten(before.data) if before else {}, flatten(after.data))
    for change in changes:
        path = f"configuration.{change['path']}"
        change["sensitivity"] = classifier.classify(path)
        for side in ("before", "after"):
            if change[side] is not None:
                change[side] = classifier.show(path, change[side], unmasked=unmasked)
    return changes


def snapshot_before(snapshot) -> ConfigurationSnapshot | None:
    return (ConfigurationSnapshot.objects.filter(organization_id=snapshot.organization_id)
            .filter(received_at__lte=snapshot.received_at).exclude(pk=snapshot.pk)
            .exclude(received_at=snapshot.received_at, id__gt=snapshot.pk)
            .order_by("-received_at", "-id").first())


def change_before_issue(issue) -> ConfigurationSnapshot | None:
    """The last configuration change received before the issue was reported."""
    if issue.organization_id is None:
        return None
    return (ConfigurationSnapshot.objects.filter(organization_id=issue.organization_id,
                                                 received_at__lte=issue.created_at)
            .order_by("-received_at", "-id").first())
