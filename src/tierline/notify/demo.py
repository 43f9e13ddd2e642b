"""The demo's closing of the loop: customers' ratings of past resolutions (so the CSAT figures have a
history), and a problem whose fix is in progress, linked to a few open issues, ready for "Fix shipped"."""

import random
from datetime import datetime, timedelta

from tierline.escalation.models import ProblemStatus
from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem
from tierline.issues.models import Issue, Status

from .surveys import do_rate_issue, make_rating_token

COMMENTS = {"good": ["Quick and clear, thank you!", "Solved on the first try.", ""],
            "bad": ["It took far too long.", "I had to explain the problem three times.", ""]}


def seed_notify(*, rng: random.Random, now: datetime) -> None:
    resolved = (Issue.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED), requester__isnull=False,
                                     resolved_at__isnull=False).order_by("id"))
    for issue in resolved.iterator():
        if rng.random() > 0.35:  # most customers never answer a survey
            continue
        good_chance = 0.9 - 0.1 * max(0, issue.tier - 2) - (0.15 if issue.priority == 0 else 0)
        rating = "good" if rng.random() < good_chance else "bad"
        at = min(issue.resolved_at + timedelta(hours=rng.randint(1, 48)), now)
        do_rate_issue(make_rating_token(issue), rating=rating, comment=rng.choice(COMMENTS[rating]), at=at)
    open_issues = list(Issue.objects.filter(status__in=(Status.OPEN, Status.PENDING), requester__isnull=False,
                                            component__name="Billing").order_by("-created_at")[:4])
    if open_issues:
        problem = do_create_problem(actor=None, title="Invoice totals round twice for multi-currency accounts",
                                    fix_version="4.12.0", at=now - timedelta(days=2))
        for issue in open_issues:
            do_link_issue_to_problem(problem, issue, actor=None, at=now - timedelta(days=1))
        from tierline.escalation.problems import do_update_problem

        do_update_problem(problem, actor=None, status=ProblemStatus.FIX_IN_PROGRESS, at=now - timedelta(hours=6))
