"""The quarantine page for admins: inbound messages that could not become issue work, with the
reason, and a retry button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError

from .actions import do_retry_message
from .queries import get_inbound_message, list_inbound_messages


def _admin_only(request) -> None:
    if not has_perm(request.user, "intake.review"):
        raise Http404  # like any page the user may not see


@login_required
def quarantine(request):
    _admin_only(request)
    items, next_cursor = list_inbound_messages(request.user, status="quarantined",
                                               cursor=request.GET.get("cursor") or None, limit=50)
    return render(request, "intake/quarantine.html", {"items": items, "next_cursor": next_cursor})


@login_required
@require_POST
def retry(request, message_id: int):
    _admin_only(request)
    message = get_inbound_message(request.user, message_id)
    try:
        do_retry_message(message)
    except ActionError as error:
        messages.error(request, error.detail)
        return redirect("intake-quarantine")
    if message.status == "quarantined":
        messages.error(request, f"Message {message.pk} is still quarantined: {message.reason}")
    else:
        messages.success(request, f"Message {message.pk} is now {message.status}")
    return redirect("intake-quarantine")
