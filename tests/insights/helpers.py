"""Hand-built issue histories with known answers, written through the real actions at fixed times."""

from datetime import UTC, date, datetime, timedelta

from tests.factories import make_issue, make_staff
from tierline.escalation.actions import do_escalate_issue
from tierline.insights.actions import do_rebuild_issue_facts
from tierline.insights.queries import Filters
from tierline.issues.actions import do_add_comment, do_update_issue

# A Monday, well in the past, so periods and weeks are known.
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
WEEK = date(2026, 6, 1)


def period(**fields) -> Filters:
    return Filters(since=date(2026, 5, 1), until=date(2026, 7, 31), **fields)


def reply(issue, agent, at):
    return do_add_comment(issue, author=agent, is_public=True, body="Looking into it", notify=False, at=at)


def resolve(issue, agent, at):
    return do_update_issue(issue, actor=agent, status="resolved", at=at)


def issue_answered_after(minutes: float, *, resolved_after: float | None = None, agent=None, created=T0, **fields):
    agent = agent or make_staff("support_t1")
    issue = make_issue(at=created, **fields)
    reply(issue, agent, created + timedelta(minutes=minutes))
    if resolved_after is not None:
        resolve(issue, agent, created + timedelta(minutes=resolved_after))
    return issue


def escalate(issue, to_tier: int, at, team=None):
    return do_escalate_issue(issue, actor=None, note="over to you", to_tier=to_tier, team=team,
                             check_requirements=False, at=at)


def rebuild(now=None) -> int:
    return do_rebuild_issue_facts(now=now)
