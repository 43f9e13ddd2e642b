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
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tierline.issues.models import EventKind, IssueEvent
from tierline.issues.signals import send_events_recorded

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
    them); the unique run row is the last line of defence. A batch costs a fixed number of
    statements, not one per clock: the clocks are updated a group at a time (all that were just
    warned, all that just breached) with the new next check taken from their own due time."""
    from .tasks import run_escalation_steps

    with transaction.atomic():
        rows = due.order_by("next_check_at", "id").select_related("policy__calendar")
        # "of": lock the clocks only (PostgreSQL refuses FOR UPDATE on the nullable side of a join).
        skip_locked = connection.features.has_select_for_update_skip_locked
        clocks = list(rows.select_for_update(skip_locked=skip_locked, of=("self",))[:limit])
        if not clocks:
            return 0, []
        policies = list(EscalationPolicy.objects.filter(is_active=True).prefetch_related("steps"))
        events, runs, groups = [], [], defaultdict(list)
        for clock in clocks:
            marked = []
            for trigger, mark, at, kind in ((Trigger.WARNING, "warned_at", clock.warn_at, EventKind.SLA_WARNING),
                                            (Trigger.BREACH, "breached_at", clock.due_at, EventKind.SLA_BREACHED)):
                if getattr(clock, mark) is None and at <= now:
                    setattr(clock, mark, now)
                    marked.append(mark)
                    events.append(IssueEvent(issue_id=clock.issue_id, kind=kind, created_at=now, data={
                        "clock": clock.get_kind_display(), "due_at": clock.due_at.isoformat(),
                        "round": clock.round}))
                    runs += [EscalationRun(clock=clock, round=clock.round, step=step, created_at=now)
                             for policy in policies if policy.trigger == trigger
                             and policy.clock_kind in ("", clock.kind) for step in policy.steps.all()]
            groups[_update_group(clock, marked)].append(clock.pk)
        IssueEvent.objects.bulk_create(events)
        send_events_recorded(SlaClock, events)
        for (marked, next_check), ids in groups.items():
            SlaClock.objects.filter(pk__in=ids).update(next_check_at=next_check, **dict.fromkeys(marked, now))
        EscalationRun.objects.bulk_create(runs, ignore_conflicts=True)
        created = list(EscalationRun.objects.filter(clock__in=clocks, created_at=now, done_at=None)
                       .values_list("pk", flat=True))
        if created:
            transaction.on_commit(lambda: run_escalation_steps(created))
    return len(clocks), created


def _update_group(clock: SlaClock, marked: list[str]) -> tuple:
    """The UPDATE a checked clock belongs to: the marks just set, and its next check as the
    column it now equals (or a value, for a clock whose plan had drifted)."""
    from .clocks import schedule

    warn_at, due_at = clock.warn_at, clock.due_at
    schedule(clock, clock.policy.calendar if clock.policy else None)
    if (clock.warn_at, clock.due_at) != (warn_at, due_at):  # re-planned since: one row of its own
        SlaClock.objects.filter(pk=clock.pk).update(warn_at=clock.warn_at, due_at=clock.due_at)
        return tuple(marked), clock.next_check_at
    column = {None: None, warn_at: F("warn_at"), due_at: F("due_at")}[clock.next_check_at]
    return tuple(marked), column


def do_run_escalation_steps(run_ids: list[int]) -> list[EscalationRun]:
    """Run the steps of one sweep batch: everything they read is loaded in two queries; then each
    step claims its run, acts and records that it is done in a transaction of its own, so a retry
    after a failure (a webhook down) repeats only the steps that did not finish."""
    runs = list(EscalationRun.objects.filter(pk__in=run_ids, done_at=None).order_by("pk")
                .select_related("step__policy", "clock__issue__assignee"))
    on_call = {o.team_id: o for o in TeamOnCall.objects.filter(
        team_id__in={r.clock.issue.team_id for r in runs}).select_related("lead")}
    return [run for run in runs if _run_step(run, on_call.get(run.clock.issue.team_id))]


def do_run_escalation_step(run_id: int) -> EscalationRun | None:
    return next(iter(do_run_escalation_steps([run_id])), None)


def _run_step(run: EscalationRun, on_call: TeamOnCall | None) -> bool:
    with transaction.atomic():
        # The claim: another worker holding this run waits here, then finds it done.
        if not EscalationRun.objects.select_for_update().filter(pk=run.pk, done_at=None).values_list("pk"):
            return False
        issue, step = run.clock.issue, run.step
        what = f"{run.clock.get_kind_display().lower()} {step.policy.get_trigger_display().lower()}"
        subject = f"[{issue.key}] SLA {what}"
        body = (f"{issue.title}\n\nDue {run.clock.due_at:%Y-%m-%d %H:%M %Z}\n"
                f"{settings.BASE_URL}/desk/issues/{issue.key}/")
        outcome = _perform(step.action, issue, subject, body, on_call, run)
        run.done_at, run.outcome = timezone.now(), outcome[:300]
        EscalationRun.objects.filter(pk=run.pk).update(done_at=run.done_at, outcome=run.outcome)
        IssueEvent.objects.create(issue=issue, kind=EventKind.ESCALATION_STEP, created_at=run.done_at, data={
            "policy": step.policy.name, "action": step.get_action_display(), "outcome": run.outcome})
    return True


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

        issue.refresh_from_db(fields=["tier"])  # an earlier step of the batch may have raised it
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
