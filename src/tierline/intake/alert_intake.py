"""Processing stored alert payloads: each alert joins the open issue of its fingerprint (or
opens one), counts, and writes a timeline entry per state change unless it is flapping.
Called by `actions.do_process_message` inside its transaction.

Payloads are handled as one batch (`AlertBatch`): one payload, or every payload the worker drains
for an integration, oldest first. The groups of all their fingerprints are read (and locked) in
one query, counted in memory and written back in bulk. Only what changes an issue itself (a new
issue, resolving, reopening, a new alert level) goes through `tierline.issues.actions`: the
batch's new issues together through `do_create_issues` before its alerts are counted, the changes
of existing issues and the alerts' timeline entries together through `do_update_issues`, so an
alert that only repeats costs no re-triage.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tierline.bulk import insert_rows, read_rows, update_rows
from tierline.customers.models import Organization
from tierline.issues.actions import IssueDraft, IssueUpdate, do_create_issues, do_update_issues
from tierline.issues.models import DONE_STATUSES, Channel, EventKind, IssueEvent, Status

from .actions import OUTCOME_FIELDS, failure_reason, note_outcome
from .alerts import FIRING, Alert, read_alerts
from .models import AlertGroup, AlertIntegration, InboundKind, InboundMessage, InboundStatus, ResolveMode


def pending_alert_payloads(integration: AlertIntegration, limit: int) -> list[InboundMessage]:
    """The integration's pending payloads, oldest first, locked (on PostgreSQL skipping those
    another worker's batch holds), each with `replay_of`: the id of a processed payload with the
    same bytes, if any. Plain SQL (`bulk.read_rows`), like `AlertBatch.load`: one query per batch,
    cheap to build."""
    lock = " FOR UPDATE OF m SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    return read_rows(
        InboundMessage,
        "SELECT m.*, (SELECT MIN(p.id) FROM intake_inboundmessage p WHERE p.integration_id = m.integration_id"
        " AND p.sha256 = m.sha256 AND p.status = %s) AS replay_of"
        " FROM intake_inboundmessage m WHERE m.integration_id = %s AND m.kind = %s AND m.status = %s"
        f" ORDER BY m.received_at, m.id LIMIT %s{lock}",
        [InboundStatus.PROCESSED, integration.pk, InboundKind.ALERT, InboundStatus.PENDING, limit],
    )


def process_alert_payloads(integration: AlertIntegration | None, messages: list[InboundMessage],
                           replays: dict[str, int] | None = None) -> None:
    """Process payloads of one integration in their order, as one batch: a replay (a payload
    already processed, or twice in the batch) is ignored, an unreadable one quarantined alone.
    `replays` (sha256 -> id of a processed payload) is read here unless the caller did."""
    if integration is None:
        raise ValueError("the integration that received this payload was deleted")
    if replays is None:
        replays = dict(InboundMessage.objects.filter(
            integration=integration, sha256__in={m.sha256 for m in messages}, status=InboundStatus.PROCESSED,
        ).exclude(pk__in=[m.pk for m in messages]).values_list("sha256", "pk"))
    processed = dict(replays)
    readable, outcomes = [], {}
    for message in messages:
        if message.sha256 in processed:
            outcomes[message.pk] = (InboundStatus.IGNORED, f"replay of payload {processed[message.sha256]}", {})
            continue
        try:
            alerts = read_alerts(integration.source, bytes(message.raw))
        except Exception as error:  # noqa: BLE001 - kept for an admin with the reason, like any failure
            outcomes[message.pk] = (InboundStatus.QUARANTINED, failure_reason(error), {})
            continue
        if not alerts:
            outcomes[message.pk] = (InboundStatus.IGNORED, "no alert in the payload needs an issue", {})
            continue
        processed[message.sha256] = message.pk
        readable.append((message, alerts))
    batch = AlertBatch(integration, timezone.now())
    batch.load({alert.fingerprint for _, alerts in readable for alert in alerts})
    batch.open_groups(alert for _, alerts in readable for alert in alerts)
    for message, alerts in readable:
        issue_id = None
        for alert in alerts:
            group = batch.apply(alert)
            issue_id = issue_id or (group.issue_id if group else None)
        outcomes[message.pk] = (InboundStatus.PROCESSED, "", {"subject": alerts[0].title[:300], "issue_id": issue_id})
    batch.save()
    # Noted only now: a batch that fails leaves its messages as they were, for the next attempt.
    for message in messages:
        status, reason, fields = outcomes[message.pk]
        note_outcome(message, status, reason, **fields)
    update_rows(messages, OUTCOME_FIELDS)

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
        self.events: list[IssueEvent] = []  # alert entries not yet attached to an issue change
        self.updates: list[IssueUpdate] = []
        self.openers: dict[str, Alert] = {}  # fingerprint -> the alert that opened its group, not yet applied

    def load(self, fingerprints: set[str]) -> None:
        """Read and lock the batch's groups, with their issue's status, level and severity, so a
        repeat needs no issue read at all. Plain SQL: the ORM's compiling of this join costs more
        than running it, once per batch."""
        if not fingerprints:
            return
        placeholders = ", ".join(["%s"] * len(fingerprints))
        lock = " FOR UPDATE OF g" if connection.features.has_select_for_update_of else ""
        rows = read_rows(
            AlertGroup,
            "SELECT g.*, i.status AS issue_status, i.alert_level AS issue_level, i.severity AS issue_severity"
            " FROM intake_alertgroup g JOIN issues_issue i ON i.id = g.issue_id"
            f" WHERE g.integration_id = %s AND g.fingerprint IN ({placeholders}){lock}",
            [self.integration.pk, *fingerprints],
        )
        self.groups = {group.fingerprint: group for group in rows}

    def open_groups(self, alerts: Iterable[Alert]) -> None:
        """Open the issues and groups of the fingerprints without a group, all in one
        `do_create_issues`: each is opened by its first firing alert (a resolved alert before
        it has nothing of ours to resolve). Call before applying the alerts, in their order."""
        openers: dict[str, Alert] = {}
        for alert in alerts:
            if alert.state == FIRING and alert.fingerprint not in self.groups:
                openers.setdefault(alert.fingerprint, alert)
        if not openers:
            return
        labelled: dict[str, int | None] = {}  # organization id by customer label, read once a batch
        drafts = []
        for alert in openers.values():
            name = alert.labels.get(self.integration.customer_label, "")
            if name not in labelled:
                labelled[name] = getattr(_organization_for(self.integration, alert), "pk", None)
            drafts.append(IssueDraft(title=alert.title, description=_description(alert), channel=Channel.ALERT,
                                     severity=alert.severity, alert_level=alert.level,
                                     organization_id=labelled[name], created_at=self.now))
        issues = do_create_issues(drafts, actor=None, at=self.now)
        for alert, issue in zip(openers.values(), issues, strict=True):
            group = AlertGroup(
                integration=self.integration, fingerprint=alert.fingerprint, issue=issue, title=alert.title,
                fired_count=1, received_count=1, first_seen=self.now, last_seen=self.now,
                last_starts_at=alert.starts_at[:64], recent_changes=[self.now.isoformat()],
            )
            group.issue_status, group.issue_level, group.issue_severity = (issue.status, issue.alert_level,
                                                                           issue.severity)
            self.groups[alert.fingerprint] = group
            self.new.append(group)
        self.openers.update(openers)

    def apply(self, alert: Alert) -> AlertGroup | None:
        if alert.fingerprint not in self.groups and alert.state == FIRING:
            self.open_groups([alert])  # a caller that did not open the batch's groups first
        group = self.groups.get(alert.fingerprint)
        opener = self.openers.get(alert.fingerprint)
        if opener is not None:
            if alert is not opener:
                return None  # resolved before its group was opened: nothing of ours to resolve
            del self.openers[alert.fingerprint]
            self._event(group, EventKind.ALERT_FIRED, alert)  # the group's counts start with it
            return group
        if group is None:
            return None  # nothing of ours to resolve
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

    def _change_issue(self, group: AlertGroup, alert: Alert, *, state_changed: bool) -> None:
        """Reopen, resolve or re-level the issue, only when needed. The change is made with the
        batch's others at `save`; what the issue will be is known now, for the next alerts."""
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
        # The alert's own entry comes before the issue's change on the timeline.
        self.updates.append(IssueUpdate(group.issue_id, changes, preceded_by=self.events))
        self.events = []
        group.issue_status = changes.get("status", group.issue_status)
        group.issue_level = changes.get("alert_level", group.issue_level)
        group.issue_severity = changes.get("severity", group.issue_severity)

    def _event(self, group: AlertGroup, kind: str, alert: Alert) -> None:
        self.events.append(IssueEvent(issue_id=group.issue_id, kind=kind, created_at=self.now, data={
            "fingerprint": group.fingerprint, "integration": self.integration.slug, "title": alert.title,
            "fired_count": group.fired_count, "received_count": group.received_count,
        }))

    def save(self) -> None:
        if self.updates or self.events:
            do_update_issues(self.updates, actor=None, at=self.now, then=self.events)
            self.updates, self.events = [], []
        if self.new:
            insert_rows(self.new)
        if self.changed:
            update_rows([g for g in self.groups.values() if g.pk in self.changed],
                        sorted(set().union(*self.changed.values())))
