"""How the desk's planning forms read what was typed: the time panel on the issue page ("1:30",
"90" or "1.5h") and the budget form on the team page. Bad input becomes the action's own
errors, so the page shows them next to the fields, as typed."""

from datetime import date

from tierline.accounts.models import Team
from tierline.errors import InvalidInput

TIME_FIELDS = ("minutes", "spent_on", "note", "team")
BUDGET_FIELDS = ("hours", "period_weeks", "starts_on", "reason")


def read_minutes(text: str) -> int:
    """`90` (minutes), `1:30` (hours and minutes) or `1.5h` -> 90; 0 (refused by the action) otherwise."""
    text = (text or "").strip().lower().replace(" ", "")
    try:
        if text.endswith("h"):
            return round(float(text[:-1]) * 60) if len(text) < 10 else 0
        hours, colon, minutes = text.partition(":")
        if colon:
            return int(hours) * 60 + int(minutes) if len(text) < 10 and minutes.isdigit() else 0
        return int(text) if text.isdigit() and len(text) < 10 else 0
    except ValueError:
        return 0


def read_date(text: str, field: str, what: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else date.fromisoformat("")
    except ValueError:
        raise InvalidInput(what, {field: "a date, YYYY-MM-DD"}) from None


def time_fields(post) -> dict:
    team_id = (post.get("team") or "").strip()
    team = Team.objects.filter(pk=team_id).first() if team_id.isdigit() and len(team_id) < 19 else None
    if team_id and team is None:
        raise InvalidInput("Invalid time entry", {"team": "no such team"})
    return {"minutes": read_minutes(post.get("minutes")), "note": post.get("note", ""),
            "spent_on": read_date(post.get("spent_on"), "spent_on", "Invalid time entry"), "team": team}


def budget_fields(post) -> dict:
    starts_on = read_date(post.get("starts_on"), "starts_on", "Invalid budget")
    if starts_on is None:
        raise InvalidInput("Invalid budget", {"starts_on": "required, YYYY-MM-DD"})
    period = (post.get("period_weeks") or "1").strip()
    return {"hours": (post.get("hours") or "").strip() or "x", "starts_on": starts_on,
            "period_weeks": int(period) if period.isdigit() and len(period) < 4 else 0,
            "reason": post.get("reason", "")}


def typed(post, names) -> dict:
    return {name: (post or {}).get(name, "") for name in names}
