"""Processing one stored alert payload: each alert joins the open issue of its fingerprint (or
opens one), counts, and writes a timeline entry per state change unless it is flapping.
Called by `actions.do_process_message` inside its transaction."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tierline.customers.models import Organization
from tierline.issues.actions import do_create_issue, do_update_issue
from tierline.issues.models import Channel, EventKind, IssueEvent, Status

from .actions import _finish
from .alerts import FIRING, RESOLVED, Alert, read_alerts
from .models import AlertGroup, AlertIntegration, InboundMessage, InboundStatus, ResolveMode


def process_alert_payload(message: InboundMessage) -> None:
    integration = message.integration
    if integration is None:
        raise ValueError("the integration that received this payload was deleted")
    replay = (InboundMessage.objects.filter(integration=integration, sha256=message.sha256,
                                            status=InboundStatus.PROCESSED).exclude(pk=message.pk).first())
    if replay is not None:
        return _finish(message, InboundStatus.IGNORED, f"replay of payload {replay.pk}")
    alerts = read_alerts(integration.source, bytes(message.raw))
    if not alerts:
        return _finish(message, InboundStatus.IGNORED, "no alert in the payload needs an issue")
    now = timezone.now()
    issue = None
    for alert in alerts:
        group = apply_alert(integration, alert, now)
        issue = issue or (group.issue if group else None)
    _finish(message, InboundStatus.PROCESSED, "", subject=alerts[0].title, issue=issue)


def _organization_for(integration: AlertIntegration, alert: Alert) -> Organization | None:
    name = alert.labels.get(integration.customer_label, "").strip()
    if name:
        found = Organization.objects.filter(Q(name__iexact=name)).first()
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


def _event(group: AlertGroup, kind: str, now: datetime, alert: Alert) -> None:
    IssueEvent.objects.create(issue=group.issue, kind=kind, created_at=now, data={
        "fingerprint": group.fingerprint, "integration": group.integration.slug, "title": alert.title,
        "fired_count": group.fired_count, "received_count": group.received_count,
    })


def apply_alert(integration: AlertIntegration, alert: Alert, now: datetime) -> AlertGroup | None:
    group = (AlertGroup.objects.select_for_update(of=("self",)).select_related("issue", "integration")
             .filter(integration=integration, fingerprint=alert.fingerprint).first())
    if group is None:
        if alert.state == RESOLVED:
            return None  # nothing of ours to resolve
        issue = do_create_issue(
            actor=None, title=alert.title, description=_description(alert), channel=Channel.ALERT,
            severity=alert.severity, organization=_organization_for(integration, alert), at=now,
        )
        group = AlertGroup.objects.create(
            integration=integration, fingerprint=alert.fingerprint, issue=issue, title=alert.title,
            fired_count=1, received_count=1, first_seen=now, last_seen=now,
            last_starts_at=alert.starts_at[:64], recent_changes=[now.isoformat()],
        )
        _event(group, EventKind.ALERT_FIRED, now, alert)
        return group

    group.received_count += 1
    group.last_seen = now
    update = ["received_count", "last_seen"]
    changed = (alert.state != group.state
               or (alert.state == FIRING and alert.starts_at and alert.starts_at[:64] != group.last_starts_at))
    if changed:
        was_flapping = group.is_flapping
        group.is_flapping = _is_flapping(group, now)
        group.state = alert.state
        update += ["state", "recent_changes", "is_flapping"]
        if alert.state == FIRING:
            group.fired_count += 1
            group.last_starts_at = alert.starts_at[:64]
            update += ["fired_count", "last_starts_at"]
        if group.is_flapping and not was_flapping:
            _event(group, EventKind.ALERT_FLAPPING, now, alert)
        elif not group.is_flapping:
            _change_issue(group, alert, now)
    group.save(update_fields=update)
    return group


def _change_issue(group: AlertGroup, alert: Alert, now: datetime) -> None:
    issue = group.issue
    if alert.state == FIRING:
        _event(group, EventKind.ALERT_FIRED, now, alert)
        if issue.is_done:
            do_update_issue(issue, actor=None, status=Status.OPEN, at=now)
        return
    _event(group, EventKind.ALERT_RESOLVED, now, alert)
    if group.integration.resolve_mode == ResolveMode.RESOLVE and not issue.is_done:
        do_update_issue(issue, actor=None, status=Status.RESOLVED, at=now)


