"""What the desk's call forms offer and how they read what the agent typed (the "Log a call"
form on the issue page and the "New issue from a call" page share these fields). The call's
start time is typed in the desk's time zone, the one every time on the desk is shown in."""

from datetime import datetime

from django.utils import timezone

from tierline.errors import InvalidInput

from .models import Direction, Outcome

# What an agent chooses; "in progress" is only ever reported by a phone line.
AGENT_OUTCOMES = [Outcome.RESOLVED, Outcome.CALL_BACK, Outcome.ESCALATED, Outcome.VOICEMAIL, Outcome.NO_ANSWER,
                  Outcome.BUSY, Outcome.FAILED, Outcome.ANSWERED]
FIELDS = ("direction", "caller_number", "started_at", "duration", "outcome", "notes")


def field_choices() -> dict:
    return {"directions": Direction.choices, "outcomes": [(o.value, o.label) for o in AGENT_OUTCOMES],
            "time_zone": timezone.get_current_timezone_name()}


def form_values(typed=None) -> dict:
    """The fields as typed, or the defaults of an empty form. The start time is left empty, which
    means when the form is sent: a time filled in when the page was shown would date a call
    logged from a page left open for hours to when it was opened."""
    typed = typed or {}
    defaults = {"direction": Direction.INBOUND, "caller_number": "", "duration": "", "outcome": Outcome.CALL_BACK,
                "notes": "", "started_at": ""}
    return {name: typed.get(name, default) for name, default in defaults.items()}


def read_started_at(text: str) -> datetime | None:
    """`2026-11-27T14:05` (or with a space) in the desk's time zone; None (now) when left empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) <= 32:
            return datetime.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput("Invalid call", {"started_at": "a date and time, e.g. 2026-11-27 14:05"})


def minutes_to_seconds(text: str) -> int:
    """`12`, `12.5` or `12:30` (minutes and seconds) -> seconds; -1 (refused by the action) otherwise."""
    text = (text or "0").strip()
    minutes, _, seconds = text.partition(":")
    try:
        if seconds:
            return int(minutes) * 60 + int(seconds) if seconds.isdigit() and len(seconds) <= 2 else -1
        return round(float(minutes) * 60) if len(text) < 10 else -1
    except ValueError:
        return -1


def call_fields(post) -> dict:
    """The keyword arguments of do_log_call / do_open_issue_from_call from a posted form."""
    return {"direction": post.get("direction", ""), "caller_number": post.get("caller_number", ""),
            "outcome": post.get("outcome", ""), "duration_seconds": minutes_to_seconds(post.get("duration", "")),
            "notes": post.get("notes", ""), "started_at": read_started_at(post.get("started_at", ""))}
