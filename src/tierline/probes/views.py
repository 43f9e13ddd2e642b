"""Desk forms of the issue page's Investigate panel: add a probe, extend one by an hour, remove
one. Each calls the same action as the staff API; an error shows the issue page again with the
form as the engineer typed it and the message beside the failing field."""

from functools import wraps

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError, InvalidInput, NotFound
from tierline.issues.views import get_issue_or_404, issue_form, issue_page, staff_required

from .actions import do_change_probe, do_create_probe, do_remove_probe
from .queries import get_probe_for_user

EXTEND_SECONDS = 3600
TEXT_FIELDS = ("service", "kind", "location", "condition", "template", "metric_type", "value", "metric_name",
               "logger")


def _back(issue):
    return redirect(reverse("desk-issue", kwargs={"key": issue.key}) + "#investigate")


def _number(text: str, field: str, errors: dict, *, integer: bool = False):
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = int(text) if integer else float(text)
    except ValueError:
        errors[field] = "must be a whole number" if integer else "must be a number"
        return None
    return number


def _tags(text: str, errors: dict) -> dict:
    """`deployment=tyrell-eu, region=eu` as {"deployment": "tyrell-eu", "region": "eu"}."""
    tags = {}
    for pair in filter(None, (p.strip() for p in (text or "").split(","))):
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            errors["tags"] = "name=value pairs separated by commas"
            return {}
        tags[name.strip()] = value.strip()
    return tags


def probe_fields(posted) -> tuple[dict, dict]:
    """The form's fields as the action takes them, and the problems parsing found first."""
    errors: dict[str, str] = {}
    fields = {name: posted.get(name, "") for name in TEXT_FIELDS}
    kind = fields["kind"]
    if kind != "metric":
        fields.update(metric_type="", value="", metric_name="")
    if kind != "log":
        fields["template"] = ""
    if kind != "log_level":
        fields["logger"] = ""
    else:
        fields["location"] = ""
    fields["max_hits"] = _number(posted.get("max_hits", ""), "max_hits", errors, integer=True)
    fields["ttl_seconds"] = _number(posted.get("ttl_seconds", ""), "ttl_seconds", errors) or 3600
    fields["instance_ids"] = [i for i in posted.getlist("instance_ids") if i]
    fields["tags"] = _tags(posted.get("tags", ""), errors)
    fields["all_customers"] = bool(posted.get("all_customers"))
    fields["reason"] = posted.get("reason", "")
    return fields, errors


@issue_form("probe.manage", "Only engineers add probes")
def add_probe(request, issue):
    fields, errors = probe_fields(request.POST)
    try:
        if errors:
            raise InvalidInput("Invalid probe", errors)
        do_create_probe(issue, actor=request.user, **fields)
    except ActionError as error:
        return issue_page(request, issue, status=error.status, probe_error=error.detail,
                          probe_errors=error.fields, probe_values=request.POST)
    return _back(issue)


def probe_form(view):
    """A button posted for one probe of the issue: 404 unless the user may see the issue and the
    probe is one of its own, 403 unless the role may manage probes."""
    @staff_required
    @require_POST
    @wraps(view)
    def wrapped(request, key, probe_id):
        issue = get_issue_or_404(request.user, key)
        try:
            probe = get_probe_for_user(request.user, probe_id)
        except NotFound:
            raise Http404(f"Probe {probe_id} not found") from None
        if probe.issue_id != issue.pk:
            raise Http404(f"Probe {probe_id} not found")
        if not has_perm(request.user, "probe.manage"):
            return HttpResponseForbidden("Only engineers change probes")
        try:
            view(request, probe)
        except ActionError as error:
            return issue_page(request, issue, status=error.status, probe_error=f"{probe_id}: {error.detail}",
                              probe_errors=error.fields)
        return _back(issue)
    return wrapped


@probe_form
def extend_probe(request, probe):
    do_change_probe(probe, actor=request.user, extend_seconds=EXTEND_SECONDS,
                    reason=request.POST.get("reason") or "extended by an hour from the issue page")


@probe_form
def remove_probe(request, probe):
    do_remove_probe(probe, actor=request.user, reason=request.POST.get("reason") or "removed from the issue page")
