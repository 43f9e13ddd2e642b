"""Customer satisfaction (CSAT) figures for the analytics: the share of good ratings and their
count, per ISO week, team or priority, over ratings given in a period. Each resolution round
counts once, with its latest rating."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Q

from .models import Rating, SatisfactionRating

GROUPINGS = ("week", "team", "priority")


@dataclass(frozen=True)
class CsatRow:
    group: str  # "2026-W49", a team's name ("no team"), "P1" ("no priority")
    ratings: int
    good: int

    @property
    def share_good(self) -> float:
        return round(self.good / self.ratings, 4) if self.ratings else 0.0


def csat(by: str, *, since: datetime | None = None, until: datetime | None = None) -> list[CsatRow]:
    """Rows sorted by group (weeks in time order, teams by name, priorities P0 first)."""
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {GROUPINGS}")
    rows = SatisfactionRating.objects.all()
    if since:
        rows = rows.filter(rated_at__gte=since)
    if until:
        rows = rows.filter(rated_at__lt=until)
    counted = {"ratings": Count("id"), "good": Count("id", filter=Q(rating=Rating.GOOD))}
    if by == "team":
        found = [CsatRow(r["team__name"] or "no team", r["ratings"], r["good"])
                 for r in rows.values("team__name").annotate(**counted)]
        return sorted(found, key=lambda r: (r.group == "no team", r.group))
    if by == "priority":
        found = [CsatRow("no priority" if r["priority"] is None else f"P{r['priority']}", r["ratings"], r["good"])
                 for r in rows.values("priority").annotate(**counted)]
        return sorted(found, key=lambda r: r.group)
    return [CsatRow(f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}", total, good)
            for monday, total, good in weekly_tally(rows)]


def weekly_tally(ratings) -> list[tuple[date, int, int]]:
    """(Monday of the week rated, ratings, good ones) per week, in time order. Grouped here, since
    SQLite and PostgreSQL spell weeks differently (and ratings are few next to issues)."""
    weeks: dict[date, list[int]] = {}
    for rated_at, rating in ratings.values_list("rated_at", "rating").iterator():
        day = rated_at.astimezone(UTC).date()
        tally = weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0])
        tally[0] += 1
        tally[1] += rating == Rating.GOOD
    return [(monday, total, good) for monday, (total, good) in sorted(weeks.items())]
