"""Desk pages for triage: the priority override form and the triage queue."""

from django.shortcuts import redirect, render

from tierline.errors import ActionError
from tierline.issues.views import issue_form, issue_page, staff_required

from .actions import do_override_priority, do_remove_priority_override
from .queries import list_triage_queue


@issue_form("issue.override_priority", "Your role may not override priorities")
def override_priority(request, issue):
    value = request.POST.get("priority", "")
    try:
        if value == "":
            # The reason box still shows the override's own reason unless the user typed a new one.
            reason = request.POST.get("reason", "")
            do_remove_priority_override(issue, actor=request.user,
                                        reason="" if reason == issue.priority_override_reason else reason)
        else:
            do_override_priority(issue, actor=request.user, priority=int(value) if value.isdigit() else -1,
                                 reason=request.POST.get("reason", ""))
    except ActionError as error:
        return issue_page(request, issue, status=error.status, override_error=error.detail)
    return redirect("desk-issue", key=issue.key)


@staff_required
def triage_queue(request):
    items, next_cursor = list_triage_queue(request.user, cursor=request.GET.get("cursor") or None, limit=50)
    return render(request, "triage/queue.html", {"items": items, "next_cursor": next_cursor})
