"""The support desk: the queue and the issue page for staff. Views parse, check access, call actions."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierline.accounts.models import Team
from tierline.accounts.permissions import has_perm, is_staff_member
from tierline.accounts.queries import list_staff_users
from tierline.customers.masking import PersonalData
from tierline.customers.models import Organization
from tierline.errors import ActionError, NotFound

from .actions import do_add_comment, do_update_issue
from .forms import CommentForm, IssueUpdateForm, uploads_from
from .models import Channel, EventKind, Priority, Status
from .queries import SORTS, IssueFilters, get_attachment_for_user, get_issue_for_user, list_issues, list_timeline

SORT_LABELS = {
    "-updated": "Recently updated", "updated": "Least recently updated", "-created": "Newest",
    "created": "Oldest", "priority": "Highest priority", "-priority": "Lowest priority",
}


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            return redirect("portal-list")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def not_found(request, exception=None):
    """404 for every URL nothing matched: JSON under the API, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found", "fields": {}}, status=404)
    return render(request, "404.html", status=404)


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("desk-queue" if is_staff_member(request.user) else "portal-list")


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


def filters_from_query(request) -> IssueFilters:
    get = request.GET
    assignees = get.getlist("assignee")
    filters = IssueFilters(
        status=[s for s in get.getlist("status") if s in Status.values],
        priority=[p for p in _ints(get.getlist("priority")) if p in Priority.values],
        tier=[t for t in _ints(get.getlist("tier")) if 1 <= t <= 5],
        team=_ints(get.getlist("team")), organization=_ints(get.getlist("organization")),
        assignee=_ints(assignees), unassigned="none" in assignees,
        channel=[c for c in get.getlist("channel") if c in Channel.values], q=get.get("q", "")[:200],
    )
    if "me" in assignees:
        filters.assignee.append(request.user.pk)
    return filters


@staff_required
def queue(request):
    filters = filters_from_query(request)
    sort = request.GET.get("sort", "-updated")
    if sort not in SORTS:
        sort = "-updated"
    try:
        page = list_issues(request.user, filters, sort=sort, cursor=request.GET.get("cursor") or None, limit=50)
        cursor_error = None
    except ActionError as error:
        page, cursor_error = list_issues(request.user, filters, sort=sort, limit=50), error.detail
    next_query = request.GET.copy()
    if page.next_cursor:
        next_query["cursor"] = page.next_cursor
    from tierline.escalation.queries import attach_sla_badges

    attach_sla_badges(page.items)  # one query for the page's SLA badges
    return render(request, "issues/queue.html", {
        "page": page, "filters": filters, "sort": sort, "sort_labels": SORT_LABELS,
        "next_query": next_query.urlencode() if page.next_cursor else None,
        "is_paged": bool(request.GET.get("cursor")), "cursor_error": cursor_error,
        "statuses": Status.choices, "priorities": Priority.choices, "channels": Channel.choices,
        "tiers": range(1, 6), "teams": Team.objects.all(), "organizations": Organization.objects.all(),
        "assignees": list_staff_users(),
        # One reverse() for the page instead of one per row.
        "issue_base": reverse("desk-issue", args=["0"]).removesuffix("0/"),
    })


# Timeline entries of the apps beside the ladder, worded in issues/_timeline_investigation.html.
INVESTIGATION_KINDS = frozenset({
    EventKind.PROBE_ADDED, EventKind.PROBE_CHANGED, EventKind.PROBE_REMOVED, EventKind.PROBE_HIT,
    EventKind.FEATURE_REQUEST, EventKind.REQUEST_MERGED, EventKind.FIX_SHIPPED, EventKind.SATISFACTION_RATED,
    EventKind.ARTICLE_SUGGESTED, EventKind.ARTICLE_WRITTEN, EventKind.OUTAGE_RECORDED,
})


def _issue_page(request, issue, comment_form=None, update_form=None, status=200, **extra):
    update_form = update_form or IssueUpdateForm(initial={
        "status": issue.status, "assignee": issue.assignee_id, "team": issue.team_id,
    })
    return render(request, "issues/issue.html", {
        "issue": issue, "timeline": list_timeline(issue), "comment_form": comment_form or CommentForm(),
        "update_form": update_form, "can_triage": has_perm(request.user, "issue.triage"),
        # The requester and the customer's people in the timeline are masked unless unmasked.
        "privacy": PersonalData(request.user, what=f"issue {issue.key}", organization_id=issue.organization_id),
        "investigation_kinds": INVESTIGATION_KINDS,
        **extra,
    }, status=status)


issue_page = _issue_page  # for other apps' desk views (triage, escalation) that re-render it


def get_issue_or_404(user, key):
    """The issue a page is about, or the 404 page when the user may not see it."""
    try:
        return get_issue_for_user(user, key)
    except NotFound:
        raise Http404(f"Issue {key} not found") from None


def issue_form(permission: str, refusal: str):
    """A form posted from the desk issue page (staff only, POST only), for roles holding
    `permission`: the view is called with the issue instead of its key, once the user may see it
    (404 otherwise, before the role is checked, so existence does not leak) and the role may do
    it (403 with `refusal` otherwise). The view still calls its action, shows the issue page
    again with the action's error and redirects back on success: what each form says differs."""

    def decorate(view):
        @staff_required
        @require_POST
        @wraps(view)
        def wrapped(request, key):
            issue = get_issue_or_404(request.user, key)
            if not has_perm(request.user, permission):
                return HttpResponseForbidden(refusal)
            return view(request, issue)

        return wrapped

    return decorate


@staff_required
def issue_detail(request, key):
    return _issue_page(request, get_issue_or_404(request.user, key))


@staff_required
@require_POST
def add_comment(request, key):
    issue = get_issue_or_404(request.user, key)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            do_add_comment(
                issue, body=form.cleaned_data["body"], is_public=form.cleaned_data["is_public"],
                author=request.user, channel=Channel.PORTAL, attachments=uploads_from(form.cleaned_data["attachments"]),
            )
            return redirect("desk-issue", key=issue.key)
        except ActionError as error:
            form.add_error(None, error.detail)
            return _issue_page(request, issue, comment_form=form, status=error.status)
    return _issue_page(request, issue, comment_form=form, status=422)


@issue_form("issue.triage", "You may not change this issue")
def update_issue(request, issue):
    form = IssueUpdateForm(request.POST)
    if form.is_valid():
        try:
            do_update_issue(issue, actor=request.user, **form.cleaned_data)
            return redirect("desk-issue", key=issue.key)
        except ActionError as error:
            form.add_error(None, error.detail)
    return _issue_page(request, issue, update_form=form, status=422)


@login_required
def download_attachment(request, attachment_id):
    try:
        attachment = get_attachment_for_user(request.user, attachment_id)
    except NotFound:
        raise Http404("Attachment not found") from None
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type)
