"""The analytics pages under /desk/insights/ (staff with `insights.view`), and the CSV export of
every table. Each page is a list of sections (`PAGE_SECTIONS`), each a table of `tables.TABLES`
with the charts drawn from its rows above it; another app's section on the overview is a table
registered there and one more entry in the overview's list."""

import csv
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import render

from tierline.accounts.models import Team
from tierline.accounts.permissions import has_perm
from tierline.customers.models import Organization
from tierline.errors import InvalidInput
from tierline.issues.models import Component
from tierline.issues.views import staff_required

from . import figures
from .actions import do_record_insights_export
from .queries import parse_filters
from .tables import TABLES, facts_until, table_rows

PAGES = (("insights-overview", "Overview"), ("insights-times", "Response & resolution"),
         ("insights-escalations", "Escalations & reopenings"), ("insights-long-tail", "Long tail"),
         ("insights-hotspots", "Hotspots"), ("insights-customers", "Customer health"),
         ("insights-satisfaction", "Satisfaction"))


@dataclass
class Section:
    """One table of `tables.TABLES` on a page, with the charts drawn from its rows. A weekly table
    with `pivot` (its series column) shows one row per week and one column per series."""

    id: str
    table: str
    charts: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    note: str = ""
    pivot: str = ""

    @property
    def title(self) -> str:
        return TABLES[self.table].title

    @property
    def columns(self) -> list[tuple[str, str]]:
        if self.pivot:
            return [("week", "Week"), *[(name, name) for name in self._series()], ("total", "Total")]
        # Durations are minutes in the API and the CSV, hours on the page.
        return [(key, heading.replace("(min)", "(h)")) for key, heading in TABLES[self.table].columns]

    def _series(self) -> list[str]:
        return sorted({r[self.pivot] for r in self.rows})

    @property
    def cells(self) -> list[list]:
        if self.pivot:
            weeks: dict = {}
            for row in self.rows:
                weeks.setdefault(row["week"], {})[row[self.pivot]] = row["issues"]
            return [[week.isoformat(), *[counts.get(name, 0) for name in self._series()], sum(counts.values())]
                    for week, counts in weeks.items()]
        return [[_shown(key, row.get(key)) for key, _ in self.columns] for row in self.rows]


def _shown(key: str, value):
    """A cell on the page: durations in hours, shares in per cent, weeks as dates."""
    if value is None:
        return None
    if key.endswith(("_median", "_p90")):
        return round(value / 60, 1)
    if key in ("rate", "compliance") or (key == "value" and isinstance(value, float)):
        return f"{value * 100:.1f} %"
    return value.isoformat() if hasattr(value, "isoformat") else value


def _sections(filters, specs) -> list[Section]:
    sections, until = [], facts_until()
    for section_id, table, draws, note, *pivot in specs:
        rows = table_rows(table, filters, until=until)
        charts = [(f"{section_id}-chart-{n + 1}" if n else f"{section_id}-chart", draw(rows))
                  for n, draw in enumerate(draws)] if rows else []
        sections.append(Section(section_id, table, charts, rows, note, *pivot))
    return sections


PAGE_SECTIONS = {
    "insights-overview": lambda f: [
        ("headline", "headline", [], "Shares are of the issues created in the period."),
        ("inflow-channel", "inflow-by-channel", [lambda rows: figures.weekly_stack(
            rows, f, "channel_name", "Issues created per week, by channel")], "", "channel_name"),
        ("inflow-component", "inflow-by-component", [lambda rows: figures.weekly_stack(
            rows, f, "component_name", "Issues created per week, by component")], "", "component_name"),
    ],
    "insights-times": lambda f: [
        ("by-priority", "times-by-priority", [
            lambda rows: figures.durations(rows, "priority_name", "first_response",
                                           "Time to first response by priority (hours)", "Priority"),
            lambda rows: figures.durations(rows, "priority_name", "resolution",
                                           "Time to resolution by priority (hours)", "Priority")],
         "First response: wall-clock time from creation to the first public reply by staff. "
         "Resolution: from creation to resolution, for the issues resolved now."),
        ("by-tier", "times-by-tier", [lambda rows: figures.durations(
            rows, "tier", "resolution", "Time to resolution by highest tier reached (hours)", "Tier")], ""),
        ("by-team", "times-by-team", [lambda rows: figures.durations(
            rows, "team_name", "resolution", "Time to resolution by team (hours)", "Team")],
         "The team holding the issue now."),
        ("sla", "sla-compliance", [figures.sla_compliance],
         "SLA clocks count business hours; a clock still running and not yet due is not counted."),
    ],
    "insights-escalations": lambda f: [
        ("escalation", "escalation-rates", [figures.escalation_rates],
         "Of the issues that stood at a tier, the share that was escalated above it."),
        ("reopen", "reopen-rates", [figures.reopen_rates], ""),
    ],
    "insights-satisfaction": lambda f: [
        ("satisfaction", "satisfaction", [figures.satisfaction],
         "From the one-click survey sent after each resolution, by the week the customer rated; the team is "
         "the one that held the issue when it was resolved."),
    ],
    "insights-long-tail": lambda f: [
        ("age", "long-tail-counts", [figures.long_tail_counts],
         "Open now, whenever created: the period does not apply here."),
        ("long-tail", "long-tail", [], "Hand-offs are escalations, de-escalations and team changes."),
    ],
    "insights-hotspots": lambda f: [
        ("hotspots", "hotspots", [figures.hotspots],
         "Each issue weighs its customer's impact (importance and ARR), three times as much when it repeats "
         "a problem another issue has, and twice more per reopening."),
    ],
    "insights-customers": lambda f: [
        ("health", "customer-health", [figures.customer_health],
         "Issues and SLA breaches, weighted by the customer's importance and ARR."),
    ],
}


def _choices() -> dict:
    return {"organizations": Organization.objects.only("name").order_by("name"),
            "teams": Team.objects.only("name").order_by("tier", "name"),
            "components": Component.objects.only("name").order_by("name")}


def _filters(request):
    try:
        return parse_filters(request.GET), None
    except InvalidInput as error:
        return parse_filters({}), error


def _page(request, name: str):
    if not has_perm(request.user, "insights.view"):
        return HttpResponseForbidden("Your role may not see the analytics")
    filters, error = _filters(request)
    context = {"page": name, "pages": PAGES, "title": dict(PAGES)[name], "filters": filters, "error": error,
               "query": request.GET.urlencode(), "sections": _sections(filters, PAGE_SECTIONS[name](filters)),
               **_choices()}
    return render(request, "insights/page.html", context, status=error.status if error else 200)


def _view(name: str):
    @staff_required
    def view(request):
        return _page(request, name)

    view.__name__ = name.replace("-", "_")
    return view


overview, times, escalations, long_tail, hotspots, customers, satisfaction = (_view(name) for name, _ in PAGES)


def _cell(value):
    # A title or a name starting like a formula would run in a spreadsheet: keep it text.
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@staff_required
def export(request, table: str):
    if not has_perm(request.user, "insights.view"):
        return HttpResponseForbidden("Your role may not see the analytics")
    if table not in TABLES:
        raise Http404("No such table")
    filters, error = _filters(request)
    if error:
        return HttpResponse(f"{error.detail}: {error.fields}", status=422, content_type="text/plain")
    spec = TABLES[table]
    rows = table_rows(table, filters)
    if spec.names_customers:
        do_record_insights_export(actor=request.user, table=table, filters=filters.as_params(), rows=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tierline-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow([heading for _, heading in spec.columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _ in spec.columns])
    return response
