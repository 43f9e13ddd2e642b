"""Processing one stored alert payload: each alert joins the open issue of its fingerprint (or
opens one), counts, and writes a timeline entry per state change unless it is flapping.
Called by `actions.do_process_message` inside its transaction.

A payload is handled as one batch (`AlertBatch`): the groups of all its fingerprints are read
(and locked) in one query, counted in memory and written back in bulk, and timeline entries are
inserted together. Only what changes an issue itself (a new issue, resolving, reopening, a new
alert level) goes through `tierline.issues.actions`, so an alert that only repeats costs no
re-triage.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tierline.customers.models import Organization
from tierline.issues.actions import do_create_issue, do_update_issue
from tierline.issues.models import DONE_STATUSES, Channel, EventKind, Issue, IssueEvent, Status

from .actions import _finish
from .alerts import FIRING, RESOLVED, Alert, read_alerts
from .models import AlertGroup, AlertIntegration, InboundMessage, InboundStatus, ResolveMode


def process_alert_payload(message: InboundMessage) -> None:
    integration = message.integration
    if integration is None:
        raise ValueError("the integration that received this payload was deleted")
    replay = (InboundMessage.objects.filter(integration=integration, sha256=message.sha256,
                                            status=InboundStatus.PROCESSED).exclude(pk=message.pk)
              .values_list("pk", flat=True).first())
    if replay is not None:
        return _finish(message, InboundStatus.IGNORED, f"replay of payload {replay}")
    alerts = read_alerts(integration.source, bytes(message.raw))
    if not alerts:
        return _finish(message, InboundStatus.IGNORED, "no alert in the payload needs an issue")
    batch = AlertBatch(integration, timezone.now())
    batch.load({alert.fingerprint for alert in alerts})
    issue_id = None
    for alert in alerts:
        group = batch.apply(alert)
        issue_id = issue_id or (group.issue_id if group else None)
    batch.save()
    _finish(message, InboundStatus.PROCESSED, "", subject=alerts[0].title, issue_id=issue_id)


def _organization_for(integration: AlertIntegration, alert: Alert) -> Organization | None:
    """The organization named by the integration's customer label (by name, or by one of its
    email domains), else the integration's own organization."""
    name = alert.labels.get(integration.customer_label, "").strip()
    if name:
        found = Organization.objects.filter(name__iexact=name).first()
        if found is None and "." in name:
            found = next((o for o in Organization.objects.exclude(email_domains=[])
                          if name.lower() in o.email_domains), None)
        if found is not None:
            return found
    return integration.organization


def _description(alert: Alert) -> str:
    lines = [alert.description] if alert.description else []
    if alert.labels:
        lines.append("Labels: " + ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())))
    if alert.url:
        lines.append(f"Source: {alert.url}")
    return "\n\n".join(lines)


def _is_flapping(group: AlertGroup, now: datetime) -> bool:
    """Keep the state changes inside the window; too many means flapping, and the timeline
    stays quiet until the alert settles."""
    window_start = now - timedelta(seconds=settings.ALERT_FLAP_WINDOW)
    changes = [c for c in group.recent_changes if c >= window_start.isoformat()]
    changes.append(now.isoformat())
    group.recent_changes = changes[-(settings.ALERT_FLAP_LIMIT * 2):]
    return len(changes) > settings.ALERT_FLAP_LIMIT


