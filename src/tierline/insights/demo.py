"""The demo's analytics: a few reopenings and repeat problems on top of the seeded history, written
through the actions at historical times, then the fact rows built once."""

import random
from datetime import datetime, timedelta

from tierline.issues.models import Issue

from .actions import do_rebuild_issue_facts, do_snapshot_default_tables

PROBLEMS = (("Billing", "Invoice totals rounded per line instead of per invoice"),
            ("Data import", "Import worker loses its lease under load"),
            ("Reporting", "Report export times out above 50,000 rows"))


def _reopen_some(rng: random.Random, now: datetime) -> None:
    from tierline.issues.actions import do_add_comment, do_update_issue

    done = list(Issue.objects.filter(status__in=("resolved", "closed"), resolved_at__isnull=False)
                .select_related("requester").order_by("pk"))
    for issue in rng.sample(done, k=len(done) // 25):
        when = issue.resolved_at + timedelta(days=rng.randint(8, 12), hours=rng.randint(1, 6))
        if when >= now:
            continue
        do_add_comment(issue, author_contact=issue.requester, is_public=True, notify=False, at=when,
                       body="This is happening again since this morning.")
        issue = Issue.objects.get(pk=issue.pk)
        if issue.status != "open":
            do_update_issue(issue, actor=None, status="open", at=when)


def _repeat_problems(rng: random.Random, now: datetime) -> None:
    from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem

    for component, title in PROBLEMS:
        issues = list(Issue.objects.filter(component__name=component).order_by("created_at")[:400])
        if len(issues) < 2:
            continue
        linked = sorted(rng.sample(issues, k=min(len(issues), rng.randint(8, 18))), key=lambda i: i.created_at)
        problem = do_create_problem(actor=None, title=title, at=linked[0].created_at + timedelta(hours=2))
        for issue in linked:
            do_link_issue_to_problem(problem, issue, actor=None,
                                     at=max(issue.created_at, problem.created_at) + timedelta(hours=3))


def seed_insights(*, rng: random.Random, now: datetime) -> None:
    _reopen_some(rng, now)
    _repeat_problems(rng, now)
    do_rebuild_issue_facts(now=now)
    do_snapshot_default_tables()
