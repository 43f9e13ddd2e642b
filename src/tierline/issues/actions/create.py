"""Opening issues: one (`do_create_issue`) or many at once from alert intake (`do_create_issues`),
routed, scored and with their SLA clocks, in one transaction."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import Team, User
from tierline.customers.models import Contact, Organization
from tierline.errors import InvalidInput

from ..models import (
    Channel,
    Component,
    EventKind,
    Issue,
    IssueEvent,
    Priority,
    Severity,
)
from ..signals import send_events_recorded
from ._common import (
    DEFAULT_PRIORITY_FOR_SEVERITY,
    Upload,
    _check_choice,
    _check_tier,
    _check_uploads,
    _clean_title,
    _record,
    _store_attachments,
)


def do_create_issue(
    *,
    actor: User | None,
    title: str,
    description: str = "",
    channel: str = Channel.PORTAL,
    severity: int = Severity.S3,
    organization: Organization | None = None,
    requester: Contact | None = None,
    component: Component | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    priority: int | None = None,
    tier: int = 1,
    attachments: Sequence[Upload] = (),
    labels: Sequence[str] = (),
    affected_users: int | None = None,
    alert_level: str = "",
    at: datetime | None = None,
) -> Issue:
    """A new issue, routed (tierline.triage) and scored by the current priority rules; an
    explicit `priority` is kept as an override of the computed one. `do_create_issues` opens
    many at once the same way."""
    from tierline.escalation.clocks import sync_sla_clocks
    from tierline.triage.actions import apply_priority, clean_labels, route_new_issue

    title = _clean_title(title)
    labels = clean_labels(labels)
    _check_choice("channel", channel, Channel)
    _check_choice("severity", severity, Severity)
    if priority is not None:
        _check_choice("priority", priority, Priority)
    _check_tier(tier)
    if requester is not None and requester.organization_id:
        if organization is None:
            organization = requester.organization
        elif organization.pk != requester.organization_id:
            raise InvalidInput("The requester belongs to another organization", {"requester": "not in organization"})
    if assignee is not None and assignee.is_customer:
        raise InvalidInput("Issues are assigned to staff", {"assignee": "not a staff member"})
    _check_uploads(attachments)
    team = route_new_issue(title=title, description=description or "", labels=labels, component=component,
                           team=team)
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue(
            title=title, description=description or "", channel=channel, severity=severity,
            priority=DEFAULT_PRIORITY_FOR_SEVERITY[severity] if priority is None else priority,
            tier=tier, organization=organization, requester=requester, component=component,
            team=team, assignee=assignee, created_at=now, updated_at=now, labels=labels,
            affected_users=affected_users, alert_level=(alert_level or "")[:16],
        )
        if priority is not None:
            issue.priority_override, issue.priority_override_by = priority, actor
            issue.priority_override_reason = "set when the issue was filed"
        apply_priority(issue, actor=actor, at=now)
        issue.save(force_insert=True)
        sync_sla_clocks(issue, now)
        actor_contact = requester if actor is None or actor.is_customer else None
        _record(issue, EventKind.CREATED, actor=actor, actor_contact=actor_contact, at=now,
                channel=channel, severity=severity, priority=issue.priority)
        _store_attachments(issue, None, attachments, now, actor, actor_contact)
    return issue


@dataclass
class IssueDraft:
    """One issue of `do_create_issues`: ids instead of objects, so thousands fit in memory."""

    title: str
    description: str = ""
    channel: str = Channel.API
    severity: int = Severity.S3
    priority: int | None = None
    tier: int = 1
    organization_id: int | None = None
    requester_id: int | None = None
    component_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    created_at: datetime | None = None
    labels: Sequence[str] = ()
    affected_users: int | None = None
    alert_level: str = ""


def do_create_issues(drafts: Iterable[IssueDraft], *, actor: User | None = None,
                     at: datetime | None = None) -> list[Issue]:
    """`do_create_issue` for many issues at once (alert intake's new groups, imports): each is
    routed, scored by the current priority rules (an explicit priority is kept as an override),
    gets its SLA clocks and its `created` event, in a fixed number of statements: the routing
    rules, organizations and components are read once, the rows written in bulk. A draft's
    `created_at` (else `at`, else now) is its time of creation."""
    from tierline.bulk import insert_rows
    from tierline.escalation.clocks import start_sla_clocks_bulk
    from tierline.triage.actions import active_routing_rules, apply_priority, clean_labels, route_new_issue

    now = at or timezone.now()
    drafts = list(drafts)
    organizations = Organization.objects.in_bulk({d.organization_id for d in drafts if d.organization_id})
    unrouted = [d for d in drafts if d.team_id is None]
    components = (Component.objects.select_related("owner_team").in_bulk(
        {d.component_id for d in unrouted if d.component_id}) if unrouted else {})
    rules = active_routing_rules() if unrouted else []
    issues = []
    for draft in drafts:
        title, labels = _clean_title(draft.title), clean_labels(draft.labels)
        _check_choice("channel", draft.channel, Channel)
        _check_choice("severity", draft.severity, Severity)
        if draft.priority is not None:
            _check_choice("priority", draft.priority, Priority)
        _check_tier(draft.tier)
        created = draft.created_at or now
        priority = DEFAULT_PRIORITY_FOR_SEVERITY[draft.severity] if draft.priority is None else draft.priority
        issue = Issue(
            title=title, description=draft.description or "", channel=draft.channel,
            severity=draft.severity, priority=priority, tier=draft.tier,
            organization_id=draft.organization_id, requester_id=draft.requester_id,
            component_id=draft.component_id, team_id=draft.team_id, assignee_id=draft.assignee_id,
            created_at=created, updated_at=created, labels=labels, affected_users=draft.affected_users,
            alert_level=(draft.alert_level or "")[:16],
        )
        if draft.team_id is None:
            team = route_new_issue(title=title, description=issue.description, labels=labels,
                                   component=components.get(draft.component_id), team=None, rules=rules)
            issue.team = team
        if draft.organization_id in organizations:
            issue.organization = organizations[draft.organization_id]
        if draft.priority is not None:
            issue.priority_override, issue.priority_override_by = draft.priority, actor
            issue.priority_override_reason = "set when the issue was filed"
        apply_priority(issue, actor=actor, at=created)
        issues.append(issue)
    # Who the `created` entry names, as do_create_issue does: the requester unless staff filed it.
    actor_is_contact = actor is None or actor.is_customer
    # No savepoint: called alone this is the transaction; inside a caller's (alert intake's batch)
    # an error rolls the caller back whole, and a savepoint would cost two more round trips.
    with transaction.atomic(savepoint=False):
        Issue.objects.bulk_create(issues, batch_size=500)
        created_events = [
            IssueEvent(issue=i, kind=EventKind.CREATED, actor=actor, created_at=i.created_at,
                       actor_contact_id=i.requester_id if actor_is_contact else None,
                       data={"channel": i.channel, "severity": i.severity, "priority": i.priority})
            for i in issues
        ]
        insert_rows(created_events)
        send_events_recorded(Issue, created_events)
        start_sla_clocks_bulk(issues)
    return issues
