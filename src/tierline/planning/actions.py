"""Every write of planning: time logged on an issue (and removed again), and teams' budgets.

`do_log_time` and `do_remove_time_entry` write the entry and a `time_logged` timeline event in
one transaction; a removed entry is kept, marked removed, and stops counting. `do_set_team_budget`
adds a budget row (the history stays) and its audit entry.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import Team, User
from tierline.accounts.permissions import has_perm
from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.issues.models import EventKind, Issue, IssueEvent
from tierline.text import text_problems

from .models import TeamBudget, TimeEntry

MAX_MINUTES = 24 * 60  # one entry is at most a day's work
MAX_NOTE = 500
OWN_ENTRY_REMOVABLE = timedelta(days=1)
MAX_BUDGET_HOURS = Decimal(10_000)
MAX_PERIOD_WEEKS = 12


def team_for(user: User, issue: Issue) -> Team | None:
    """Whose time it is: the issue's team when the user belongs to it, else the user's own
    (first) team. The ledger counts derived time the same way (`ledger.py`)."""
    teams = list(user.teams.order_by("tier", "name"))
    return next((t for t in teams if t.pk == issue.team_id), teams[0] if teams else None)


def _check_time(minutes, spent_on: date, note: str) -> None:
    problems = {}
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        problems["minutes"] = f"1 to {MAX_MINUTES} minutes"
    today = timezone.localdate()
    if spent_on > today + timedelta(days=1):  # a day ahead: the engineer's time zone may be later
        problems["spent_on"] = "not in the future"
    elif spent_on < today - timedelta(days=366):
        problems["spent_on"] = "within the last year"
    problems.update(text_problems({"note": note}, {"note": MAX_NOTE}))
    if problems:
        raise InvalidInput("Invalid time entry", problems)


def _event_data(entry: TimeEntry, change: str) -> dict:
    return {"entry": entry.pk, "change": change, "minutes": entry.minutes, "spent_on": entry.spent_on.isoformat(),
            "note": entry.note, "user": {"id": entry.user_id, "name": entry.user.display_name},
            "team": {"id": entry.team.pk, "name": entry.team.name} if entry.team_id else None}


def do_log_time(issue: Issue, *, actor: User, minutes: int, spent_on: date | None = None, note: str = "",
                team: Team | None = None, at: datetime | None = None) -> TimeEntry:
    now = at or timezone.now()
    spent_on = spent_on or timezone.localdate(now)
    note = (note or "").strip()
    _check_time(minutes, spent_on, note)
    with transaction.atomic():
        entry = TimeEntry.objects.create(issue=issue, user=actor, team=team or team_for(actor, issue),
                                         minutes=minutes, spent_on=spent_on, note=note, created_at=now)
        IssueEvent.objects.create(issue=issue, kind=EventKind.TIME_LOGGED, actor=actor, created_at=now,
                                  data=_event_data(entry, "logged"))
    return entry


def do_remove_time_entry(entry: TimeEntry, *, actor: User, at: datetime | None = None) -> TimeEntry:
    """The author removes an entry within a day of logging it; an admin, any entry."""
    now = at or timezone.now()
    with transaction.atomic():
        entry = (TimeEntry.objects.select_for_update(of=("self",)).select_related("user", "team", "issue")
                 .get(pk=entry.pk))
        if entry.is_removed:
            raise NotFound("Time entry not found")
        if not has_perm(actor, "time.remove_any"):
            if entry.user_id != actor.pk:
                raise PermissionDenied("Only its author or an admin removes a time entry")
            if now - entry.created_at > OWN_ENTRY_REMOVABLE:
                raise PermissionDenied("Your entries can be removed within a day of logging them; ask an admin")
        entry.removed_at, entry.removed_by = now, actor
        entry.save(update_fields=["removed_at", "removed_by"])
        IssueEvent.objects.create(issue=entry.issue, kind=EventKind.TIME_LOGGED, actor=actor, created_at=now,
                                  data=_event_data(entry, "removed"))
    return entry


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput("Invalid budget", {"hours": "a number of hours"}) from None
    if not hours.is_finite() or not 0 <= hours <= MAX_BUDGET_HOURS:
        raise InvalidInput("Invalid budget", {"hours": f"0 to {MAX_BUDGET_HOURS} hours"})
    return hours.quantize(Decimal("0.01"))


def do_set_team_budget(team: Team, *, actor: User | None, hours, starts_on: date, period_weeks: int = 1,
                       reason: str = "") -> TeamBudget:
    """A new budget from the week of `starts_on` on; earlier weeks keep the budget they had."""
    hours = _hours(hours)
    problems = {}
    if not isinstance(period_weeks, int) or not 1 <= period_weeks <= MAX_PERIOD_WEEKS:
        problems["period_weeks"] = f"1 to {MAX_PERIOD_WEEKS} weeks"
    reason = (reason or "").strip()
    if "\x00" in reason or len(reason) > MAX_NOTE:
        problems["reason"] = f"at most {MAX_NOTE} characters, no NUL"
    if not isinstance(starts_on, date):
        problems["starts_on"] = "a date, YYYY-MM-DD"
    if problems:
        raise InvalidInput("Invalid budget", problems)
    with transaction.atomic():
        budget = TeamBudget.objects.create(team=team, hours=hours, period_weeks=period_weeks, starts_on=starts_on,
                                           reason=reason, set_by=actor)
        do_record_audit(action=AuditAction.BUDGET_SET, actor=actor, target=team, reason=reason,
                        data={"hours": str(hours), "period_weeks": period_weeks, "starts_on": starts_on.isoformat()})
    return budget
