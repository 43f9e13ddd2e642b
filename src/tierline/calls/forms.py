"""What the desk's call forms offer and how they read what the agent typed (the "Log a call"
form on the issue page and the "New issue from a call" page share these fields)."""

from .models import Direction, Outcome

# What an agent chooses; "in progress" is only ever reported by a phone line.
AGENT_OUTCOMES = [Outcome.RESOLVED, Outcome.CALL_BACK, Outcome.ESCALATED, Outcome.VOICEMAIL, Outcome.NO_ANSWER,
                  Outcome.BUSY, Outcome.FAILED, Outcome.ANSWERED]
FIELDS = ("direction", "caller_number", "duration", "outcome", "notes")


def field_choices() -> dict:
    return {"directions": Direction.choices, "outcomes": [(o.value, o.label) for o in AGENT_OUTCOMES]}


def form_values(typed=None) -> dict:
    """The fields as typed, or the defaults of an empty form."""
    typed = typed or {}
    defaults = {"direction": Direction.INBOUND, "caller_number": "", "duration": "", "outcome": Outcome.CALL_BACK,
                "notes": ""}
    return {name: typed.get(name, default) for name, default in defaults.items()}


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
            "notes": post.get("notes", "")}
