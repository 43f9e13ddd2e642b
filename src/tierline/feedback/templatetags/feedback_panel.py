"""`{% feature_request_panel issue %}` on the desk issue page: the feature request the issue asks
for, and the way to the page that marks it as one (with the requests similar issues ask for). One
query, so the issue page stays cheap; the similar-issue search runs on the marking page. An
inclusion tag, so the issues app's view does not need to know about feature requests."""

from django import template

from tierline.accounts.permissions import has_perm
from tierline.issues.models import Severity

from ..queries import request_of_issue

register = template.Library()


@register.inclusion_tag("feedback/_panel.html", takes_context=True)
def feature_request_panel(context, issue):
    if not has_perm(context["request"].user, "feature_request.manage"):
        return {"shown": False}
    return {"shown": True, "issue": issue, "current": request_of_issue(issue),
            "is_question": issue.severity == Severity.S4}
