"""`{% log_call_form issue %}` on the desk issue page: the accessible "Log a call" form, and the
`call_party`, `call_length` and `call_started` filters of calls on its timeline. An inclusion tag, so the issues
app's view does not need to know about calls."""

from datetime import datetime, timedelta

from django import template

from tierline.accounts.permissions import has_perm
from tierline.customers.sensitivity import MASK

from ..forms import field_choices, form_values

register = template.Library()


@register.inclusion_tag("calls/_log_call.html", takes_context=True)
def log_call_form(context, issue):
    return {
        "issue": issue, "csrf_token": context.get("csrf_token"),
        "can_log": has_perm(context["request"].user, "call.log"), **field_choices(),
        "values": form_values(context.get("call_values")),
        "error": context.get("call_error"), "errors": context.get("call_errors") or {},
    }


@register.filter
def call_length(seconds) -> str:
    """125 -> "2m 05s"."""
    minutes, seconds = divmod(int(seconds or 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {seconds:02d}s"


@register.filter
def call_party(call: dict, privacy) -> str:
    """Who was on the phone, as the reader may see people (customers/masking.py): the contact's
    name once unmasked, else the number's last four digits."""
    if call.get("contact_id") and call.get("contact_name") and privacy is not None:
        shown = privacy.show(call.get("contact_organization_id"), f"contacts.{call['contact_id']}.name",
                             call["contact_name"])
        if shown not in (MASK, "[secret]"):
            return shown
    return call.get("caller") or MASK


@register.filter
def call_started(call: dict, event) -> datetime | None:
    """When a call logged after the fact happened (None for one logged as it ended, or an event
    written before calls kept their start)."""
    started = datetime.fromisoformat(call["started_at"]) if call.get("started_at") else None
    if started is None or event.created_at - started < timedelta(minutes=1):
        return None
    return started
