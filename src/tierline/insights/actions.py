"""The only writes of the insights app: its derived fact rows, and the audit entry of an export.

`do_refresh_issue_facts(ids)` recomputes the facts of some issues from their history (a batch costs
four reads and two writes per batch of ids); `do_rebuild_issue_facts()` drops them all and
recomputes every one, and must give the same rows; `do_refresh_changed_facts()` is the worker's
periodic run over what changed since the last one, after which `do_snapshot_default_tables()`
computes the default views once for everybody (`TableSnapshot`).
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.escalation.models import ProblemLink, SlaClock
from tierline.issues.models import Issue, IssueEvent

from .facts import HISTORY_KINDS, Clock, Event, build_fact
from .models import IssueFact, RefreshMark, TableSnapshot

BATCH = 2000
REBUILD_RANGE = 10_000  # issue ids per transaction of a rebuild
ISSUE_COLUMNS = ("id", "created_at", "channel", "organization_id", "team_id", "component_id", "priority",
                 "tier", "status", "first_response_at", "resolved_at")
# A run looks back this far before its mark, for writes whose transaction committed late.
OVERLAP = timedelta(minutes=10)


def _facts_for(where: dict, now: datetime) -> list[dict]:
    """The facts of the issues `where` picks (by `issue_id__...` lookups): four reads."""
    events, clocks, problems = defaultdict(list), defaultdict(list), {}
    for issue_id, kind, at, data in (IssueEvent.objects.filter(kind__in=HISTORY_KINDS, **where)
                                     .values_list("issue_id", "kind", "created_at", "data")):
        events[issue_id].append(Event(kind, at, data or {}))
    for issue_id, kind, due, stopped, paused, breached in (
            SlaClock.objects.filter(**where)
            .values_list("issue_id", "kind", "due_at", "stopped_at", "paused_at", "breached_at")):
        clocks[issue_id].append(Clock(kind, due, stopped, paused, breached))
    for issue_id, problem_id in (ProblemLink.objects.filter(**where)
                                 .order_by("-linked_at", "-id").values_list("issue_id", "problem_id")):
        problems[issue_id] = problem_id  # the earliest link wins: it is written last
    issues = Issue.objects.filter(**{k.replace("issue_id", "pk"): v for k, v in where.items()})
    return [build_fact(dict(zip(ISSUE_COLUMNS, row, strict=True)), events[row[0]], clocks[row[0]],
                       problems.get(row[0]), now)
            for row in issues.values_list(*ISSUE_COLUMNS)]


def _insert_facts(facts: list[dict]) -> None:
    # Plain executemany over the computed values: building model instances to prepare them
    # would cost more than computing the facts.
    if not facts:
        return
    ops, quote = connection.ops, connection.ops.quote_name
    names = list(facts[0])
    adapt = {f.attname: (ops.adapt_datetimefield_value if f.get_internal_type() == "DateTimeField"
                         else ops.adapt_datefield_value) for f in IssueFact._meta.concrete_fields
             if f.get_internal_type() in ("DateTimeField", "DateField")}
    by_attname = {f.attname: f.column for f in IssueFact._meta.concrete_fields}
    columns = [by_attname[n] for n in names]
    sql = (f"INSERT INTO {quote(IssueFact._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(names))})")
    rows = [[adapt[n](fact[n]) if n in adapt and fact[n] is not None else fact[n] for n in names] for fact in facts]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _replace_facts(where: dict, now: datetime) -> int:
    with transaction.atomic():
        facts = _facts_for(where, now)
        IssueFact.objects.filter(**where).delete()
        _insert_facts(facts)
    return len(facts)


def do_refresh_issue_facts(issue_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Recompute the facts of these issues (a deleted issue loses its fact). Returns how many."""
    now = now or timezone.now()
    ids = sorted(set(issue_ids))
    return sum(_replace_facts({"issue_id__in": ids[start:start + BATCH]}, now) for start in range(0, len(ids), BATCH))


def do_rebuild_issue_facts(*, now: datetime | None = None) -> int:
    """Every fact from scratch, a range of issue ids at a time, and the mark set to now."""
    now = now or timezone.now()
    IssueFact.objects.all().delete()
    written, last = 0, 0
    top = Issue.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    while last < top:
        written += _replace_facts({"issue_id__gt": last, "issue_id__lte": last + REBUILD_RANGE}, now)
        last += REBUILD_RANGE
    RefreshMark.objects.update_or_create(name="facts", defaults={"refreshed_until": now})
    return written


def changed_issue_ids(since: datetime, now: datetime) -> set[int]:
    """Issues whose facts may have moved since `since`: changed ones, ones whose SLA clock fell due
    (a breach the sweep records does not always touch the issue), newly linked ones, and new ones."""
    ids = set(Issue.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    # Issues newer than every fact, even written with an older time (imports, history).
    newest = IssueFact.objects.order_by("-issue_id").values_list("issue_id", flat=True).first() or 0
    ids |= set(Issue.objects.filter(pk__gt=newest).values_list("pk", flat=True))
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


def do_store_table_snapshot(*, name: str, params: str, facts_until: datetime, rows: list[dict]) -> None:
    rows = json.loads(json.dumps(rows, cls=DjangoJSONEncoder))
    TableSnapshot.objects.bulk_create(
        [TableSnapshot(name=name, params=params, facts_until=facts_until, rows=rows, computed_at=timezone.now())],
        update_conflicts=True, unique_fields=["name", "params"], update_fields=["facts_until", "rows", "computed_at"])


def do_snapshot_default_tables() -> int:
    """Every table for the default filters, over the facts as they are now (after a refresh)."""
    from .queries import parse_filters
    from .tables import TABLES, facts_until, table_rows

    filters = parse_filters({})
    TableSnapshot.objects.exclude(params=filters_key(filters)).delete()  # other views wait for a visitor
    until = facts_until()
    for name in TABLES:
        table_rows(name, filters, fresh=True, until=until)
    return len(TABLES)


def filters_key(filters) -> str:
    return urlencode(sorted(filters.as_params().items()))


def do_record_insights_export(*, actor, table: str, filters: dict, rows: int) -> None:
    """An export of a table that names customers (organizations, their issues) is recorded."""
    do_record_audit(action=AuditAction.INSIGHTS_EXPORTED, actor=actor, target_type="insights.table",
                    target_id=table, data={"filters": filters, "rows": rows, "format": "csv"})
