"""The pages' charts, each drawn from the rows of one table in `tables.py` (the same rows the table
under it shows), with `tierline.charts.axes`. Durations are shown in hours, shares in per cent."""

from tierline.charts.axes import Chart, bar_chart, line_chart

from .queries import Filters, weeks_of

TOP = 12  # bars on a ranking chart; the table has them all


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 1)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def weekly_stack(rows: list[dict], filters: Filters, series_key: str, title: str) -> Chart:
    """Issues per week, one stacked series per channel or component (every week of the period, empty ones too)."""
    weeks = weeks_of(filters)
    names = sorted({r[series_key] for r in rows})
    counts = {(r["week"], r[series_key]): r["issues"] for r in rows}
    series = {name: [counts.get((week, name), 0) for week in weeks] for name in names}
    return bar_chart(title, [w.isoformat() for w in weeks], series, stacked=True, x_label="Week starting",
                     y_label="Issues")


def durations(rows: list[dict], group_key: str, prefix: str, title: str, group_label: str) -> Chart:
    categories = [str(r[group_key]) for r in rows]
    series = {"Median": [_hours(r[f"{prefix}_median"]) or 0 for r in rows],
              "90th percentile": [_hours(r[f"{prefix}_p90"]) or 0 for r in rows]}
    return bar_chart(title, categories, series, x_label=group_label, y_label="Hours")


def sla_compliance(rows: list[dict]) -> Chart:
    priorities = sorted({r["priority_name"] for r in rows})
    kinds = {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"}
    values = {(r["kind"], r["priority_name"]): r["compliance"] for r in rows}
    series = {label: [_percent(values.get((kind, p))) or 0 for p in priorities]
              for kind, label in kinds.items() if any(r["kind"] == kind for r in rows)}
    return bar_chart("SLA clocks met, per cent", priorities, series, x_label="Priority", y_label="Per cent met")


def escalation_rates(rows: list[dict]) -> Chart:
    return bar_chart("Escalated above the tier, per cent of issues that reached it",
                     [f"Tier {r['tier']}" for r in rows], {"Escalation rate": [_percent(r["rate"]) or 0 for r in rows]},
                     x_label="Tier", y_label="Per cent")


def reopen_rates(rows: list[dict]) -> Chart:
    return line_chart("Issues reopened, per cent, by week created", [r["week"].isoformat() for r in rows],
                      {"Reopen rate": [_percent(r["rate"]) for r in rows]}, x_label="Week starting",
                      y_label="Per cent")


def satisfaction(rows: list[dict]) -> Chart:
    return line_chart("Customer satisfaction: good ratings, per cent, by week rated",
                      [r["week"].isoformat() for r in rows], {"Good ratings": [_percent(r["rate"]) for r in rows]},
                      x_label="Week starting", y_label="Per cent")


def long_tail_counts(rows: list[dict]) -> Chart:
    return bar_chart("Open issues by age", [f"over {r['older_than_days']} days" for r in rows],
                     {"Open issues": [r["open_issues"] for r in rows]}, x_label="Age", y_label="Issues")


def hotspots(rows: list[dict]) -> Chart:
    top = rows[:TOP]
    return bar_chart("Hotspot score by component (highest first)", [r["component"] for r in top], {
        "Impact-weighted issues": [r["weighted_issues"] for r in top],
        "Repeats of one problem": [r["weighted_repeats"] for r in top],
        "Reopenings": [r["weighted_reopenings"] for r in top],
    }, stacked=True, x_label="Component", y_label="Score")


def customer_health(rows: list[dict]) -> Chart:
    top = rows[:TOP]
    return bar_chart("Customer health score (worst first)", [r["organization"] for r in top],
                     {"Score": [r["score"] for r in top]}, x_label="Customer", y_label="Score")
