"""A problem's fix shipped: every customer whose issue is linked to it is told once.

`do_ship_fix` records the `FixRelease` (and marks the problem fixed through the escalation app's
action); the worker's `tell_customers_of_fix` task then runs `do_tell_customers_of_fix`, which reads
the linked issues not told yet a batch at a time and tells each in a transaction of its own
(`do_tell_issue_of_fix`: a public reply, which the issues app emails to the requester, the
`fix_shipped` event, the resolution when the release says so, and the `ProblemNotice` row that makes
a second run skip it). A retry or a second "fixed" therefore tells nobody twice, and an issue linked
after the fix shipped is told by the next run.
"""

import contextvars
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tierline.accounts.models import User
from tierline.escalation.models import Problem, ProblemLink, ProblemStatus
from tierline.issues.models import EventKind, Issue, IssueEvent, Status
from tierline.issues.signals import send_events_recorded

from .models import FixRelease, ProblemNotice

BATCH = 50
MAX_NOTE = 2000
# Set while do_ship_fix marks the problem fixed, so the escalation app's signal does not ship it again.
_shipping = contextvars.ContextVar("shipping_fix", default=False)


def issues_to_tell(problem: Problem):
    """The linked issues whose customers have not been told of this problem's fix."""
    told = ProblemNotice.objects.filter(release__problem=problem).values("issue_id")
    return ProblemLink.objects.filter(problem=problem).exclude(issue_id__in=told)


def do_ship_fix(problem: Problem, *, actor: User | None, version: str | None = None, note: str = "",
                resolve_issues: bool | None = None, at: datetime | None = None) -> FixRelease:
    """Record that the fix shipped (the first call decides version, note and resolving; later calls
    only tell issues linked since) and queue the telling for after the commit."""
    from .tasks import tell_customers_of_fix

    note = (note or "").strip()[:MAX_NOTE]
    now = at or timezone.now()
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        release = FixRelease.objects.filter(problem=problem).first()
        if release is None:
            release = FixRelease.objects.create(
                problem=problem, version=(version if version is not None else problem.fix_version).strip()[:50],
                note=note, shipped_by=actor, shipped_at=now,
                resolve_issues=settings.RESOLVE_ON_FIX if resolve_issues is None else resolve_issues)
        if problem.status not in (ProblemStatus.FIXED, ProblemStatus.CLOSED):
            from tierline.escalation.problems import do_update_problem

            changes = {"status": ProblemStatus.FIXED}
            if release.version and not problem.fix_version:
                changes["fix_version"] = release.version
            token = _shipping.set(True)
            try:
                do_update_problem(problem, actor=actor, at=now, **changes)
            finally:
                _shipping.reset(token)
        release_id = release.pk
        transaction.on_commit(lambda: tell_customers_of_fix(release_id))
    return release


def ship_fix_when_problem_fixed(sender, problem: Problem, actor: User | None, at: datetime, **kwargs) -> None:
    """The escalation app's `problem_fixed`: a problem set to fixed by hand ships its fix too."""
    if not _shipping.get():
        do_ship_fix(problem, actor=actor, at=at)


def customer_message(release: FixRelease, *, resolves: bool) -> str:
    shipped = f"in version {release.version}" if release.version else "to production"
    lines = [f"Good news: the fix for the problem behind this issue has shipped {shipped}."]
    if release.note:
        lines += ["", release.note]
    lines += ["", "We have marked this issue resolved. If you still see the problem, reply here and we will "
                  "reopen it." if resolves else "If you still see the problem, reply here and let us know."]
    return "\n".join(lines)


def do_tell_issue_of_fix(release: FixRelease, issue: Issue) -> ProblemNotice | None:
    """Tell one issue's customer, all in one transaction; None when it was told already."""
    from tierline.issues.actions import do_add_comment, do_update_issue

    now = timezone.now()
    with transaction.atomic():
        if ProblemNotice.objects.filter(release=release, issue=issue).exists():
            return None
        try:
            with transaction.atomic():
                notice = ProblemNotice.objects.create(release=release, issue=issue, told_at=now)
        except IntegrityError:
            return None  # another run is telling it right now (the unique notice row)
        resolves = release.resolve_issues and issue.status not in (Status.RESOLVED, Status.CLOSED)
        comment = do_add_comment(issue, body=customer_message(release, resolves=resolves), is_public=True,
                                 author=release.shipped_by, at=now)
        event = IssueEvent.objects.create(
            issue=issue, kind=EventKind.FIX_SHIPPED, actor=release.shipped_by, comment=comment, created_at=now,
            data={"problem": {"id": release.problem_id, "name": f"PRB-{release.problem_id}"},
                  "version": release.version, "resolves": resolves})
        send_events_recorded(FixRelease, [event])
        if resolves:
            do_update_issue(issue, actor=release.shipped_by, at=now, status=Status.RESOLVED)
        notice.comment, notice.resolved_issue = comment, resolves
        notice.save(update_fields=["comment", "resolved_issue"])
    return notice


def do_tell_customers_of_fix(release_id: int, *, batch: int = BATCH) -> int:
    """Tell every linked issue not told yet, a batch at a time; returns how many were told."""
    release = FixRelease.objects.select_related("problem", "shipped_by").filter(pk=release_id).first()
    if release is None:
        return 0
    told, after = 0, 0
    while True:
        ids = list(issues_to_tell(release.problem).filter(issue_id__gt=after).order_by("issue_id")
                   .values_list("issue_id", flat=True)[:batch])
        if not ids:
            return told
        for issue in Issue.objects.filter(pk__in=ids).order_by("pk"):
            told += do_tell_issue_of_fix(release, issue) is not None
        after = ids[-1]
