"""The customer pages of the desk: the list of customers and one page per organization, with
just-in-time unmasking. Views parse, check access and call actions; masking happens in profile.py."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError, NotFound
from tierline.issues.models import DONE_STATUSES, Issue, parse_issue_key
from tierline.issues.views import staff_required

from .actions import do_approve_unmask, do_request_unmask
from .models import Organization, UnmaskGrant
from .profile import profile_for
from .queries import (
    change_before_issue,
    get_organization_for_user,
    latest_configuration,
    shown_diff,
    snapshot_before,
    working_on_issues,
)
from .sensitivity import Classifier


def _organization(request, organization_id):
    if not has_perm(request.user, "organization.view_profile"):
        raise Http404("Not found")
    try:
        return get_organization_for_user(request.user, organization_id)
    except NotFound:
        raise Http404("Customer not found") from None


@staff_required
def customer_list(request):
    organizations = (Organization.objects.annotate(
        open_issues=Count("issues", filter=~Q(issues__status__in=DONE_STATUSES)))
        .order_by("name"))
    q = request.GET.get("q", "")[:200].strip()
    if q:
        organizations = organizations.filter(name__icontains=q)
    return render(request, "customers/list.html", {"organizations": organizations[:500], "q": q})


@staff_required
def customer_detail(request, organization_id):
    organization = _organization(request, organization_id)
    profile = profile_for(request.user, organization)
    classifier = Classifier()
    latest = latest_configuration(organization)
    latest_change = shown_diff(snapshot_before(latest), latest, classifier, unmasked=profile["unmasked"]) \
        if latest else []
    # Opened from an issue: the configuration change that came just before it was reported.
    number = parse_issue_key(request.GET.get("issue", "")[:40])
    issue = organization.issues.filter(pk=number).first() if number else None
    before_issue = change_before_issue(issue) if issue else None
    return render(request, "customers/detail.html", {
        "organization": organization, "profile": profile, "issue": issue,
        "latest_change": latest_change, "latest_snapshot": latest,
        "before_issue": before_issue,
        "before_issue_changes": shown_diff(snapshot_before(before_issue), before_issue, classifier,
                                           unmasked=profile["unmasked"]) if before_issue else [],
        "can_unmask": has_perm(request.user, "personal.unmask"),
        # Only issues the reader works on can justify an unmask (customers/queries.py).
        "unmask_issues": list(working_on_issues(request.user, organization.issues.exclude(status__in=DONE_STATUSES))
                              .order_by("priority", "-updated_at", "-id")[:50]),
        "own_pending": UnmaskGrant.objects.filter(organization=organization, requested_by=request.user,
                                                  needs_approval=True, approved_at=None).exists(),
    })


@staff_required
@require_POST
def unmask(request, organization_id):
    organization = _organization(request, organization_id)
    number = parse_issue_key(request.POST.get("issue", "")[:40])
    issue = Issue.objects.filter(pk=number).first() if number else None
    try:
        grant = do_request_unmask(organization, actor=request.user, issue=issue,
                                  reason=request.POST.get("reason", "")[:2000])
    except ActionError as error:
        messages.error(request, f"{error.detail}: {', '.join(error.fields.values())}" if error.fields
                       else error.detail)
        return redirect("customer-detail", organization_id=organization.pk)
    if grant.is_pending:
        messages.info(request, "Unmask requested: it starts when a second person approves it.")
    else:
        messages.success(request, f"Personal data unmasked until {grant.expires_at:%H:%M} UTC.")
    return redirect("customer-detail", organization_id=organization.pk)


@staff_required
@require_POST
def approve_unmask(request, organization_id, grant_id):
    organization = _organization(request, organization_id)
    grant = UnmaskGrant.objects.filter(pk=grant_id, organization=organization).first()
    if grant is None:
        raise Http404("Grant not found")
    try:
        do_approve_unmask(grant, actor=request.user)
    except ActionError as error:
        return HttpResponseForbidden(error.detail) if error.status == 403 else redirect(
            "customer-detail", organization_id=organization.pk)
    messages.success(request, "Unmask approved.")
    return redirect("customer-detail", organization_id=organization.pk)
