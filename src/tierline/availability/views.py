"""The availability app's desk pages: the overview of every customer's and component's month
against its objective (worst first, the chart of one of them, CSV export), and the "Record an
outage" form posted from the issue page. Views parse, check access and call actions."""

import csv

from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError
from tierline.issues.views import issue_form, issue_page, staff_required

from .actions import do_record_outage
from .display import report_context
from .forms import outage_fields
from .queries import overview as overview_reports
from .queries import parse_month
from .slo import BURN_WINDOWS, percent_text

REFUSAL = "Only staff see availability"


def _month(request):
    try:
        return parse_month(request.GET.get("month", "")[:20]), None
    except ActionError as error:
        return parse_month(""), f"{error.detail}: {error.fields.get('month', '')}"


@staff_required
def overview(request):
    if not has_perm(request.user, "availability.view"):
        return HttpResponseForbidden(REFUSAL)
    period, error = _month(request)
    reports = overview_reports(period)
    subject = request.GET.get("subject", "")[:40]
    chosen = next((r for r in reports if f"{r.kind}-{r.id}" == subject), reports[0] if reports else None)
    return render(request, "availability/overview.html", {
        "period": period, "month_text": period.label, "error": error, "reports": reports,
        "rows": [{"report": r, "key": f"{r.kind}-{r.id}", "objective": percent_text(r.target.percent)}
                 for r in reports],
        "chosen": chosen, **(report_context(chosen) if chosen else {}), "chart_id": "overview",
    }, status=422 if error else 200)


@staff_required
def export(request):
    if not has_perm(request.user, "availability.view"):
        return HttpResponseForbidden(REFUSAL)
    period, error = _month(request)
    if error:
        return HttpResponse(error, status=422, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="availability-{period.label}.csv"'
    writer = csv.writer(response)
    writer.writerow(["kind", "id", "name", "month", "objective_percent", "availability_percent", "downtime_minutes",
                     "budget_minutes", "budget_left_minutes", "budget_left_percent", "burn_rate",
                     *(f"burn_rate_{h}h" for h in BURN_WINDOWS), "availability_30_days_percent",
                     "budget_left_30_days_minutes"])
    for r in overview_reports(period):
        m = r.month
        writer.writerow([r.kind, r.id, r.name, period.label, percent_text(r.target.percent),
                         f"{m.availability:.4f}", f"{m.downtime_minutes:.2f}", f"{m.allowed_minutes:.2f}",
                         f"{m.left_minutes:.2f}", f"{m.left_percent:.2f}", f"{m.burn_rate:.3f}",
                         *(f"{m.burn_rates[h]:.3f}" for h in BURN_WINDOWS), f"{r.rolling.availability:.4f}",
                         f"{r.rolling.left_minutes:.2f}"])
    return response


@issue_form("outage.manage", "Your role may not record outages")
def record_outage(request, issue):
    try:
        do_record_outage(actor=request.user, **outage_fields(issue, request.POST))
    except ActionError as error:
        return issue_page(request, issue, status=error.status, outage_error=error.detail,
                          outage_errors=error.fields, outage_values=request.POST)
    return redirect("desk-issue", key=issue.key)
