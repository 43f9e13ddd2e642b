"""Desk pages for calls: the "Log a call" form on the issue page. Views parse, check access,
call actions; errors re-render the issue page with what the agent typed."""

from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError
from tierline.issues.views import get_issue_or_404, issue_page, staff_required

from .actions import do_log_call


def _minutes_to_seconds(text: str) -> int:
    """`12`, `12.5` or `12:30` (minutes and seconds) -> seconds; -1 for anything else."""
    text = (text or "0").strip()
    minutes, _, seconds = text.partition(":")
    try:
        if seconds:
            return int(minutes) * 60 + int(seconds) if seconds.isdigit() and len(seconds) <= 2 else -1
        return round(float(minutes) * 60) if len(text) < 10 else -1
    except ValueError:
        return -1


@staff_required
@require_POST
def log_call(request, key):
    issue = get_issue_or_404(request.user, key)
    if not has_perm(request.user, "call.log"):
        return HttpResponseForbidden("Your role may not log calls")
    post = request.POST
    try:
        do_log_call(
            issue, actor=request.user, direction=post.get("direction", ""), caller_number=post.get("caller_number", ""),
            outcome=post.get("outcome", ""), duration_seconds=_minutes_to_seconds(post.get("duration", "")),
            notes=post.get("notes", ""),
        )
    except ActionError as error:
        return issue_page(request, issue, status=error.status, call_error=error.detail,
                          call_errors=error.fields, call_values=post)
    return redirect("desk-issue", key=issue.key)
