"""The desk's "Record an outage" form on the issue page: its choices, what the agent typed, and
the outage it asks for (times in the desk's time zone; scope relative to the issue)."""

from datetime import datetime

from django.utils import timezone

from tierline.errors import InvalidInput

from .models import OutageSource

SCOPES = {"organization": "Only this customer", "component": "This component, for everyone",
          "both": "This customer, on this component", "everyone": "Everyone"}


def scopes_for(issue) -> list[tuple[str, str]]:
    available = {"everyone"}
    if issue.organization_id:
        available.add("organization")
    if issue.component_id:
        available.add("component")
    if issue.organization_id and issue.component_id:
        available.add("both")
    labels = dict(SCOPES)
    if issue.organization_id:
        labels["organization"] = f"Only {issue.organization.name}"
        labels["both"] = f"{issue.organization.name}, on {issue.component.name if issue.component_id else ''}"
    if issue.component_id:
        labels["component"] = f"{issue.component.name}, for everyone"
    return [(value, labels[value]) for value in SCOPES if value in available]


def outage_form_context(issue, values, error, errors) -> dict:
    scopes = scopes_for(issue)
    typed = dict(values.items()) if values else {}
    shown = {"title": typed.get("title", issue.title), "started_at": typed.get("started_at", ""),
             "ended_at": typed.get("ended_at", ""), "scope": typed.get("scope", scopes[0][0]),
             "source": typed.get("source", OutageSource.CUSTOMER_REPORTED)}
    return {"values": shown, "scopes": scopes, "error": error, "errors": errors or {},
            "sources": [(OutageSource.CUSTOMER_REPORTED, "Reported by the customer"),
                        (OutageSource.STAFF, "Entered by staff")]}


def read_time(text: str, field: str, *, required: bool) -> datetime | None:
    """`2026-11-27T14:05` (or with a space) in the desk's time zone."""
    text = (text or "").strip()
    if not text:
        if required:
            raise InvalidInput("Invalid outage", {field: "required"})
        return None
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 32 else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput("Invalid outage", {field: "a date and time, e.g. 2026-11-27 14:05"})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def outage_fields(issue, post) -> dict:
    """The `do_record_outage` arguments the form asks for."""
    scope = post.get("scope", "")
    if scope not in dict(scopes_for(issue)):
        raise InvalidInput("Invalid outage", {"scope": "choose who was affected"})
    source = post.get("source", "")
    if source not in (OutageSource.CUSTOMER_REPORTED, OutageSource.STAFF):
        raise InvalidInput("Invalid outage", {"source": "reported by the customer or entered by staff"})
    return {"title": post.get("title", "")[:1000], "source": source,
            "started_at": read_time(post.get("started_at"), "started_at", required=True),
            "ended_at": read_time(post.get("ended_at"), "ended_at", required=False),
            "is_global": scope == "everyone",
            "organizations": [issue.organization] if scope in ("organization", "both") else [],
            "components": [issue.component] if scope in ("component", "both") else [], "issues": [issue]}
