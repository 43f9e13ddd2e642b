"""A `queries.Report` shaped for the pages: its numbers rounded for people, its two charts
(budget used against an even pace, daily availability against the objective) through
`tierline.charts.panels`, and what consumed the budget, as staff or as the customer may see it."""

from tierline.charts.panels import HEIGHT, WIDTH, draw_series

from .queries import Report
from .slo import BURN_WINDOWS, Budget, percent_text


def budget_numbers(budget: Budget) -> dict:
    return {"availability": budget.availability, "downtime": budget.downtime_minutes,
            "allowed": budget.allowed_minutes, "left": budget.left_minutes, "left_percent": budget.left_percent,
            "burn_rate": budget.burn_rate, "is_met": budget.is_met,
            "windows": [(hours, budget.burn_rates[hours]) for hours in BURN_WINDOWS]}


def charts(report: Report) -> dict:
    days = report.days
    steps = (report.month.period.end - report.month.period.start).days
    even = [100.0 * (i + 1) / steps for i in range(len(days))]
    burn = draw_series({"used": [d.budget_used for d in days], "even": even}, lo=0, hi=100, steps=steps)
    objective = float(report.target.percent)
    floor = min([objective, *(d.availability for d in days)])
    availability = draw_series({"daily": [d.availability for d in days]}, lo=floor - (100 - floor) * 0.25,
                               hi=100, steps=steps)
    return {
        "burn": burn, "burn_limit_y": burn.y(100) if burn else None,
        "availability_chart": availability, "objective_y": availability.y(objective) if availability else None,
        "width": WIDTH, "height": HEIGHT,
    }


def consumed(report: Report, *, organization_id: int | None = None) -> list[dict]:
    """Each outage of the month with its minutes; for a customer (`organization_id`) without its
    title, which may name someone else, and with only their own issues."""
    rows = []
    for charge in report.month.charges:
        span = charge.span
        rows.append({"id": span.id, "title": span.title if organization_id is None else "",
                     "start": charge.start, "end": charge.end, "is_open": span.end is None,
                     "minutes": charge.minutes, "charged": charge.charged_minutes,
                     "issues": [key for key, org in span.issues if organization_id is None or org == organization_id]})
    return rows


def report_context(report: Report, *, organization_id: int | None = None) -> dict:
    return {"report": report, "objective": percent_text(report.target.percent), "month": budget_numbers(report.month),
            "rolling": budget_numbers(report.rolling), "days": report.days,
            "consumed": consumed(report, organization_id=organization_id), **charts(report)}
