"""The availability panels other apps' pages include with one line, so their views need not know
about availability: `{% availability_panel organization %}` on the desk's customer page,
`{% portal_availability_panel %}` in the portal (the reader's own organization, no outage titles,
only their issues), `{% issue_outages_panel issue %}` on the desk issue page (its outages and the
"Record an outage" form); and the `percent` and `minutes` filters their numbers use."""

from django import template
from django.urls import reverse
from django.utils import timezone

from tierline.accounts.permissions import has_perm

from ..display import report_context
from ..forms import outage_form_context
from ..queries import organization_report, outages_of_issue, parse_month

register = template.Library()


@register.filter
def percent(value: float) -> str:
    return f"{value:.3f} %"


@register.filter
def minutes(value: float) -> str:
    """43.2 -> "43.2 min"; past two hours also in hours; an overspent budget stays negative."""
    text = f"{value:.1f} min"
    return f"{text} ({value / 60:.1f} h)" if abs(value) >= 120 else text


@register.inclusion_tag("availability/_panel.html", takes_context=True)
def availability_panel(context, organization):
    request = context["request"]
    if not has_perm(request.user, "availability.view"):
        return {"report": None}
    report = organization_report(organization, parse_month(""))
    return {**report_context(report), "chart_id": "customer", "request": request,
            "overview_url": reverse("availability-overview")}


@register.inclusion_tag("availability/_panel.html", takes_context=True)
def portal_availability_panel(context):
    request = context["request"]
    organization = getattr(request.user, "organization", None)
    if organization is None or request.user.is_staff_member:
        return {"report": None}
    report = organization_report(organization, parse_month(""))
    return {**report_context(report, organization_id=organization.pk), "chart_id": "portal",
            "customer_view": True, "request": request}


@register.inclusion_tag("availability/_issue_outages.html", takes_context=True)
def issue_outages_panel(context, issue):
    user = context["request"].user
    if not has_perm(user, "availability.view"):
        return {"can_view": False}
    return {"can_view": True, "issue": issue, "outages": outages_of_issue(issue),
            "can_manage": has_perm(user, "outage.manage"), "csrf_token": context.get("csrf_token"),
            "time_zone": timezone.get_current_timezone_name(),
            **outage_form_context(issue, context.get("outage_values"), context.get("outage_error"),
                                  context.get("outage_errors"))}
