"""Every analytics table by name: its columns and how its rows are computed. The API
(`/api/v1/insights/<name>`), the CSV export and the pages all read tables from here, so a number
means the same everywhere. Tables that name customers are audited when exported."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from tierline.accounts.models import Team
from tierline.issues.models import Channel, Component, Priority

from . import impact, queries
from .models import RefreshMark, TableSnapshot
from .queries import Filters


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (row key, heading)
    compute: Callable[[Filters], list[dict]]
    names_customers: bool = False


def _names(model, ids) -> dict:
    return dict(model.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "name"))


def _with_labels(rows: list[dict]) -> list[dict]:
    """Readable names next to the ids and codes: channel, component, team, priority."""
    teams = _names(Team, {r.get("team") for r in rows if isinstance(r.get("team"), int)})
    components = _names(Component, {r.get("component") for r in rows if isinstance(r.get("component"), int)})
    for row in rows:
        if "channel" in row:
            row["channel_name"] = Channel(row["channel"]).label if row["channel"] in Channel.values else row["channel"]
        if "team" in row and not isinstance(row["team"], str):
            row["team_name"] = teams.get(row["team"], "(no team)")
        if "component" in row and not isinstance(row["component"], str):
            row["component_name"] = components.get(row["component"], "(no component)")
        if "priority" in row and isinstance(row["priority"], int):
            row["priority_name"] = Priority(row["priority"]).label
    return rows


def _labelled(compute):
    return lambda filters: _with_labels(compute(filters))


TIMES = (("issues", "Issues"), ("responded", "Responded"), ("first_response_median", "First response median (min)"),
         ("first_response_p90", "First response p90 (min)"), ("resolved", "Resolved"),
         ("resolution_median", "Resolution median (min)"), ("resolution_p90", "Resolution p90 (min)"))

TABLES = {t.name: t for t in (
    Table("inflow-by-channel", "Inflow by channel per week",
          (("week", "Week"), ("channel_name", "Channel"), ("issues", "Issues")),
          _labelled(partial(queries.inflow, by="channel"))),
    Table("inflow-by-component", "Inflow by component per week",
          (("week", "Week"), ("component_name", "Component"), ("issues", "Issues")),
          _labelled(partial(queries.inflow, by="component"))),
    Table("times-by-priority", "Response and resolution times by priority",
          (("priority_name", "Priority"), *TIMES), _labelled(partial(queries.response_times, by="priority"))),
    Table("times-by-tier", "Response and resolution times by highest tier reached",
          (("tier", "Tier"), *TIMES), _labelled(partial(queries.response_times, by="tier"))),
    Table("times-by-team", "Response and resolution times by team",
          (("team_name", "Team"), *TIMES), _labelled(partial(queries.response_times, by="team"))),
    Table("escalation-rates", "Escalation rate from each tier",
          (("tier", "Tier"), ("reached", "Issues that reached it"), ("escalated", "Escalated above it"),
           ("rate", "Rate")), queries.escalation_rates),
    Table("reopen-rates", "Reopen rate per week",
          (("week", "Week"), ("issues", "Issues"), ("reopened", "Reopened"), ("reopenings", "Reopenings"),
           ("rate", "Rate")), queries.reopen_rates),
    Table("sla-compliance", "SLA compliance by target and priority",
          (("kind", "Target"), ("priority_name", "Priority"), ("met", "Met"), ("breached", "Breached"),
           ("running", "Running"), ("compliance", "Compliance")), _labelled(queries.sla_compliance)),
    Table("long-tail-counts", "Open issues by age",
          (("older_than_days", "Older than (days)"), ("open_issues", "Open issues")), impact.long_tail_counts),
    Table("long-tail", "The long tail: open issues older than 30 days, oldest first",
          (("key", "Issue"), ("title", "Title"), ("organization", "Customer"), ("component", "Component"),
           ("team", "Team"), ("tier", "Tier"), ("age_days", "Age (days)"), ("hand_offs", "Hand-offs"),
           ("teams_touched", "Teams")), impact.long_tail, names_customers=True),
    Table("hotspots", "Hotspots: components by impact-weighted volume and repeats",
          (("component", "Component"), ("issues", "Issues"), ("repeat_issues", "Repeat-problem issues"),
           ("reopenings", "Reopenings"), ("weighted_issues", "Impact-weighted issues"),
           ("weighted_repeats", "Weighted repeats"), ("weighted_reopenings", "Weighted reopenings"),
           ("score", "Score")),
          impact.hotspots),
    Table("customer-health", "Customer health",
          (("organization", "Customer"), ("importance", "Importance"), ("annual_revenue", "ARR"),
           ("issues", "Issues"), ("open_issues", "Open"), ("sla_breaches", "SLA breaches"), ("score", "Score")),
          impact.customer_health, names_customers=True),
    Table("satisfaction", "Customer satisfaction per week rated",
          (("week", "Week"), ("ratings", "Ratings"), ("good", "Good"), ("bad", "Bad"), ("rate", "Share good")),
          queries.satisfaction),
    Table("headline", "Key numbers", (("measure", "Measure"), ("value", "Value")), lambda f: headline(f)),
)}


def headline(filters: Filters) -> list[dict]:
    """The overview's key numbers, added up from the other tables (their snapshots when there are)."""
    until = facts_until()
    inflow = sum(r["issues"] for r in table_rows("inflow-by-channel", filters, until=until))
    sla = table_rows("sla-compliance", filters, until=until)
    met, breached = sum(r["met"] for r in sla), sum(r["breached"] for r in sla)
    tier_one = next((r for r in table_rows("escalation-rates", filters, until=until) if r["tier"] == 1), {})
    reopens = table_rows("reopen-rates", filters, until=until)
    reopened = sum(r["reopened"] for r in reopens)
    ratings = table_rows("satisfaction", filters, until=until)
    good = sum(r["good"] for r in ratings)
    ages = {r["older_than_days"]: r["open_issues"] for r in table_rows("long-tail-counts", filters, until=until)}
    return [
        {"measure": "Issues created", "value": inflow},
        {"measure": "SLA clocks met", "value": queries._share(met, met + breached)},
        {"measure": "Escalated above tier 1", "value": tier_one.get("rate")},
        {"measure": "Reopened", "value": queries._share(reopened, sum(r["issues"] for r in reopens))},
        {"measure": "Satisfied (good ratings)", "value": queries._share(good, sum(r["ratings"] for r in ratings))},
        *[{"measure": f"Open for more than {days} days (now)", "value": count} for days, count in ages.items()],
    ]


def facts_until():
    return RefreshMark.objects.filter(name="facts").values_list("refreshed_until", flat=True).first()


def table_rows(name: str, filters: Filters, *, fresh: bool = False, until=...) -> list[dict]:
    """The table's rows: from its snapshot when one was computed over the facts as they are now,
    else computed (and kept as the snapshot until the facts change). `fresh` always computes;
    `until` is `facts_until()` when the caller read it already."""
    from .actions import do_store_table_snapshot, filters_key

    until, params = facts_until() if until is ... else until, filters_key(filters)
    if until is None:  # no facts built yet: nothing to keep
        return TABLES[name].compute(filters)
    if not fresh:
        snapshot = TableSnapshot.objects.filter(name=name, params=params, facts_until=until).first()
        if snapshot is not None:
            return [_decoded(row) for row in snapshot.rows]
    rows = TABLES[name].compute(filters)
    do_store_table_snapshot(name=name, params=params, facts_until=until, rows=rows)
    return rows


def _decoded(row: dict) -> dict:
    # JSON keeps a week as its ISO date: the charts want the date back.
    if isinstance(row.get("week"), str):
        row["week"] = date.fromisoformat(row["week"])
    return row
