"""How the batch-action tests read an issue's SLA clocks: as sorted tuples two issues can be compared by."""

from datetime import UTC, datetime

from tierline.escalation.models import SlaClock

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CLOCK_FIELDS = ("kind", "policy_id", "round", "target_minutes", "started_at", "paused_minutes", "paused_at",
                "warn_at", "due_at", "stopped_at", "next_check_at")


def clock_state(issue) -> list[tuple]:
    return sorted(tuple(getattr(c, f) for f in CLOCK_FIELDS) for c in SlaClock.objects.filter(issue=issue))
