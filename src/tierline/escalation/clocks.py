"""SLA clocks: which policy applies to an issue, and keeping its clocks in step with it.

`sync_sla_clocks` runs inside the issue actions' transactions (tierline.issues.actions) after
every change; the clock's state follows from the issue:

- first response runs from creation until the first public staff reply (or an agent's call that
  reached the customer, at the time of the call: `tierline.calls.actions.is_response`);
- next response runs from a customer's reply (after the first response) until staff answer
  (a reply, or such a call made after the customer wrote);
- resolution runs from creation until the issue is done;
- every clock pauses while the issue waits on the customer (pending) or is done, and on resume
  the business minutes spent paused push its warning and due times out; a reopened issue's
  resolution clock resumes where it stopped.

`SlaClockBatch` does the same for many issues changed in one transaction (alert intake), in a
fixed number of statements.

`do_replan_sla_clocks` follows a configuration change instead: the open clocks a calendar or
policy governs get the policy that now matches their issue and new due times.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from tierline.bulk import column_list, read_rows, update_rows
from tierline.issues.models import DONE_STATUSES, Issue, Status

from .calendars import add_business_minutes, business_minutes_between
from .models import BusinessCalendar, ClockKind, SlaClock, SlaPolicy

PAUSING_STATUSES = frozenset({Status.PENDING, *DONE_STATUSES})
TARGET_FIELD = {ClockKind.FIRST_RESPONSE: "first_response_minutes",
                ClockKind.NEXT_RESPONSE: "next_response_minutes",
                ClockKind.RESOLUTION: "resolution_minutes"}


def find_sla_policy(plan: str, priority: int, policies=None) -> SlaPolicy | None:
    """The most specific policy: plan and priority, then plan only, then priority only, then any."""
    if policies is None:
        policies = SlaPolicy.objects.filter(Q(plan=plan) | Q(plan=""),
                                            Q(priority=priority) | Q(priority__isnull=True))
    matching = [p for p in policies if p.plan in (plan, "") and p.priority in (priority, None)]
    return max(matching, key=lambda p: (p.plan != "", p.priority is not None), default=None)


def schedule(clock: SlaClock, calendar) -> None:
    """Warning and due times from the start, the target and the time spent paused; and the one
    instant the sweep has to look at this clock again."""
    clock.warn_at = add_business_minutes(calendar, clock.started_at,
                                         clock.target_minutes * settings.SLA_WARNING_RATIO + clock.paused_minutes)
    clock.due_at = add_business_minutes(calendar, clock.started_at, clock.target_minutes + clock.paused_minutes)
    if clock.stopped_at or clock.paused_at:
        clock.next_check_at = None
    elif clock.warned_at is None:
        clock.next_check_at = clock.warn_at
    elif clock.breached_at is None:
        clock.next_check_at = clock.due_at
    else:
        clock.next_check_at = None


def new_clock(issue: Issue, kind: str, policy: SlaPolicy, started_at: datetime) -> SlaClock:
    clock = SlaClock(issue=issue, kind=kind, policy=policy, target_minutes=getattr(policy, TARGET_FIELD[kind]),
                     started_at=started_at)
    schedule(clock, policy.calendar)
    return clock


def _pause(clock: SlaClock, now: datetime) -> bool:
    if clock.paused_at or clock.stopped_at:
        return False
    clock.paused_at = now
    return True


def _resume(clock: SlaClock, now: datetime, calendar) -> bool:
    if clock.paused_at is None:
        return False
    clock.paused_minutes += business_minutes_between(calendar, clock.paused_at, now)
    clock.paused_at = None
    return True


def sync_sla_clocks(issue: Issue, now: datetime, *, reply: str | None = None) -> None:
    """Bring the issue's clocks in line with it; `reply` is "staff" or "customer" for a new
    public reply. Call inside the action's transaction, after the issue row is saved."""
    plan = issue.organization.plan if issue.organization_id else ""
    # A desk has a handful of policies: one plain read of them all (with their calendars) serves
    # the matching and the clocks' own policies, cheaper to build than a filtered query and a join.
    policies = list(SlaPolicy.objects.select_related("calendar"))
    policy = find_sla_policy(plan, issue.priority, policies)
    by_pk = {p.pk: p for p in policies}
    clocks = {}
    for clock in _locked_clocks(issue.pk):
        clock.policy = by_pk.get(clock.policy_id)
        clocks[clock.kind] = clock
    for clock in _step_clocks(issue, clocks, policy, now, reply).values():
        if clock.pk is None:
            clock.save(force_insert=True)
        else:
            clock.save(update_fields=CLOCK_STATE_FIELDS)


_LOCKED_CLOCKS_SQL: dict[str, str] = {}


