"""Who may do what: the one place where roles turn into permissions.

Views, the API and the CLI ask these functions; none of them compares roles itself.
Customers see their own organization and nothing else; for them another
organization's objects do not exist (callers answer 404, never 403).
"""

from django.db.models import QuerySet

from .models import Role, TokenScope, User

STAFF_ROLES = frozenset(r for r in Role if r != Role.CUSTOMER)
ENGINEERING_ROLES = frozenset({Role.ENGINEER_T4, Role.SENIOR_ENGINEER_T5, Role.ADMIN})

# permission -> roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "issue.view_all": STAFF_ROLES,
    "issue.triage": STAFF_ROLES,  # status, assignee, team, priority, tier, component
    "comment.internal": STAFF_ROLES,
    "organization.view_all": STAFF_ROLES,
    "organization.manage": frozenset({Role.ADMIN}),
    "contact.view_all": STAFF_ROLES,
    "contact.manage": STAFF_ROLES,
    "team.view": STAFF_ROLES,
    "team.manage": frozenset({Role.ADMIN}),
    "user.manage": frozenset({Role.ADMIN}),
    "intake.review": frozenset({Role.ADMIN}),  # raw inbound messages, quarantine, retry
    "intake.manage": frozenset({Role.ADMIN}),  # alert integrations and their secrets
    "issue.override_priority": STAFF_ROLES - {Role.SUPPORT_T1},  # with a reason, kept until removed
    "issue.escalate": STAFF_ROLES,  # escalate and de-escalate with a hand-off note
    "escalation.view_engineering": STAFF_ROLES,  # the engineering queue and problems
    "problem.manage": frozenset({Role.OPERATIONS_T3, Role.ENGINEER_T4, Role.SENIOR_ENGINEER_T5, Role.ADMIN}),
    "escalation.configure": frozenset({Role.ADMIN}),  # questionnaires, SLA and escalation policies
    "audit.view": frozenset({Role.ADMIN}),  # search and export the audit trail
    "organization.view_profile": STAFF_ROLES,  # the customer page: profile, environment, configuration
    "personal.unmask": STAFF_ROLES,  # with a reason, for an open issue of that organization
    "personal.approve_unmask": frozenset({Role.SENIOR_ENGINEER_T5, Role.ADMIN}),  # someone else's unmask
    # A customer sees the names and addresses of their own organization's people (their colleagues).
    "personal.view_own_organization": frozenset({Role.CUSTOMER}),
    "configuration.submit": frozenset({Role.ADMIN}),  # the company's systems, with an admin token
    "environment.submit": STAFF_ROLES,
    "sensitivity.manage": frozenset({Role.ADMIN}),
    "metric.view": STAFF_ROLES,  # business metrics, their series and anomalies
    "metric.manage": frozenset({Role.ADMIN}),  # define metrics and their push secrets
    "chat.manage_keys": frozenset({Role.ADMIN}),  # the keys that sign chat widget identities
    "call.view": STAFF_ROLES,  # calls on issues, with their notes (customers never: notes are internal)
    "call.log": STAFF_ROLES,  # log a call on an issue, open an issue from a call
    "phone_line.manage": frozenset({Role.ADMIN}),  # phone lines and their providers' auth tokens
    "probe.view": STAFF_ROLES,  # an issue's probes and their statuses, the services with agents
    "probe.manage": ENGINEERING_ROLES,  # add, change and remove probes on running services
    "probe.view_hits": ENGINEERING_ROLES,  # hits: log lines, snapshots of live values, log records
    "agent_token.manage": frozenset({Role.ADMIN}),  # the tokens services' agents authenticate with
    "insights.view": STAFF_ROLES,  # the analytics pages, their API and CSV exports
    "webhook.manage": frozenset({Role.ADMIN}),  # outgoing webhook endpoints, their secrets and delivery logs
    "satisfaction.view": STAFF_ROLES,  # customers' ratings of resolutions, with their comments
    "feature_request.manage": STAFF_ROLES,  # mark, merge, ship and export feature requests, tell customers
    "article.manage": STAFF_ROLES,  # write, edit and publish knowledge base articles, send them as replies
    "time.log": STAFF_ROLES,  # log time on issues they can see, remove their own entry within a day
    "time.remove_any": frozenset({Role.ADMIN}),  # remove anyone's time entry, at any age
    "planning.view": STAFF_ROLES,  # teams' unplanned hours, budgets and forecasts
    # A team's unplanned-work budget: senior engineers (the team leads) for their own teams.
    "planning.manage": frozenset({Role.SENIOR_ENGINEER_T5, Role.ADMIN}),
    "planning.manage_all": frozenset({Role.ADMIN}),  # every team's budget
    "availability.view": STAFF_ROLES,  # outages, objectives, every customer's and component's availability
    "outage.manage": frozenset({Role.OPERATIONS_T3, Role.ENGINEER_T4, Role.SENIOR_ENGINEER_T5, Role.ADMIN}),
    "availability.configure": frozenset({Role.ADMIN}),  # availability objectives of plans, customers, components
}


# What an API token of less than admin scope may never do, whatever its user's role.
ADMIN_SCOPE_PERMISSIONS = frozenset(p for p, roles in PERMISSIONS.items() if roles <= {Role.ADMIN})


def has_perm(user: User, permission: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    # Set by the API's bearer authentication; pages and sessions act with the full role.
    token_scope = getattr(user, "token_scope", TokenScope.ADMIN)
    if permission in ADMIN_SCOPE_PERMISSIONS and token_scope != TokenScope.ADMIN:
        return False
    return user.role in PERMISSIONS[permission]


def is_staff_member(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_ROLES


def scope_issues(user: User, issues: QuerySet) -> QuerySet:
    """Limit an issue queryset to what the user may see."""
    if has_perm(user, "issue.view_all"):
        return issues
    if user.is_authenticated and user.organization_id:
        return issues.filter(organization_id=user.organization_id)
    return issues.none()


def scope_comments(user: User, comments: QuerySet) -> QuerySet:
    """Customers read public replies only."""
    if has_perm(user, "comment.internal"):
        return comments
    return comments.filter(is_public=True)


def scope_organizations(user: User, organizations: QuerySet) -> QuerySet:
    if has_perm(user, "organization.view_all"):
        return organizations
    if user.is_authenticated and user.organization_id:
        return organizations.filter(pk=user.organization_id)
    return organizations.none()


def scope_contacts(user: User, contacts: QuerySet) -> QuerySet:
    if has_perm(user, "contact.view_all"):
        return contacts
    if user.is_authenticated and user.organization_id:
        return contacts.filter(organization_id=user.organization_id)
    return contacts.none()


def can_view_issue(user: User, issue) -> bool:
    if has_perm(user, "issue.view_all"):
        return True
    return bool(user.is_authenticated and user.organization_id and issue.organization_id == user.organization_id)


def can_manage_team_planning(user: User, team) -> bool:
    """Set a team's unplanned-work budget: admins for every team, team leads for their own."""
    if not has_perm(user, "planning.manage"):
        return False
    return has_perm(user, "planning.manage_all") or team.members.filter(pk=user.pk).exists()


def may_manage_some_team_planning(user: User) -> bool:
    """Whether any team's budget is the user's to set: asked before looking the team up, so a token
    that may set none learns nothing of which teams exist."""
    if not has_perm(user, "planning.manage"):
        return False
    return has_perm(user, "planning.manage_all") or user.teams.exists()