class AlertBatch:
    """The alert groups one payload touches, read once, changed in memory, written in bulk."""

    def __init__(self, integration: AlertIntegration, now: datetime):
        self.integration, self.now = integration, now
        self.groups: dict[str, AlertGroup] = {}
        self.new: list[AlertGroup] = []
        self.changed: dict[int, set[str]] = {}  # group pk -> fields to write
        self.events: list[IssueEvent] = []

    def load(self, fingerprints: set[str]) -> None:
        """Read and lock the payload's groups, with their issue's status, level and severity, so a
        repeat needs no issue read at all. Plain SQL: the ORM's compiling of this join costs more
        than running it, once per payload."""
        placeholders = ", ".join(["%s"] * len(fingerprints))
        lock = " FOR UPDATE OF g" if connection.features.has_select_for_update_of else ""
        rows = AlertGroup.objects.raw(
            "SELECT g.*, i.status AS issue_status, i.alert_level AS issue_level, i.severity AS issue_severity"
            " FROM intake_alertgroup g JOIN issues_issue i ON i.id = g.issue_id"
            f" WHERE g.integration_id = %s AND g.fingerprint IN ({placeholders}){lock}",
            [self.integration.pk, *fingerprints],
        )
        self.groups = {group.fingerprint: group for group in rows}

    def apply(self, alert: Alert) -> AlertGroup | None:
        group = self.groups.get(alert.fingerprint)
        if group is None:
            return None if alert.state == RESOLVED else self._open(alert)  # nothing of ours to resolve
        group.received_count += 1
        group.last_seen = self.now
        fields = {"received_count", "last_seen"}
        changed = (alert.state != group.state
                   or (alert.state == FIRING and alert.starts_at and alert.starts_at[:64] != group.last_starts_at))
        if changed:
            was_flapping = group.is_flapping
            group.is_flapping = _is_flapping(group, self.now)
            group.state = alert.state
            fields |= {"state", "recent_changes", "is_flapping"}
            if alert.state == FIRING:
                group.fired_count += 1
                group.last_starts_at = alert.starts_at[:64]
                fields |= {"fired_count", "last_starts_at"}
            if group.is_flapping and not was_flapping:
                self._event(group, EventKind.ALERT_FLAPPING, alert)
            elif not group.is_flapping:
                self._event(group, EventKind.ALERT_FIRED if alert.state == FIRING else EventKind.ALERT_RESOLVED,
                            alert)
        self._change_issue(group, alert, state_changed=changed and not group.is_flapping)
        if group.pk is not None:
            self.changed.setdefault(group.pk, set()).update(fields)
        return group

    def _open(self, alert: Alert) -> AlertGroup:
        issue = do_create_issue(
            actor=None, title=alert.title, description=_description(alert), channel=Channel.ALERT,
            severity=alert.severity, alert_level=alert.level,
            organization=_organization_for(self.integration, alert), at=self.now,
        )
        group = AlertGroup(
            integration=self.integration, fingerprint=alert.fingerprint, issue=issue, title=alert.title,
            fired_count=1, received_count=1, first_seen=self.now, last_seen=self.now,
            last_starts_at=alert.starts_at[:64], recent_changes=[self.now.isoformat()],
        )
        group.issue_status, group.issue_level, group.issue_severity = issue.status, issue.alert_level, issue.severity
        self.groups[alert.fingerprint] = group
        self.new.append(group)
        self._event(group, EventKind.ALERT_FIRED, alert)
        return group

    def _change_issue(self, group: AlertGroup, alert: Alert, *, state_changed: bool) -> None:
        """Reopen, resolve or re-level the issue through the issue actions, only when needed."""
        changes = {}
        if alert.state == FIRING:
            if state_changed and group.issue_status in DONE_STATUSES:
                changes["status"] = Status.OPEN
            if alert.level and alert.level != group.issue_level:
                changes["alert_level"] = alert.level  # rescored by the priority rules
                if alert.severity < group.issue_severity:  # worse than filed; never lowered here
                    changes["severity"] = alert.severity
        elif (state_changed and self.integration.resolve_mode == ResolveMode.RESOLVE
              and group.issue_status not in DONE_STATUSES):
            changes["status"] = Status.RESOLVED
        if not changes:
            return
        self._write_events()  # the alert's own entry comes before the issue's change on the timeline
        # The action reads and locks the issue row itself: the id is all it needs.
        issue = do_update_issue(Issue(pk=group.issue_id), actor=None, at=self.now, **changes)
        group.issue_status, group.issue_level, group.issue_severity = issue.status, issue.alert_level, issue.severity

    def _event(self, group: AlertGroup, kind: str, alert: Alert) -> None:
        self.events.append(IssueEvent(issue_id=group.issue_id, kind=kind, created_at=self.now, data={
            "fingerprint": group.fingerprint, "integration": self.integration.slug, "title": alert.title,
            "fired_count": group.fired_count, "received_count": group.received_count,
        }))

    def _write_events(self) -> None:
        if self.events:
            IssueEvent.objects.bulk_create(self.events)
            self.events = []

    def save(self) -> None:
        self._write_events()
        if self.new:
            AlertGroup.objects.bulk_create(self.new)
        if self.changed:
            _write_counts([g for g in self.groups.values() if g.pk in self.changed],
                          sorted(set().union(*self.changed.values())))


def _write_counts(groups: list[AlertGroup], names: list[str]) -> None:
    """One UPDATE per group, sent in a single executemany: the ORM's bulk_update builds a CASE
    per field and row, which costs more than the alerts themselves."""
    fields = [AlertGroup._meta.get_field(name) for name in names]
    table = AlertGroup._meta.db_table
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)}"
           f" WHERE {quote('id')} = %s")
    rows = [[f.get_db_prep_save(getattr(g, f.attname), connection) for f in fields] + [g.pk] for g in groups]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
