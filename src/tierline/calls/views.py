"""Desk pages for calls: the "Log a call" form on the issue page and the "New issue from a call"
page. Views parse, check access, call actions; errors show the form again as the agent typed it."""

from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render

from tierline.accounts.permissions import has_perm
from tierline.customers.models import Organization
from tierline.errors import ActionError
from tierline.issues.models import Severity
from tierline.issues.views import issue_form, issue_page, staff_required

from .actions import do_log_call, do_open_issue_from_call
from .forms import call_fields, field_choices, form_values


@issue_form("call.log", "Your role may not log calls")
def log_call(request, issue):
    try:
        do_log_call(issue, actor=request.user, **call_fields(request.POST))
    except ActionError as error:
        return issue_page(request, issue, status=error.status, call_error=error.detail,
                          call_errors=error.fields, call_values=request.POST)
    return redirect("desk-issue", key=issue.key)


@staff_required
def new_call(request):
    if not has_perm(request.user, "call.log"):
        return HttpResponseForbidden("Your role may not log calls")
    values = {**form_values(request.POST), "title": request.POST.get("title", ""),
              "severity": request.POST.get("severity", str(Severity.S3.value)),
              "organization": request.POST.get("organization", "")}
    error, errors, status = None, {}, 200
    if request.method == "POST":
        organization_id = values["organization"]
        organization = (Organization.objects.filter(pk=organization_id).first()
                        if organization_id.isdigit() and len(organization_id) < 19 else None)
        severity = values["severity"]
        try:
            call = do_open_issue_from_call(
                actor=request.user, title=values["title"], organization=organization,
                severity=int(severity) if severity.isdigit() and len(severity) < 3 else 0, **call_fields(request.POST),
            )
            return redirect("desk-issue", key=call.issue.key)
        except ActionError as failure:
            error, errors, status = failure.detail, failure.fields, failure.status
    values["organization"] = int(values["organization"]) if values["organization"].isdigit() else None
    return render(request, "calls/new.html", {
        **field_choices(), "values": values, "error": error, "errors": errors,
        "severities": [(str(v), label) for v, label in Severity.choices],
        "organizations": Organization.objects.only("id", "name"),
    }, status=status)
