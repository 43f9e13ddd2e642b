"""Every write to an issue: the row, its timeline event and follow-up work, in one transaction.

API endpoints, pages, the CLI, tasks and the demo all call these functions; nothing else
saves an Issue, Comment, Attachment or IssueEvent.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from tierline.accounts.models import Team, User
from tierline.customers.models import Contact, Organization
from tierline.errors import InvalidInput, NotFound, PayloadTooLarge

from .models import (
    DONE_STATUSES,
    Attachment,
    Channel,
    Comment,
    Component,
    EventKind,
    Issue,
    IssueEvent,
    Priority,
    Severity,
    Status,
    format_issue_key,
)
from .signals import send_events_recorded

DEFAULT_PRIORITY_FOR_SEVERITY = {1: Priority.P0, 2: Priority.P1, 3: Priority.P2, 4: Priority.P3}
MAX_TITLE = 300


@dataclass(frozen=True)
class Upload:
    """A file to attach, detached from how it arrived (form upload, API, email)."""

    filename: str
    content_type: str
    content: bytes


def _check_uploads(uploads: Sequence[Upload]) -> None:
    limit = settings.MAX_ATTACHMENT_BYTES
    for upload in uploads:
        if len(upload.content) > limit:
            raise PayloadTooLarge(
                f"Attachment {upload.filename!r} is {len(upload.content)} bytes; the limit is {limit}",
                {"attachments": f"over {limit} bytes"},
            )


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("An issue needs a title", {"title": "required"})
    if len(title) > MAX_TITLE:
        raise InvalidInput("Title is too long", {"title": f"at most {MAX_TITLE} characters"})
    return title


def _check_choice(field: str, value, choices) -> None:
    if value not in choices.values:
        allowed = ", ".join(str(v) for v in choices.values)
        raise InvalidInput(f"Invalid {field}", {field: f"one of {allowed}"})


def _check_tier(tier: int) -> None:
    if not isinstance(tier, int) or not 1 <= tier <= 5:
        raise InvalidInput("Invalid tier", {"tier": "between 1 and 5"})


def _record(issue: Issue, kind: str, *, actor: User | None = None, actor_contact: Contact | None = None,
            comment: Comment | None = None, at: datetime, **data) -> IssueEvent:
    event = IssueEvent.objects.create(
        issue=issue, kind=kind, actor=actor, actor_contact=actor_contact, comment=comment,
        data=data, created_at=at,
    )
    send_events_recorded(Issue, [event])
    return event


def _store_attachments(issue: Issue, comment: Comment | None, uploads: Sequence[Upload], at: datetime,
                       actor: User | None, actor_contact: Contact | None) -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            issue=issue, comment=comment, filename=upload.filename[:255],
            content_type=upload.content_type[:100] or "application/octet-stream",
            size=len(upload.content), created_at=at,
        )
        attachment.file.save(upload.filename[:100], ContentFile(upload.content), save=False)
        attachment.save()
        _record(issue, EventKind.ATTACHMENT_ADDED, actor=actor, actor_contact=actor_contact,
                comment=comment, at=at, filename=attachment.filename, size=attachment.size)
        stored.append(attachment)
    return stored


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


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


# What do_add_comment and the SLA clocks need of the issue it locks.
COMMENT_ISSUE_FIELDS = ("channel", "status", "priority", "requester", "created_at", "updated_at", "first_response_at",
                        "resolved_at", "organization__plan")


def do_add_comment(
    issue: Issue,
    *,
    body: str,
    is_public: bool,
    author: User | None = None,
    author_contact: Contact | None = None,
    channel: str = Channel.PORTAL,
    attachments: Sequence[Upload] = (),
    notify: bool = True,
    at: datetime | None = None,
) -> Comment:
    """A public reply or an internal note. Replies move the issue the way a desk expects:
    the first staff reply counts as the first response; a customer's reply reopens a
    pending or resolved issue. A staff reply is emailed to the requester unless `notify` is off
    (history imports). Replies start and stop the SLA clocks (tierline.escalation.clocks)."""
    from tierline.escalation.clocks import sync_sla_clocks

    body = (body or "").strip()
    if not body and not attachments:
        raise InvalidInput("A comment needs a body", {"body": "required"})
    _check_choice("channel", channel, Channel)
    is_customer = author_contact is not None or (author is not None and author.is_customer)
    if is_customer and not is_public:
        raise InvalidInput("Customers cannot write internal notes", {"is_public": "must be true"})
    if is_customer and author_contact is None:
        author_contact = getattr(author, "contact", None)
    _check_uploads(attachments)
    now = at or timezone.now()
    with transaction.atomic():
        # Only the columns a reply reads or writes (the organization's plan for the SLA clocks rides
        # along): a chat reply runs this on every message, and building the full row's SQL cost more
        # than the rest of the read.
        try:
            issue = (Issue.objects.select_for_update(of=("self",)).select_related("organization")
                     .only(*COMMENT_ISSUE_FIELDS).get(pk=issue.pk))
        except Issue.DoesNotExist:
            raise NotFound(f"Issue {format_issue_key(issue.pk)} not found") from None
        comment = Comment.objects.create(
            issue=issue, author=author, author_contact=author_contact, body=body,
            is_public=is_public, channel=channel, created_at=now,
        )
        kind = EventKind.COMMENTED if is_public else EventKind.NOTE_ADDED
        _record(issue, kind, actor=author, actor_contact=author_contact, comment=comment, at=now,
                is_public=is_public)
        stored = _store_attachments(issue, comment, attachments, now, author, author_contact)
        update_fields = ["updated_at"]
        issue.updated_at = now
        if is_public and not is_customer:
            if issue.first_response_at is None:
                issue.first_response_at = now
                update_fields.append("first_response_at")
            if issue.status == Status.NEW:
                _set_status(issue, Status.OPEN, author, None, now, update_fields)
        elif is_customer and issue.status in (Status.PENDING, Status.RESOLVED):
            _set_status(issue, Status.OPEN, None, author_contact, now, update_fields)
        issue.save(update_fields=update_fields)
        sync_sla_clocks(issue, now, reply=("customer" if is_customer else "staff") if is_public else None)
        if issue.channel == Channel.CHAT:
            # A conversation shows replies in the open widget and mails them once the customer left.
            from tierline.conversations.actions import note_chat_comment

            note_chat_comment(issue, comment, is_customer=is_customer, notify=notify, attachments=stored)
        elif notify and is_public and not is_customer and issue.requester_id:
            from .tasks import notify_requester_of_reply

            transaction.on_commit(lambda: notify_requester_of_reply(comment.pk))
    return comment


def _set_status(issue: Issue, status: str, actor: User | None, actor_contact: Contact | None,
                now: datetime, update_fields: list[str], record=_record) -> None:
    previous = issue.status
    if previous == status:
        return
    issue.status = status
    update_fields.append("status")
    if status in DONE_STATUSES and issue.resolved_at is None:
        issue.resolved_at = now
        update_fields.append("resolved_at")
    reopened = previous in DONE_STATUSES and status not in DONE_STATUSES
    if reopened:
        issue.resolved_at = None
        update_fields.append("resolved_at")
    kind = EventKind.REOPENED if reopened else EventKind.STATUS_CHANGED
    record(issue, kind, actor=actor, actor_contact=actor_contact, at=now, **{"from": previous, "to": status})


UPDATABLE_FIELDS = frozenset({
    "title", "description", "status", "severity", "priority", "tier", "assignee", "team", "component",
    "labels", "affected_users", "alert_level",
})
PRIORITY_INPUTS = ("severity", "affected_users", "alert_level")


def do_update_issue(issue: Issue, *, actor: User | None, at: datetime | None = None, **changes) -> Issue:
    """Change any of UPDATABLE_FIELDS; each real change gets its own timeline event. A new
    priority is kept as an override; a change of a priority input rescores the issue."""
    from tierline.escalation.clocks import sync_sla_clocks
    from tierline.triage.actions import apply_priority, clean_labels

    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed" for f in sorted(unknown)})
    if "title" in changes:
        changes["title"] = _clean_title(changes["title"])
    if "status" in changes:
        _check_choice("status", changes["status"], Status)
    if "severity" in changes:
        _check_choice("severity", changes["severity"], Severity)
    if "priority" in changes:
        _check_choice("priority", changes["priority"], Priority)
    if "tier" in changes:
        _check_tier(changes["tier"])
    if "labels" in changes:
        changes["labels"] = clean_labels(changes["labels"])
    if "alert_level" in changes:
        changes["alert_level"] = (changes["alert_level"] or "")[:16]
    if changes.get("assignee") is not None and changes["assignee"].is_customer:
        raise InvalidInput("Issues are assigned to staff", {"assignee": "not a staff member"})
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        update_fields: list[str] = []
        edited = {}
        for field in ("title", "description", "severity", "component", "labels", "affected_users",
                      "alert_level"):
            if field in changes and getattr(issue, field) != changes[field]:
                before = getattr(issue, field)
                setattr(issue, field, changes[field])
                update_fields.append(field)
                if field == "component":
                    edited[field] = {"from": _ref(before), "to": _ref(changes[field])}
                else:
                    edited[field] = {"from": before, "to": changes[field]}
        if edited:
            _record(issue, EventKind.FIELDS_CHANGED, actor=actor, at=now, fields=edited)
        if "status" in changes:
            _set_status(issue, changes["status"], actor, None, now, update_fields)
        for field, kind in (("assignee", EventKind.ASSIGNED), ("team", EventKind.TEAM_CHANGED)):
            if field in changes and getattr(issue, f"{field}_id") != getattr(changes[field], "pk", None):
                before = getattr(issue, field)
                setattr(issue, field, changes[field])
                update_fields.append(field)
                _record(issue, kind, actor=actor, at=now,
                        **{"from": _ref(before), "to": _ref(changes[field])})
        for field, kind in (("priority", EventKind.PRIORITY_CHANGED), ("tier", EventKind.TIER_CHANGED)):
            if field in changes and getattr(issue, field) != changes[field]:
                before = getattr(issue, field)
                setattr(issue, field, changes[field])
                update_fields.append(field)
                _record(issue, kind, actor=actor, at=now, **{"from": before, "to": changes[field]})
                if field == "priority":
                    issue.priority_override, issue.priority_override_by = changes[field], actor
                    issue.priority_override_reason = "set on the issue"
                    update_fields += ["priority_override", "priority_override_by", "priority_override_reason"]
        if any(field in update_fields for field in PRIORITY_INPUTS):
            update_fields += apply_priority(issue, actor=actor, at=now, reason="details changed")
        if update_fields:
            issue.updated_at = now
            issue.save(update_fields=[*dict.fromkeys(update_fields), "updated_at"])
            sync_sla_clocks(issue, now)
    return issue


BATCH_UPDATABLE_FIELDS = frozenset({"status", "severity", "alert_level"})


@dataclass
class IssueUpdate:
    """One change of `do_update_issues`: the issue, its new values, and timeline entries that
    belong just before the change (such as the alert that caused it)."""

    issue_id: int
    changes: dict
    preceded_by: list[IssueEvent] = field(default_factory=list)


def do_update_issues(updates: Sequence[IssueUpdate], *, actor: User | None, at: datetime | None = None,
                     then: Sequence[IssueEvent] = ()) -> dict[int, Issue]:
    """`do_update_issue` of the status, severity and alert level of many issues at once (alert
    intake): the same events, rescoring and SLA clock changes, in a fixed number of statements.
    The updates of one issue apply in their order; `then` are entries written after them all.
    Returns the issues by id, as they now are."""
    from tierline.bulk import insert_rows, update_rows
    from tierline.escalation.clocks import SlaClockBatch
    from tierline.triage.actions import apply_priority

    updates = [_checked_batch_update(update) for update in updates]
    now = at or timezone.now()
    events: list[IssueEvent] = []

    def record(issue, kind, *, actor=None, actor_contact=None, comment=None, at, **data):
        events.append(IssueEvent(issue=issue, kind=kind, actor=actor, actor_contact=actor_contact,
                                 comment=comment, data=data, created_at=at))

    def write_events():
        insert_rows(events)
        send_events_recorded(Issue, events)
        events.clear()

    # No savepoint, as in do_create_issues: inside a caller's transaction an error rolls it back whole.
    with transaction.atomic(savepoint=False):
        ids = sorted({update.issue_id for update in updates})
        issues = _locked_issues(ids)
        if len(issues) != len(ids):
            raise InvalidInput("Unknown issues", {"issue_id": f"no issue {sorted(set(ids) - set(issues))}"})
        clocks = SlaClockBatch(ids)
        written: dict[int, set[str]] = {}
        for update in updates:
            issue, changes, update_fields = issues[update.issue_id], update.changes, []
            events.extend(update.preceded_by)
            edited = {}
            for name in ("severity", "alert_level"):
                if name in changes and getattr(issue, name) != changes[name]:
                    edited[name] = {"from": getattr(issue, name), "to": changes[name]}
                    setattr(issue, name, changes[name])
                    update_fields.append(name)
            if edited:
                record(issue, EventKind.FIELDS_CHANGED, actor=actor, at=now, fields=edited)
            if "status" in changes:
                _set_status(issue, changes["status"], actor, None, now, update_fields, record=record)
            if any(name in update_fields for name in PRIORITY_INPUTS):
                write_events()  # rescoring writes its own entry, which comes after these
                update_fields += apply_priority(issue, actor=actor, at=now, reason="details changed")
            if update_fields:
                issue.updated_at = now
                written.setdefault(issue.pk, set()).update(update_fields, ["updated_at"])
                clocks.sync(issue, now)
        events.extend(then)
        write_events()
        if written:
            update_rows([issues[pk] for pk in sorted(written)], sorted(set().union(*written.values())))
        clocks.save()
    return issues


def _locked_issues(ids: list[int]) -> dict[int, Issue]:
    """The issues by id, locked, each with its organization (the priority rules and SLA clocks
    read it). Plain SQL: the ORM's compiling of this read costs more than running it."""
    from tierline.bulk import column_list, read_rows

    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    issues = {issue.pk: issue for issue in read_rows(
        Issue, f"SELECT {column_list(Issue)} FROM issues_issue WHERE id IN ({placeholders}) ORDER BY id{lock}", ids)}
    wanted = sorted({issue.organization_id for issue in issues.values() if issue.organization_id})
    if wanted:
        organizations = {organization.pk: organization for organization in read_rows(
            Organization, f"SELECT {column_list(Organization)} FROM customers_organization"
            f" WHERE id IN ({', '.join(['%s'] * len(wanted))})", wanted)}
        for issue in issues.values():
            if issue.organization_id:
                issue.organization = organizations[issue.organization_id]
    return issues


