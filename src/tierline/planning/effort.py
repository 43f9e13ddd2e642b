"""How much time an engineer's actions on an issue stand for, when nobody logged it. Pure.

The rule (one place; the team page and the README quote it):

- An engineer's actions on one issue (replies, notes, status changes, hand-offs, calls, edits:
  `ACTION_KINDS`) are taken in time order; actions less than a minute apart are one action (one
  form that changed status, team and assignee writes several timeline events at once).
- Actions less than `SESSION_GAP` (30 minutes) apart belong to one working session, and the time
  between them counts; an action followed by nothing within 30 minutes counts `ACTION_MINUTES`
  (10 minutes); every action counts at least those 10 minutes.
- A session counts at most `SESSION_CAP` (4 hours): a long chain of small updates is not a day's work.
- Minutes count on the day (in the desk's time zone) of the action they follow.

Where the engineer logged time on the issue for a day, the logged time replaces the derived time
of that day (`ledger.py`): logged wins, never both.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, tzinfo

SESSION_GAP = timedelta(minutes=30)
ACTION_MINUTES = 10
SESSION_CAP = 240
SAME_ACTION = timedelta(minutes=1)

# Timeline kinds that are an engineer working on the issue (not the system, not logging time).
ACTION_KINDS = frozenset({
    "commented", "note_added", "status_changed", "reopened", "assigned", "team_changed", "tier_changed",
    "priority_changed", "fields_changed", "attachment_added", "priority_overridden", "escalated",
    "de_escalated", "questionnaire_answered", "problem_linked", "problem_unlinked", "team_task_changed",
    "call_logged",
})


def week_of(day: date) -> date:
    """The Monday starting the ISO week of `day`: weeks are keyed by their first day."""
    return day - timedelta(days=day.weekday())


def _actions(times: list[datetime]) -> list[datetime]:
    merged: list[datetime] = []
    for at in sorted(times):
        if merged and at - merged[-1] < SAME_ACTION:
            continue
        merged.append(at)
    return merged


def derive_minutes(times: list[datetime], tz: tzinfo = UTC) -> dict[date, int]:
    """Minutes per day that one engineer's actions on one issue stand for (the rule above)."""
    minutes: dict[date, int] = defaultdict(int)
    actions = _actions(times)
    session = 0
    for i, at in enumerate(actions):
        gap = actions[i + 1] - at if i + 1 < len(actions) else None
        continues = gap is not None and gap < SESSION_GAP
        credit = max(ACTION_MINUTES, round(gap.total_seconds() / 60)) if continues else ACTION_MINUTES
        credit = max(0, min(credit, SESSION_CAP - session))
        if credit:
            minutes[at.astimezone(tz).date()] += credit
        session = session + credit if continues else 0
    return dict(minutes)
