"""`{% time_panel issue %}` on the desk issue page: the time logged on the issue, each entry the
reader may still remove, and the "Log time" form (for the default team; the API takes another).
An inclusion tag, so the issues app's view does not need to know about planning."""

from django import template
from django.utils import timezone

from tierline.accounts.permissions import has_perm

from ..actions import OWN_ENTRY_REMOVABLE
from ..forms import TIME_FIELDS, typed
from ..queries import list_time_entries

register = template.Library()


@register.filter
def as_hours(minutes) -> str:
    """95 -> "1h 35m"."""
    hours, minutes = divmod(int(minutes or 0), 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


@register.inclusion_tag("planning/_time_panel.html", takes_context=True)
def time_panel(context, issue):
    user = context["request"].user
    if not has_perm(user, "time.log"):
        return {"can_log": False}
    entries = list(list_time_entries(issue))
    now, removes_any = timezone.now(), has_perm(user, "time.remove_any")
    return {
        "can_log": True, "issue": issue, "csrf_token": context.get("csrf_token"),
        "entries": [(e, removes_any or (e.user_id == user.pk and now - e.created_at <= OWN_ENTRY_REMOVABLE))
                    for e in entries],
        # One query for the panel: the issue page's query count is guarded (tests/issues/test_views.py).
        "total": sum(e.minutes for e in entries),
        "values": typed(context.get("time_values"), TIME_FIELDS),
        "today": timezone.localdate().isoformat(),
        "error": context.get("time_error"), "errors": context.get("time_errors") or {},
    }
