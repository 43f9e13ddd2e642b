"""Desk pages for feature requests: the ranked list `/desk/requests/` (with its CSV export), one
request's page (who asked, revenue, status, merge, "Tell N customers"), and the form on the issue
page that marks an issue as asking for a request. Views parse, check access and call actions."""

import csv

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierline.accounts.permissions import has_perm
from tierline.customers.masking import PersonalData
from tierline.errors import ActionError, InvalidInput, NotFound
from tierline.issues.models import Component, Severity
from tierline.issues.views import get_issue_or_404, staff_required

from .actions import (
    do_create_feature_request,
    do_mark_feature_request,
    do_merge_feature_requests,
    do_record_feature_request_export,
    do_tell_requesters,
    do_update_feature_request,
)
from .models import RequestLink, RequestStatus
from .queries import (
    SORT_LABELS,
    askers,
    get_feature_request,
    link_candidates,
    links_to_tell,
    live_requests,
    merge_candidates,
    rank_one,
    rank_requests,
    request_of_issue,
)

REFUSAL = "Your role may not work on feature requests"


def _manager(view):
    @staff_required
    def wrapped(request, *args, **kwargs):
        if not has_perm(request.user, "feature_request.manage"):
            return HttpResponseForbidden(REFUSAL)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _request_or_404(request_id):
    try:
        return get_feature_request(request_id)
    except NotFound:
        raise Http404("Feature request not found") from None


def _live_request(value: str):
    return live_requests().filter(pk=value).first() if value.isdigit() and len(value) < 19 else None


def _component(value: str):
    return Component.objects.filter(pk=value).first() if value.isdigit() and len(value) < 19 else None


def _listing(request):
    sort = request.GET.get("sort", "arr")
    sort = sort if sort in SORT_LABELS else "arr"
    statuses = [s for s in request.GET.getlist("status") if s in RequestStatus.values]
    return sort, statuses, rank_requests(sort=sort, statuses=statuses)


@_manager
def request_list(request):
    sort, statuses, rows = _listing(request)
    error, errors, values, status = None, {}, {}, 200
    if request.method == "POST":
        values = request.POST
        try:
            created = do_create_feature_request(actor=request.user, title=values.get("title", ""),
                                                description=values.get("description", ""),
                                                component=_component(values.get("component", "")))
            return redirect("feedback-request", request_id=created.pk)
        except ActionError as failure:
            error, errors, status = failure.detail, failure.fields, failure.status
    return render(request, "feedback/list.html", {
        "rows": rows, "sort": sort, "sort_labels": SORT_LABELS, "sort_label": SORT_LABELS[sort],
        "statuses": RequestStatus.choices, "chosen": statuses, "components": Component.objects.all(),
        "error": error, "errors": errors, "values": values, "query": request.GET.urlencode(),
    }, status=status)


EXPORT_COLUMNS = ["rank", "key", "title", "status", "component", "customers", "issues", "arr", "open_deals",
                  "last_asked_at", "organizations"]


@_manager
def request_export(request):
    """The ranked list as CSV, with the organizations asking (names are not personal data);
    the export is recorded in the audit trail."""
    sort, _, rows = _listing(request)
    names: dict[int, set[str]] = {}
    for request_id, name in RequestLink.objects.filter(issue__organization__isnull=False).values_list(
            "request_id", "issue__organization__name"):
        names.setdefault(request_id, set()).add(name)
    do_record_feature_request_export(actor=request.user, rows=len(rows), sort=sort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tierline-feature-requests.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for rank, row in enumerate(rows, 1):
        r = row.request
        writer.writerow([rank, r.key, r.title, r.status, r.component.name if r.component else "", row.customers,
                         row.issues, row.arr, row.open_deals,
                         row.last_asked_at.isoformat() if row.last_asked_at else "",
                         "; ".join(sorted(names.get(r.pk, ())))])
    return response


def _detail(request, feature_request, *, status=200, **extra):
    return render(request, "feedback/detail.html", {
        "fr": feature_request, "row": rank_one(feature_request), "askers": askers(feature_request),
        "to_tell": links_to_tell(feature_request).count(), "statuses": RequestStatus.choices,
        "components": Component.objects.all(), "resolve_default": settings.FEATURE_REQUEST_RESOLVE_ON_TELL,
        "candidates": [] if feature_request.is_merged else merge_candidates(feature_request),
        "others": live_requests().exclude(pk=feature_request.pk).order_by("-updated_at")[:100],
        "privacy": PersonalData(request.user, what=f"feature request {feature_request.key}"), **extra,
    }, status=status)


def _notice(done: str) -> str:
    if done.startswith("told-") and done[5:].isdigit():
        return f"Told {done[5:]} customer{'s' if done[5:] != '1' else ''}."
    return {"saved": "Saved.", "merged": "Merged."}.get(done, "")


@_manager
def request_detail(request, request_id):
    return _detail(request, _request_or_404(request_id), notice=_notice(request.GET.get("done", "")))


def _post_action(request, request_id, act):
    feature_request = _request_or_404(request_id)
    try:
        message = act(feature_request)
    except ActionError as failure:
        return _detail(request, feature_request, status=failure.status, error=failure.detail, errors=failure.fields,
                       values=request.POST)
    url = redirect("feedback-request", request_id=feature_request.pk).url
    return redirect(f"{url}?done={message}" if message else url)


@_manager
@require_POST
def request_edit(request, request_id):
    post = request.POST

    def edit(fr):
        do_update_feature_request(fr, actor=request.user, title=post.get("title", ""),
                                  description=post.get("description", ""), status=post.get("status", ""),
                                  component=_component(post.get("component", "")))
        return "saved"

    return _post_action(request, request_id, edit)


@_manager
@require_POST
def request_merge(request, request_id):
    def merge(fr):
        into = _live_request(request.POST.get("into", ""))
        if into is None:
            raise InvalidInput("Choose the request to merge into", {"into": "required"})
        do_merge_feature_requests(fr, into=into, actor=request.user, reason=request.POST.get("reason", ""))
        return "merged"

    return _post_action(request, request_id, merge)


@_manager
@require_POST
def request_tell(request, request_id):
    resolve = request.POST.get("resolve") == "on" if "resolve-shown" in request.POST else None

    def tell(fr):
        told = do_tell_requesters(fr, actor=request.user, body=request.POST.get("body", ""), resolve=resolve)
        return f"told-{told}"

    return _post_action(request, request_id, tell)


@_manager
def mark_issue(request, key):
    """GET: the requests similar issues ask for and every recent one; POST: mark the issue."""
    issue = get_issue_or_404(request.user, key)
    error, status = None, 200
    if request.method == "POST":
        choice = request.POST.get("request", "new")
        try:
            existing = None if choice == "new" else _live_request(choice)
            if choice != "new" and existing is None:
                raise InvalidInput("Choose a feature request or a new one", {"request": "unknown"})
            do_mark_feature_request(issue, actor=request.user, request=existing, title=request.POST.get("title", ""))
            return redirect("desk-issue", key=issue.key)
        except ActionError as failure:
            error, status = failure.detail, failure.status
    current = request_of_issue(issue)
    candidates = link_candidates(issue, fresh=True)
    suggested = {c.pk for c in candidates} | {getattr(current, "pk", None)}
    return render(request, "feedback/mark.html", {
        "issue": issue, "current": current, "candidates": candidates, "error": error,
        "others": [r for r in live_requests().order_by("-updated_at")[:100] if r.pk not in suggested],
        "is_question": issue.severity == Severity.S4, "title": request.POST.get("title", issue.title),
    }, status=status)
