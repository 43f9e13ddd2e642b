"""The SLA sweep and escalation policies.

The worker's periodic sweep reads only clocks whose indexed `next_check_at` has passed, marks
their warning or breach, and creates one EscalationRun per (clock, round, step): the unique
row is created in the same transaction as the mark, so a step fires once however many workers
sweep and whether or not one restarts. Clocks are checked a batch per transaction. The step's
side effect (mail, webhook, tier) runs from the run row, after commit, and records that it is done.
"""

import json
import logging
import urllib.request
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from tierline.issues.models import EventKind, IssueEvent

from .models import EscalationPolicy, EscalationRun, SlaClock, StepAction, TeamOnCall, Trigger

log = logging.getLogger(__name__)
SWEEP_BATCH = 500


def list_due_clock_ids(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(SlaClock.objects.filter(next_check_at__lte=now).order_by("next_check_at")
                .values_list("pk", flat=True)[:limit])


def sweep_sla_clocks(now: datetime | None = None) -> list[int]:
    """Check every clock that is due, a batch per transaction; returns the ids of the
    escalation runs created (their steps are queued to run after each commit)."""
    now = now or timezone.now()
    runs: list[int] = []
    while True:
        checked, created = _check_clocks(SlaClock.objects.filter(next_check_at__lte=now), now, SWEEP_BATCH)
        runs += created
        if checked < SWEEP_BATCH:
            return runs


def do_check_sla_clock(clock_id: int, now: datetime) -> list[int]:
    return _check_clocks(SlaClock.objects.filter(pk=clock_id, next_check_at__lte=now), now, 1)[1]


def _check_clocks(due, now: datetime, limit: int) -> tuple[int, list[int]]:
    """Mark warnings and breaches of up to `limit` due clocks and create their escalation runs,
    in one transaction. Locked rows are skipped where the database can (another worker has
    them); the unique run row is the last line of defence."""
    from .clocks import schedule
    from .tasks import run_escalation_steps

    with transaction.atomic():
        rows = due.order_by("next_check_at", "id").select_related("issue", "policy__calendar")
        # "of": lock the clocks only (PostgreSQL refuses FOR UPDATE on the nullable side of a join).
        skip_locked = connection.features.has_select_for_update_skip_locked
        clocks = list(rows.select_for_update(skip_locked=skip_locked, of=("self",))[:limit])
        if not clocks:
            return 0, []
        policies = list(EscalationPolicy.objects.filter(is_active=True).prefetch_related("steps"))
        events, runs = [], []
        for clock in clocks:
            for trigger, mark, at, kind in ((Trigger.WARNING, "warned_at", clock.warn_at, EventKind.SLA_WARNING),
                                            (Trigger.BREACH, "breached_at", clock.due_at, EventKind.SLA_BREACHED)):
                if getattr(clock, mark) is None and at <= now:
                    setattr(clock, mark, now)
                    events.append(IssueEvent(issue=clock.issue, kind=kind, created_at=now, data={
                        "clock": clock.get_kind_display(), "due_at": clock.due_at.isoformat(),
                        "round": clock.round}))
                    runs += [EscalationRun(clock=clock, round=clock.round, step=step, created_at=now)
                             for policy in policies if policy.trigger == trigger
                             and policy.clock_kind in ("", clock.kind) for step in policy.steps.all()]
            schedule(clock, clock.policy.calendar if clock.policy else None)
        IssueEvent.objects.bulk_create(events)
        for clock in clocks:  # one UPDATE by primary key each: far cheaper than bulk_update's CASE
            SlaClock.objects.filter(pk=clock.pk).update(
                warned_at=clock.warned_at, breached_at=clock.breached_at, warn_at=clock.warn_at,
                due_at=clock.due_at, next_check_at=clock.next_check_at)
        EscalationRun.objects.bulk_create(runs, ignore_conflicts=True)
        created = list(EscalationRun.objects.filter(clock__in=clocks, created_at=now, done_at=None)
                       .values_list("pk", flat=True))
        if created:
            transaction.on_commit(lambda: run_escalation_steps(created))
    return len(clocks), created


def do_run_escalation_step(run_id: int) -> EscalationRun | None:
    with transaction.atomic():
        run = (EscalationRun.objects.select_for_update(of=("self",))
               .select_related("step__policy", "clock__issue__assignee", "clock__issue__team")
               .filter(pk=run_id).first())
        if run is None or run.done_at is not None:
            return run
        issue, step = run.clock.issue, run.step
        what = f"{run.clock.get_kind_display().lower()} {step.policy.get_trigger_display().lower()}"
        subject = f"[{issue.key}] SLA {what}"
        body = (f"{issue.title}\n\nDue {run.clock.due_at:%Y-%m-%d %H:%M %Z}\n"
                f"{settings.BASE_URL}/desk/issues/{issue.key}/")
        on_call = TeamOnCall.objects.filter(team_id=issue.team_id).select_related("lead").first()
        outcome = _perform(step.action, issue, subject, body, on_call, run)
        run.done_at, run.outcome = timezone.now(), outcome[:300]
        run.save(update_fields=["done_at", "outcome"])
        IssueEvent.objects.create(issue=issue, kind=EventKind.ESCALATION_STEP, created_at=run.done_at, data={
            "policy": step.policy.name, "action": step.get_action_display(), "outcome": run.outcome})
    return run


def _perform(action: str, issue, subject: str, body: str, on_call, run) -> str:
    if action == StepAction.NOTIFY_ASSIGNEE:
        if issue.assignee is None:
            return "no assignee"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [issue.assignee.email])
        return f"emailed {issue.assignee.email}"
    if action == StepAction.NOTIFY_TEAM_LEAD:
        if on_call is None or on_call.lead is None:
            return "no team lead"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [on_call.lead.email])
        return f"emailed {on_call.lead.email}"
    if action == StepAction.RAISE_TIER:
        from .actions import do_escalate_issue

        if issue.tier >= 5:
            return "already at tier 5"
        do_escalate_issue(issue, actor=None, note=f"{subject}: raised by escalation policy", check_requirements=False)
        return f"raised to tier {issue.tier + 1}"
    email = (on_call.page_email if on_call else "") or settings.ONCALL_EMAIL
    webhook = (on_call.webhook_url if on_call else "") or settings.ONCALL_WEBHOOK_URL
    done = []
    if email:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        done.append(f"paged {email}")
    if webhook:
        payload = json.dumps({"issue": issue.key, "title": issue.title, "subject": subject, "run": run.pk}).encode()
        request = urllib.request.Request(webhook, data=payload, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured by an admin)
            done.append(f"webhook {response.status}")
    return ", ".join(done) or "no on-call configured"