def _locked_clocks(issue_id: int) -> list[SlaClock]:
    """The issue's clocks, locked, by the statement the ORM builds for
    `SlaClock.objects.select_for_update().filter(issue_id=...)`, built once per database vendor:
    every chat message runs it, and building it cost twice as much as running it."""
    sql = _LOCKED_CLOCKS_SQL.get(connection.vendor)
    if sql is None:
        sql, _ = SlaClock.objects.select_for_update().filter(issue_id=0).query.sql_with_params()
        _LOCKED_CLOCKS_SQL[connection.vendor] = sql
    return list(SlaClock.objects.raw(sql, [issue_id]))


def _step_clocks(issue: Issue, clocks: dict[str, SlaClock], policy: SlaPolicy | None, now: datetime,
                 reply: str | None = None) -> dict[str, SlaClock]:
    """Change `clocks` (the issue's, by kind; new ones are added) to follow the issue, in memory;
    returns the clocks to write, already re-planned."""
    if policy is None and not clocks:
        return {}
    changed: dict[str, SlaClock] = {}
    if policy is not None:
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            if kind not in clocks:
                clocks[kind] = changed[kind] = new_clock(issue, kind, policy, issue.created_at)
    first = clocks.get(ClockKind.FIRST_RESPONSE)
    if first and first.stopped_at is None and issue.first_response_at:
        first.stopped_at = issue.first_response_at
        changed[first.kind] = first
    following = clocks.get(ClockKind.NEXT_RESPONSE)
    if reply == "staff" and following and following.stopped_at is None:
        following.stopped_at = now
        changed[following.kind] = following
    elif reply == "customer" and issue.first_response_at and policy is not None:
        if following is None:
            clocks[ClockKind.NEXT_RESPONSE] = changed[ClockKind.NEXT_RESPONSE] = new_clock(
                issue, ClockKind.NEXT_RESPONSE, policy, now)
        elif following.stopped_at is not None:
            # A new round: its escalation steps run again (EscalationRun is keyed by round).
            following.round += 1
            following.started_at, following.stopped_at, following.paused_at = now, None, None
            following.paused_minutes, following.warned_at, following.breached_at = 0, None, None
            changed[following.kind] = following
    is_paused = issue.status in PAUSING_STATUSES
    for clock in clocks.values():
        calendar = clock.policy.calendar if clock.policy else None
        if (_pause(clock, now) if is_paused else _resume(clock, now, calendar)):
            changed[clock.kind] = clock
        if policy is not None and clock.stopped_at is None and (
                clock.policy_id != policy.pk or clock.target_minutes != getattr(policy, TARGET_FIELD[clock.kind])):
            clock.policy, clock.target_minutes = policy, getattr(policy, TARGET_FIELD[clock.kind])
            changed[clock.kind] = clock
    for clock in changed.values():
        schedule(clock, clock.policy.calendar if clock.policy else None)
    return changed


CLOCK_STATE_FIELDS = ("policy", "round", "target_minutes", "started_at", "paused_minutes", "paused_at", "warn_at",
                      "due_at", "stopped_at", "warned_at", "breached_at", "next_check_at")


class SlaClockBatch:
    """The clocks of many issues changed in one transaction (`issues.actions.do_update_issues`):
    read and locked in one query, stepped in memory after each change exactly as `sync_sla_clocks`
    does, and written at the end in two statements whatever the number of issues."""

    def __init__(self, issue_ids: Iterable[int]):
        self.policies: list[SlaPolicy] | None = None  # read when first needed
        self.clocks: dict[int, dict[str, SlaClock]] = defaultdict(dict)
        self.changed: dict[tuple[int, str], SlaClock] = {}
        issue_ids = list(issue_ids)
        if not issue_ids:
            return
        # Plain SQL (`bulk.read_rows`), cheaper to build than the ORM's query. Their policies (and
        # calendars) come from the one list of policies, not a join per clock.
        found = read_rows(SlaClock, f"SELECT {column_list(SlaClock)} FROM escalation_slaclock WHERE issue_id IN"
                                    f" ({', '.join(['%s'] * len(issue_ids))}) ORDER BY id"
                                    f"{' FOR UPDATE' if connection.features.has_select_for_update else ''}",
                          issue_ids)
        policies = {policy.pk: policy for policy in self._policies()} if found else {}
        for clock in found:
            clock.policy = policies.get(clock.policy_id)
            self.clocks[clock.issue_id][clock.kind] = clock

    def _policies(self) -> list[SlaPolicy]:
        if self.policies is None:
            self.policies = _read_policies()
        return self.policies

    def sync(self, issue: Issue, now: datetime) -> None:
        self._policies()
        plan = issue.organization.plan if issue.organization_id else ""
        policy = find_sla_policy(plan, issue.priority, self.policies)
        for clock in _step_clocks(issue, self.clocks[issue.pk], policy, now).values():
            self.changed[issue.pk, clock.kind] = clock

    def save(self) -> None:
        new = [c for c in self.changed.values() if c.pk is None]
        if new:
            SlaClock.objects.bulk_create(new)
        existing = [c for c in self.changed.values() if c.pk is not None]
        if existing:
            update_rows(existing, CLOCK_STATE_FIELDS)
        self.changed = {}


