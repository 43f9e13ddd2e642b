"""The only writes of the insights app: its derived fact rows, and the audit entry of an export.

`do_refresh_issue_facts(ids)` recomputes the facts of some issues from their history (a batch costs
four reads and two writes, whatever its size); `do_rebuild_issue_facts()` drops them all and
recomputes every one, and must give the same rows; `do_refresh_changed_facts()` is the worker's
periodic run over what changed since the last one.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.bulk import insert_rows
from tierline.escalation.models import ProblemLink, SlaClock
from tierline.issues.models import Issue, IssueEvent

from .facts import HISTORY_KINDS, Clock, Event, build_fact
from .models import IssueFact, RefreshMark

BATCH = 2000
ISSUE_COLUMNS = ("id", "created_at", "channel", "organization_id", "team_id", "component_id", "priority",
                 "tier", "status", "first_response_at", "resolved_at")
# A run looks back this far before its mark, for writes whose transaction committed late.
OVERLAP = timedelta(minutes=10)


def _facts_for(ids: list[int], now: datetime) -> list[IssueFact]:
    events, clocks, problems = defaultdict(list), defaultdict(list), {}
    for issue_id, kind, at, data in (IssueEvent.objects.filter(issue_id__in=ids, kind__in=HISTORY_KINDS)
                                     .values_list("issue_id", "kind", "created_at", "data")):
        events[issue_id].append(Event(kind, at, data or {}))
    for issue_id, kind, due, stopped, paused, breached in (
            SlaClock.objects.filter(issue_id__in=ids)
            .values_list("issue_id", "kind", "due_at", "stopped_at", "paused_at", "breached_at")):
        clocks[issue_id].append(Clock(kind, due, stopped, paused, breached))
    for issue_id, problem_id in (ProblemLink.objects.filter(issue_id__in=ids)
                                 .order_by("-linked_at", "-id").values_list("issue_id", "problem_id")):
        problems[issue_id] = problem_id  # the earliest link wins: it is written last
    return [IssueFact(**build_fact(dict(zip(ISSUE_COLUMNS, row, strict=True)), events[row[0]], clocks[row[0]],
                                   problems.get(row[0]), now))
            for row in Issue.objects.filter(pk__in=ids).values_list(*ISSUE_COLUMNS)]


def do_refresh_issue_facts(issue_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Recompute the facts of these issues (a deleted issue loses its fact). Returns how many."""
    now = now or timezone.now()
    ids, written = sorted(set(issue_ids)), 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        with transaction.atomic():
            facts = _facts_for(chunk, now)
            IssueFact.objects.filter(issue_id__in=chunk).delete()
            insert_rows(facts)
        written += len(facts)
    return written


def do_rebuild_issue_facts(*, now: datetime | None = None) -> int:
    """Every fact from scratch, and the mark set to now."""
    now = now or timezone.now()
    IssueFact.objects.all().delete()
    written, last = 0, 0
    while True:
        ids = list(Issue.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH * 5])
        if not ids:
            break
        written += do_refresh_issue_facts(ids, now=now)
        last = ids[-1]
    RefreshMark.objects.update_or_create(name="facts", defaults={"refreshed_until": now})
    return written


def changed_issue_ids(since: datetime, now: datetime) -> set[int]:
    """Issues whose facts may have moved since `since`: changed ones, ones whose SLA clock fell due
    (a breach the sweep records does not always touch the issue), and newly linked ones."""
    ids = set(Issue.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids |= set(SlaClock.objects.filter(due_at__gte=since, due_at__lte=now).values_list("issue_id", flat=True))
    ids |= set(ProblemLink.objects.filter(linked_at__gte=since).values_list("issue_id", flat=True))
    return ids


def do_refresh_changed_facts(*, now: datetime | None = None) -> int:
    """The worker's run: facts of the issues changed since the last run (all of them the first time)."""
    now = now or timezone.now()
    mark = RefreshMark.objects.filter(name="facts").first()
    if mark is None:
        return do_rebuild_issue_facts(now=now)
    written = do_refresh_issue_facts(changed_issue_ids(mark.refreshed_until - OVERLAP, now), now=now)
    RefreshMark.objects.filter(pk=mark.pk).update(refreshed_until=now)
    return written


def do_record_insights_export(*, actor, table: str, filters: dict, rows: int) -> None:
    """An export of a table that names customers (organizations, their issues) is recorded."""
    do_record_audit(action=AuditAction.INSIGHTS_EXPORTED, actor=actor, target_type="insights.table",
                    target_id=table, data={"filters": filters, "rows": rows, "format": "csv"})
