"""`{% fix_shipped_panel problem %}` on the desk's problem page (the "Fix shipped — tell N customers"
button), `{% satisfaction_panel issue %}` on the desk's issue page (the customer's ratings, one per
resolution round) and `{% fix_notice issue %}` on the portal's issue page (the notice that a fix shipped).
Inclusion tags, so the escalation and portal apps' views know nothing of this app."""

from django import template
from django.conf import settings

from tierline.accounts.permissions import has_perm

from ..queries import fix_notice_for, fix_state, issue_satisfaction

register = template.Library()


@register.inclusion_tag("notify/_fix_shipped.html", takes_context=True)
def fix_shipped_panel(context, problem):
    return {"problem": problem, "state": fix_state(problem), "csrf_token": context.get("csrf_token"),
            "can_ship": has_perm(context["request"].user, "problem.manage"),
            "resolve_default": settings.RESOLVE_ON_FIX}


@register.inclusion_tag("notify/_fix_notice.html")
def fix_notice(issue):
    return {"notice": fix_notice_for(issue)}


@register.inclusion_tag("notify/_satisfaction.html", takes_context=True)
def satisfaction_panel(context, issue):
    user = context["request"].user
    return {"ratings": issue_satisfaction(issue) if has_perm(user, "satisfaction.view") else []}