def _read_policies() -> list[SlaPolicy]:
    """Every policy with its calendar, as `SlaPolicy.objects.select_related("calendar")` reads
    them, in two plain reads (`bulk.read_rows`): cheaper to build than the ORM's join."""
    policies = read_rows(SlaPolicy, f"SELECT {column_list(SlaPolicy)} FROM escalation_slapolicy ORDER BY id", [])
    wanted = sorted({policy.calendar_id for policy in policies if policy.calendar_id})
    calendars = {calendar.pk: calendar for calendar in read_rows(
        BusinessCalendar, f"SELECT {column_list(BusinessCalendar)} FROM escalation_businesscalendar"
        f" WHERE id IN ({', '.join(['%s'] * len(wanted))})", wanted)} if wanted else {}
    for policy in policies:
        policy.calendar = calendars.get(policy.calendar_id)
    return policies


def start_sla_clocks_bulk(issues: list[Issue]) -> int:
    """First-response and resolution clocks for issues just opened in bulk, in a few queries."""
    policies = _read_policies()
    if not policies:
        return 0
    plans = {}
    clocks = []
    for issue in issues:
        if issue.organization_id not in plans:
            plans[issue.organization_id] = issue.organization.plan if issue.organization_id else ""
        policy = find_sla_policy(plans[issue.organization_id], issue.priority, policies)
        if policy is None or issue.status in DONE_STATUSES:
            continue
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            clocks.append(new_clock(issue, kind, policy, issue.created_at))
    SlaClock.objects.bulk_create(clocks, batch_size=1000)
    return len(clocks)


REPLAN_BATCH = 500


def governed_clocks(scope: dict) -> Q:
    """The clocks a configuration change may move. `scope` (JSON, it travels through the queue):
    `calendar_id`, `policy_id`, `orphans` (clocks whose policy was deleted), and `match`
    ({"plan", "priority"}: the issues a policy covers; blank or null matches any)."""
    governed = Q(pk__in=[])
    if scope.get("calendar_id"):
        governed |= Q(policy__calendar_id=scope["calendar_id"])
    if scope.get("policy_id"):
        governed |= Q(policy_id=scope["policy_id"])
    if scope.get("orphans"):
        governed |= Q(policy__isnull=True)
    if "match" in scope:
        match, covered = scope["match"], Q()
        if match.get("plan"):
            covered &= Q(issue__organization__plan=match["plan"])
        if match.get("priority") is not None:
            covered &= Q(issue__priority=match["priority"])
        governed |= covered
    return governed


def do_replan_sla_clocks(scope: dict, *, batch: int = REPLAN_BATCH) -> int:
    """Give each open clock in scope the policy that now matches its issue and re-plan its warning,
    due and next-check times, a batch per transaction; returns how many clocks moved."""
    policies = list(SlaPolicy.objects.select_related("calendar"))
    by_pk = {p.pk: p for p in policies}
    governed, last, moved = governed_clocks(scope), 0, 0
    while True:
        with transaction.atomic():
            clocks = list(SlaClock.objects.filter(governed, stopped_at__isnull=True, pk__gt=last)
                          .select_related("issue__organization").select_for_update(of=("self",))
                          .order_by("pk")[:batch])
            for clock in clocks:
                moved += _replan(clock, policies, by_pk)
        if len(clocks) < batch:
            return moved
        last = clocks[-1].pk


def _replan(clock: SlaClock, policies: list[SlaPolicy], by_pk: dict) -> bool:
    issue = clock.issue
    plan = issue.organization.plan if issue.organization_id else ""
    policy = find_sla_policy(plan, issue.priority, policies) or by_pk.get(clock.policy_id)
    before = (clock.policy_id, clock.target_minutes, clock.warn_at, clock.due_at, clock.next_check_at)
    if policy is not None:
        clock.policy_id, clock.target_minutes = policy.pk, getattr(policy, TARGET_FIELD[clock.kind])
    schedule(clock, policy.calendar if policy else None)
    after = (clock.policy_id, clock.target_minutes, clock.warn_at, clock.due_at, clock.next_check_at)
    if after == before:
        return False
    SlaClock.objects.filter(pk=clock.pk).update(policy_id=clock.policy_id, target_minutes=clock.target_minutes,
                                                warn_at=clock.warn_at, due_at=clock.due_at,
                                                next_check_at=clock.next_check_at)
    return True
