"""The customer portal: a customer's own organization's issues, public replies only.

Reads come from tierline.issues.queries (scoped by permissions), writes from its actions.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tierline.accounts.permissions import is_staff_member
from tierline.customers.actions import do_ensure_contact_for_user
from tierline.customers.masking import PersonalData
from tierline.errors import ActionError
from tierline.escalation.queries import customer_sla_summary
from tierline.issues.actions import do_add_comment, do_create_issue
from tierline.issues.forms import NewIssueForm, PortalCommentForm, uploads_from
from tierline.issues.models import Channel, Status
from tierline.issues.queries import IssueFilters, list_comments, list_issues
from tierline.issues.views import get_issue_or_404


def customer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if is_staff_member(request.user):
            return redirect("desk-queue")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@customer_required
def access_log(request):
    """Who at the company looked at this organization's personal data, when and why."""
    from tierline.audit.api import access_rows
    from tierline.audit.queries import list_personal_data_access

    entries = list_personal_data_access(request.user.organization_id).order_by("-id")[:200]
    return render(request, "portal/access_log.html", {"entries": access_rows(entries)})


@customer_required
def issue_list(request):
    show = request.GET.get("show", "open")
    statuses = ["resolved", "closed"] if show == "done" else ["new", "open", "pending"]
    page = list_issues(request.user, IssueFilters(status=statuses, q=request.GET.get("q", "")[:200]),
                       cursor=request.GET.get("cursor") or None, limit=50)
    return render(request, "portal/list.html", {"page": page, "show": show, "q": request.GET.get("q", ""),
                                                "privacy": PersonalData(request.user, what="portal issues")})


@customer_required
def new_issue(request):
    form = NewIssueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = do_create_issue(
                actor=request.user, title=data["title"], description=data["description"],
                severity=data["severity"], component=data["component"], channel=Channel.PORTAL,
                organization=request.user.organization, requester=do_ensure_contact_for_user(request.user),
                attachments=uploads_from(data["attachments"]),
            )
            return redirect("portal-issue", key=issue.key)
        except ActionError as error:
            form.add_error(None, error.detail)
            return render(request, "portal/new.html", {"form": form}, status=error.status)
    return render(request, "portal/new.html", {"form": form}, status=422 if form.errors else 200)


@customer_required
def issue_detail(request, key):
    issue = get_issue_or_404(request.user, key)
    form = PortalCommentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_add_comment(
                    issue, body=form.cleaned_data["body"], is_public=True, author=request.user,
                    author_contact=do_ensure_contact_for_user(request.user), channel=Channel.PORTAL,
                    attachments=uploads_from(form.cleaned_data["attachments"]),
                )
                return redirect("portal-issue", key=issue.key)
            except ActionError as error:
                form.add_error(None, error.detail)
                status = error.status
        else:
            status = 422
    return render(request, "portal/issue.html", {
        "issue": issue, "comments": list_comments(request.user, issue), "form": form,
        "is_done": issue.status in (Status.RESOLVED, Status.CLOSED),
        "privacy": PersonalData(request.user, what=f"portal issue {issue.key}"),
        "sla": customer_sla_summary(issue),
    }, status=status)
