"""`{% log_call_form issue %}` on the desk issue page: the accessible "Log a call" form. An
inclusion tag, so the issues app's view does not need to know about calls."""

from django import template

from tierline.accounts.permissions import has_perm
from tierline.customers.models import Contact
from tierline.customers.sensitivity import MASK

from ..models import Direction, Outcome

register = template.Library()

# What an agent chooses; the provider's own outcomes (answered, in progress) come from webhooks.
AGENT_OUTCOMES = [Outcome.RESOLVED, Outcome.CALL_BACK, Outcome.ESCALATED, Outcome.VOICEMAIL, Outcome.NO_ANSWER,
                  Outcome.BUSY, Outcome.FAILED, Outcome.ANSWERED]


@register.inclusion_tag("calls/_log_call.html", takes_context=True)
def log_call_form(context, issue):
    user = context["request"].user
    values = context.get("call_values") or {}
    return {
        "issue": issue, "csrf_token": context.get("csrf_token"), "can_log": has_perm(user, "call.log"),
        "directions": Direction.choices, "outcomes": [(o.value, o.label) for o in AGENT_OUTCOMES],
        "values": {
            "direction": values.get("direction", Direction.INBOUND),
            "caller_number": values.get("caller_number", ""),
            "duration": values.get("duration", ""), "outcome": values.get("outcome", Outcome.CALL_BACK),
            "notes": values.get("notes", ""),
        },
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
    contact = Contact.objects.filter(pk=call.get("contact_id")).first() if call.get("contact_id") else None
    if contact is not None and privacy is not None:
        label = privacy.contact_label(contact)
        if label and not label.startswith(MASK):
            return label
    return call.get("caller") or MASK