def _checked_batch_update(update: IssueUpdate) -> IssueUpdate:
    changes = dict(update.changes)
    unknown = set(changes) - BATCH_UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed in a batch" for f in sorted(unknown)})
    if "status" in changes:
        _check_choice("status", changes["status"], Status)
    if "severity" in changes:
        _check_choice("severity", changes["severity"], Severity)
    if "alert_level" in changes:
        changes["alert_level"] = (changes["alert_level"] or "")[:16]
    return IssueUpdate(update.issue_id, changes, list(update.preceded_by))


def do_record_notification(issue: Issue, *, comment: Comment | None, recipient: str,
                           message_id: str) -> IssueEvent:
    with transaction.atomic():
        return _record(issue, EventKind.NOTIFIED, comment=comment, at=timezone.now(),
                       recipient=recipient, message_id=message_id)


def do_create_component(*, name: str, slug: str = "", owner_team: Team | None = None) -> Component:
    from django.utils.text import slugify

    name = name.strip()
    if not name:
        raise InvalidInput("A component needs a name", {"name": "required"})
    slug = slug or slugify(name)
    if Component.objects.filter(slug=slug).exists():
        raise InvalidInput("A component with this name exists", {"name": "already taken"})
    return Component.objects.create(name=name, slug=slug, owner_team=owner_team)


def do_update_component(component: Component, *, name: str, slug: str, owner_team: Team | None) -> Component:
    if not name.strip():
        raise InvalidInput("A component needs a name", {"name": "required"})
    component.name, component.slug, component.owner_team = name.strip(), slug, owner_team
    component.save(update_fields=["name", "slug", "owner_team"])
    return component
